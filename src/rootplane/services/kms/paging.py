"""KMS's Limit/Marker paging: the marker is the last key of the page, opaque to clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rootplane.core import page_token
from rootplane.core.errors import AwsError
from rootplane.services.kms.errors import validation

__all__ = ["after", "page"]


def after(params: dict[str, Any], invalid: Callable[[], AwsError] = lambda: validation("Invalid marker")) -> str | None:
    """The key a page starts after (None: from the beginning); ``invalid`` makes the error for a bad marker."""
    return page_token.after("kms", params.get("Marker"), invalid)


def page(rows: list, limit: int, key: Callable[[Any], str]) -> tuple[list, dict[str, Any]]:
    """``rows`` (fetched with limit + 1) cut to ``limit``, with Truncated and NextMarker as KMS answers them."""
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, {"Truncated": True, "NextMarker": page_token.issue("kms", key(rows[-1]))}
    return rows, {"Truncated": False}
