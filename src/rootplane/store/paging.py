"""Keyset pagination: one page of rows after the last key of the previous page, in O(page) with an index."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, Select, bindparam, func

from rootplane.store.lazy import statements
from rootplane.store.prepared import PreparedStatement

if TYPE_CHECKING:  # annotations only: the ORM loads with the first session (issue #19)
    from sqlalchemy.orm import Session

__all__ = ["keyset_page", "PreparedKeyset"]


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


class PreparedKeyset:
    """``keyset_page`` of a fixed ``query`` on prepared statements (store/prepared.py: no expression building,
    cache-key walk or ORM per call; issue #19): one from the start, one strictly after a key (bound as ``after``),
    each with a bound ``limit``. Rows are tuples of the selected columns, converted as the ORM reads them."""

    def __init__(self, query: Select, key: Any) -> None:
        limit = bindparam("limit", type_=Integer)
        self._first = PreparedStatement(query.order_by(key).limit(limit))
        self._after = PreparedStatement(query.where(key > bindparam("after")).order_by(key).limit(limit))

    def page(self, session: Session, params: Mapping[str, Any], after: Any, limit: int) -> list[tuple[Any, ...]]:
        """At most ``limit`` rows after ``after`` (from the start when it is None or empty), ``params`` bound."""
        if after:
            return self._after.typed_all(statements(session), {**params, "after": after, "limit": limit})
        return self._first.typed_all(statements(session), {**params, "limit": limit})
