"""Keyset pagination: one page of rows after the last key of the previous page, in O(page) with an index."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func

if TYPE_CHECKING:  # annotations only: the ORM loads with the first session (issue #19)
    from sqlalchemy.orm import Session

__all__ = ["keyset_page"]


def keyset_page(session: Session, query: Select, key: Any, after: Any, limit: int, *,
                prefix_column: Any = None, prefix: str | None = None) -> list[Any]:
    """Rows of ``query`` ordered by ``key``, strictly after ``after`` (the previous page's last key), at most
    ``limit``; with ``prefix``, only rows whose ``prefix_column`` starts with it."""
    if prefix:
        # Not LIKE: SQLite's LIKE ignores ASCII case and refuses patterns longer than 50,000 bytes.
        query = query.where(func.substr(prefix_column, 1, len(prefix)) == prefix)
    if after:
        query = query.where(key > after)
    return list(session.scalars(query.order_by(key).limit(limit)))
