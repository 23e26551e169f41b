"""Which request/response members never reach a CloudTrail record (one place for every service).

Secret members are dropped (secret access keys) or replaced by ``HIDDEN_DUE_TO_SECURITY_REASONS`` (passwords,
session tokens, TOTP seeds and codes, confirmation tokens), as CloudTrail does for sensitive parameters.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

__all__ = ["HIDDEN", "scrub", "lower_camel", "cloudtrail_date"]

HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"

# Lower-cased member names (after lower-camel conversion, compared case-insensitively).
_DROPPED = frozenset({"secretaccesskey"})
_HIDDEN = frozenset({
    "password", "newpassword", "oldpassword", "sessiontoken", "base32stringseed", "qrcodepng",
    "authenticationcode1", "authenticationcode2", "tokencode", "token", "privatekey", "samlassertion",
    "webidentitytoken", "clientsecret", "totpcode", "mfacode", "mfa",
})


def lower_camel(name: str) -> str:
    """``UserName`` -> ``userName``, ``MFADevice`` -> ``mFADevice`` (CloudTrail lower-cases the first letter)."""
    return name[:1].lower() + name[1:] if name else name


def cloudtrail_date(value: _dt.datetime) -> str:
    """CloudTrail's date style inside request/response elements: ``Oct 25, 2024, 9:07:11 PM``."""
    value = value.astimezone(_dt.timezone.utc)
    hour = value.hour % 12 or 12
    return f"{value:%b} {value.day}, {value.year}, {hour}:{value:%M:%S} {'AM' if value.hour < 12 else 'PM'}"


def scrub(value: Any) -> Any:
    """A JSON-safe copy of a botocore-shaped value: lower-camel keys, secrets removed, dates formatted."""
    if isinstance(value, dict):
        cleaned: dict[str, Any] = {}
        for key, item in value.items():
            name = lower_camel(str(key))
            folded = name.lower()
            if folded in _DROPPED:
                continue
            cleaned[name] = HIDDEN if folded in _HIDDEN else scrub(item)
        return cleaned
    if isinstance(value, (list, tuple)):
        return [scrub(item) for item in value]
    if isinstance(value, _dt.datetime):
        return cloudtrail_date(value)
    if isinstance(value, (bytes, bytearray)):
        return HIDDEN
    return value
