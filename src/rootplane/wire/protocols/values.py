"""Scalar conversions shared by every protocol: timestamps, blobs, numbers, booleans."""

from __future__ import annotations

import base64
import binascii
import math
import re
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from typing import Any, Callable

from botocore.model import Shape

__all__ = [
    "parse_timestamp",
    "format_timestamp",
    "epoch_seconds",
    "b64encode",
    "b64decode",
    "scalar_from_text",
    "text_from_scalar",
    "float_text",
    "RESPONSE_LOCATIONS",
    "ISO8601_MILLISECONDS",
]

#: A body timestamp format of our own: ISO 8601 always with milliseconds ("2015-11-10T00:57:03.000Z"), as S3's XML
#: writes the times whose shape names no format (S3 API reference, ListObjectVersions' example response).
ISO8601_MILLISECONDS = "iso8601Milliseconds"

#: Member locations a response binds outside its body (request-only ``uri``/``querystring`` members of an
#: output shape are body members, as botocore's parsers read them).
RESPONSE_LOCATIONS = frozenset({"header", "headers", "statusCode"})

_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:?\d{2})?$"
)
_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?([eE][+-]?\d+)?$")


def parse_timestamp(value: Any) -> datetime:
    """Parse an ISO-8601 / RFC-822 / epoch timestamp (str or number) into an aware UTC datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, bool):
        raise ValueError("boolean is not a timestamp")
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    text = str(value).strip()
    match = _ISO_RE.match(text)
    if match:
        year, month, day, hour, minute, second, fraction, zone = match.groups()
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        result = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, timezone.utc)
        if zone and zone not in ("Z", "z"):
            sign = -1 if zone[0] == "+" else 1
            digits = zone[1:].replace(":", "")
            from datetime import timedelta

            result += sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return result
    if _NUMBER_RE.match(text):
        return datetime.fromtimestamp(float(text), timezone.utc)
    parsed = parsedate_to_datetime(text)  # raises on garbage
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def epoch_seconds(value: datetime) -> int | float:
    """Epoch seconds: an int when whole, else a float with millisecond precision."""
    stamp = value.timestamp()
    if value.microsecond == 0:
        return int(stamp)
    return round(stamp, 3)


def format_timestamp(value: Any, fmt: str) -> Any:
    """Render a timestamp per a model ``timestampFormat`` (iso8601, rfc822, unixTimestamp)."""
    if type(value) is datetime:
        return _formatted_datetime(value, fmt)
    return _formatted(parse_timestamp(value), fmt)


@lru_cache(maxsize=4096)
def _formatted_datetime(value: datetime, fmt: str) -> Any:
    """``_formatted`` of a datetime, kept: the same stored times (an entity's creation, an event's) are answered
    again and again, and their text costs a microsecond and more each time (a ListUsers page has a hundred). Equal
    datetimes are the same instant (or the same naive time), whose text is the same."""
    return _formatted(parse_timestamp(value), fmt)


def _formatted(moment: datetime, fmt: str) -> Any:
    if fmt == "unixTimestamp":
        return epoch_seconds(moment)
    moment = moment.astimezone(timezone.utc)
    if fmt == "rfc822":
        return format_datetime(moment, usegmt=True)
    # isoformat ends a UTC time in "+00:00" and cuts microseconds to milliseconds as AWS does (strftime costs more)
    milliseconds = moment.microsecond or fmt == ISO8601_MILLISECONDS
    return moment.isoformat(timespec="milliseconds" if milliseconds else "seconds")[:-6] + "Z"


def b64encode(value: Any) -> str:
    if isinstance(value, str):
        value = value.encode("utf-8")
    elif not isinstance(value, (bytes, bytearray)):
        value = bytes(value.read()) if hasattr(value, "read") else bytes(value)
    return base64.b64encode(value).decode("ascii")


def b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        # tolerate whitespace / missing padding like AWS does
        cleaned = "".join(text.split())
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)


def float_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 1e16:
        return str(int(value)) if isinstance(value, int) else repr(float(value))
    return repr(float(value))


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise ValueError(f"not a boolean: {text!r}")


def _float(text: str) -> float:
    return float(text.strip())


def _int(text: str) -> int:
    return int(text.strip())


_FROM_TEXT: dict[str, Callable[[str], Any]] = {
    "string": str,
    "character": str,
    "integer": _int,
    "long": _int,
    "short": _int,
    "byte": _int,
    "float": _float,
    "double": _float,
    "bigdecimal": _float,
    "biginteger": _int,
    "boolean": _bool,
    "timestamp": parse_timestamp,
    "blob": b64decode,
}


def scalar_from_text(shape: Shape, text: str) -> Any:
    """Convert wire text to the Python value for a scalar shape; raises ValueError on bad input."""
    convert = _FROM_TEXT.get(shape.type_name, str)
    try:
        return convert(text)
    except ValueError:
        raise
    except Exception as exc:  # e.g. TypeError / OverflowError / binascii errors
        raise ValueError(str(exc)) from exc


def text_from_scalar(shape: Shape, value: Any, default_timestamp: str = "iso8601") -> str:
    """Render a scalar Python value as wire text (query/XML/header style)."""
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind in ("float", "double"):
        return float_text(float(value))
    if kind == "timestamp":
        return str(format_timestamp(value, shape.serialization.get("timestampFormat", default_timestamp)))
    if kind == "blob":
        return b64encode(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
