"""Which request/response members never reach a CloudTrail record (one place for every service).

As CloudTrail does, every member whose botocore shape carries the ``sensitive`` trait (passwords, service
credential secrets, private keys, one-time passwords, contact details...) is replaced by
``HIDDEN_DUE_TO_SECURITY_REASONS``, wherever it sits in the request or response (inside structures, lists and
maps), so a newly served operation is covered by its model.  A few secrets the models do not mark are handled by
name: secret access keys are dropped (CloudTrail omits them), session tokens, TOTP seeds and codes and confirmation
tokens are hidden.
"""

from __future__ import annotations

import datetime as _dt
import functools
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

__all__ = ["HIDDEN", "scrub", "lower_camel", "cloudtrail_date"]

HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"

# Secrets the models do not mark: lower-cased member names (after lower-camel conversion).
_DROPPED = frozenset({"secretaccesskey"})
_HIDDEN = frozenset({
    "password", "newpassword", "oldpassword", "sessiontoken", "base32stringseed", "qrcodepng",
    "authenticationcode1", "authenticationcode2", "tokencode", "token", "privatekey", "samlassertion",
    "webidentitytoken", "clientsecret", "totpcode", "mfacode", "mfa",
})


def lower_camel(name: str) -> str:
    """``UserName`` -> ``userName``, ``MFADevice`` -> ``mFADevice`` (CloudTrail lower-cases the first letter)."""
    return name[:1].lower() + name[1:] if name else name


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DROP, _HIDE, _KEEP = 0, 1, 2  # what becomes of a member, by its name


def cloudtrail_date(value: _dt.datetime) -> str:
    """CloudTrail's date style inside request/response elements: ``Oct 25, 2024, 9:07:11 PM``."""
    value = value.astimezone(_dt.timezone.utc)
    hour = value.hour % 12 or 12
    return (f"{_MONTHS[value.month - 1]} {value.day}, {value.year}, {hour}:{value.minute:02d}:{value.second:02d} "
            f"{'AM' if value.hour < 12 else 'PM'}")


@functools.lru_cache(maxsize=4096)
def _member(key: str) -> tuple[str, int]:
    """A member name's record spelling and whether it is dropped, hidden or kept (the writer meets the same few
    names again and again)."""
    name = lower_camel(key)
    folded = name.lower()
    return name, _DROP if folded in _DROPPED else _HIDE if folded in _HIDDEN else _KEEP


def scrub(value: Any, shape: Shape | None = None) -> Any:
    """A JSON-safe copy of a botocore-shaped value: lower-camel keys, secrets removed, dates formatted.

    ``shape`` is the value's botocore shape when known (an operation's input or output): its ``sensitive``
    members are hidden."""
    if shape is not None and shape.metadata.get("sensitive"):
        return HIDDEN
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, dict):
        members = shape.members if isinstance(shape, StructureShape) else None
        entries = shape.value if isinstance(shape, MapShape) else None
        cleaned: dict[str, Any] = {}
        for key, item in value.items():
            name, fate = _member(str(key))
            if fate == _KEEP:
                inner = members.get(key) if members is not None else entries
                if isinstance(item, str) and (inner is None or not inner.metadata.get("sensitive")):
                    cleaned[name] = item  # the common leaf, without a call
                else:
                    cleaned[name] = scrub(item, inner)
            elif fate == _HIDE:
                cleaned[name] = HIDDEN
        return cleaned
    if isinstance(value, (list, tuple)):
        inner = shape.member if isinstance(shape, ListShape) else None
        return [scrub(item, inner) for item in value]
    if isinstance(value, _dt.datetime):
        return cloudtrail_date(value)
    if isinstance(value, (bytes, bytearray)):
        return HIDDEN
    return value
