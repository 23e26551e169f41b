"""STS session tokens are kept only as SHA-256 digests: the server compares them and never needs them back.

A token is 96 random bytes, so an unsalted digest cannot be reversed or guessed; a copy of the store then holds
nothing a caller could present.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["digest", "matches"]


def digest(token: str) -> str:
    """The stored form of a session token: its SHA-256, 64 hex digits."""
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def matches(presented: str | None, stored_digest: str) -> bool:
    """Whether a presented token is the one whose digest was stored (constant-time comparison)."""
    return presented is not None and hmac.compare_digest(digest(presented), stored_digest)
