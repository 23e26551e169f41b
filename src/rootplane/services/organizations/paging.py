"""NextToken/MaxResults for Organizations lists: the token encodes the last key of the page (O(page) queries)."""

from __future__ import annotations

import base64
import binascii
from typing import Any, Callable, Sequence, TypeVar

from rootplane.services.organizations.errors import invalid_input

__all__ = ["Page", "decode_token", "encode_token", "page_size", "finish_page"]

T = TypeVar("T")
Page = tuple[list[Any], str | None]
DEFAULT_PAGE = 20


def encode_token(key: str) -> str:
    return base64.urlsafe_b64encode(f"v1|{key}".encode()).decode()


def decode_token(token: str | None) -> str | None:
    """The key after which the next page starts; InvalidInputException for a token we didn't issue."""
    if not token:
        return None
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith("v1|"):
        raise invalid_input("INVALID_NEXT_TOKEN", "You specified an invalid value for nextToken.")
    return text[3:]


def page_size(params: dict[str, Any]) -> int:
    return int(params.get("MaxResults") or DEFAULT_PAGE)


def finish_page(rows: Sequence[T], size: int, key: Callable[[T], str]) -> tuple[list[T], str | None]:
    """Trim a ``size + 1`` fetch to ``size`` rows and build the NextToken when more remain."""
    if len(rows) > size:
        kept = list(rows[:size])
        return kept, encode_token(key(kept[-1]))
    return list(rows), None
