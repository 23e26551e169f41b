"""CloudWatch Logs paging tokens: opaque ``nextToken`` values, and GetLogEvents' ``f/…``/``b/…`` tokens, which like
AWS's carry 56 digits (here the event's timestamp and id, so a token stays valid as events arrive)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from rootplane.core.errors import AwsError

MAX_POSITION = 2 ** 62  # larger numbers are no position a stored event can have (and overflow a database integer)

__all__ = ["MAX_POSITION", "encode", "decode", "event_token", "parse_event_token", "event_id", "invalid_token",
           "filter_token", "parse_filter_token"]


def invalid_token() -> AwsError:
    return AwsError("InvalidParameterException", "The specified nextToken is invalid.", 400)


def encode(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode()


def decode(token: str | None) -> Any:
    """The value a ``nextToken`` carries (None without one)."""
    if not token:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid_token() from None


def event_id(timestamp: int, row_id: int) -> str:
    return f"{timestamp:020d}{row_id:036d}"


def event_token(forward: bool, cursor: tuple[int, int]) -> str:
    return f"{'f' if forward else 'b'}/{event_id(*cursor)}"


def parse_event_token(token: str) -> tuple[bool, tuple[int, int]]:
    """(forward, (timestamp, id)) of a GetLogEvents token."""
    direction, _, digits = token.partition("/")
    if direction not in ("f", "b") or len(digits) != 56 or not digits.isdigit():
        raise invalid_token()
    cursor = int(digits[:20]), int(digits[20:])
    if max(cursor) > MAX_POSITION:
        raise invalid_token()
    return direction == "f", cursor


def filter_token(forward: bool, cursor: tuple[int, int]) -> str:
    """FilterLogEvents' ``nextToken``: the direction of the read and the last event it went past."""
    return encode([int(forward), *cursor])


def parse_filter_token(token: str) -> tuple[bool, tuple[int, int]]:
    """(forward, (timestamp, id)) of a FilterLogEvents ``nextToken``."""
    value = decode(token)
    if not (isinstance(value, list) and len(value) == 3 and value[0] in (0, 1) and all(
            type(item) is int and 0 <= item <= MAX_POSITION for item in value)):
        raise invalid_token()
    return value[0] == 1, (value[1], value[2])
