"""Opaque page tokens (NextToken, Marker): the keys a listing resumes after, tagged with the listing that issued them.

AWS refuses a token it did not issue. A token that only carried base64 of the last key took any text that decodes
from base64 (``dG9waWM=``: "topic") for a position; the tag makes such text, and another listing's token, a token
that is not ours (``resume`` answers None and the service answers its own error).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

__all__ = ["issue", "resume", "after"]

_SEPARATOR = "\x00"


def issue(listing: str, *keys: str) -> str:
    """The token of ``listing`` (a name of the listing's own, e.g. "iam.users") resuming after ``keys``."""
    return base64.urlsafe_b64encode(_SEPARATOR.join((listing, *keys)).encode()).decode().rstrip("=")


def resume(listing: str, token: str, parts: int = 1) -> tuple[str, ...] | None:
    """The ``parts`` keys ``issue(listing, ...)`` put in ``token``; None when ``token`` is not such a token."""
    try:
        text = base64.b64decode((token + "=" * (-len(token) % 4)).encode(), altchars=b"-_", validate=True).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    fields = text.split(_SEPARATOR)
    if len(fields) != parts + 1 or fields[0] != listing:
        return None
    return tuple(fields[1:])


def after(listing: str, token: str | None, refusal: Callable[[], Exception]) -> str | None:
    """The one key a listing resumes after: None without a token, ``refusal()`` raised for a token it did not
    issue."""
    if not token:
        return None
    keys = resume(listing, token)
    if keys is None:
        raise refusal()
    return keys[0]
