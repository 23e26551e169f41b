"""KMS's Limit/Marker paging: the marker is the last key of the page, opaque to clients."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from rootplane.services.kms.errors import validation

__all__ = ["after", "page"]


def after(params: dict[str, Any]) -> str | None:
    """The key a page starts after (None: from the beginning)."""
    marker = params.get("Marker")
    if not marker:
        return None
    try:
        return base64.urlsafe_b64decode(marker.encode()).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise validation("Invalid marker") from None


def page(rows: list, limit: int, key: Callable[[Any], str]) -> tuple[list, dict[str, Any]]:
    """``rows`` (fetched with limit + 1) cut to ``limit``, with Truncated and NextMarker as KMS answers them."""
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, {"Truncated": True, "NextMarker": base64.urlsafe_b64encode(key(rows[-1]).encode()).decode()}
    return rows, {"Truncated": False}
