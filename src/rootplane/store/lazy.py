"""A read transaction's session, made on first use: a read answered from process caches costs no ORM session.

``Store.transaction(write=False)`` yields a ``LazySession``. Its ``info`` exists from the start (the transaction's
change mark, store/changes.py, is noted in it before anything is read), so ``TableCache`` lookups are answered
without a session; anything else (a query, ``add``, ``no_autoflush``...) makes the real session, which begins its
transaction then and shares that ``info``. The store commits and closes the real session if one was made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any


if TYPE_CHECKING:  # annotations only: the ORM loads with the first session (issue #19)
    from sqlalchemy.orm import Session

__all__ = ["LazySession"]


class LazySession:
    """Stands in for a ``Session`` until one is needed; every attribute but these few is the real session's."""

    __slots__ = ("info", "_make", "_session")

    def __init__(self, make: Callable[[], Session]) -> None:
        self.info: dict[str, Any] = {}
        self._make = make
        self._session: Session | None = None

    @property
    def autoflush(self) -> bool:
        """As the real session's; nothing can be pending before there is one."""
        return self._session is not None and self._session.autoflush

    def flush(self, objects: Any = None) -> None:
        if self._session is not None:
            self._session.flush(objects)

    def real(self) -> Session:
        """The real session, made (with its transaction begun) on the first call."""
        if self._session is None:
            session = self._make()
            session.info = self.info  # one dict: what was noted before and what is noted after
            session.begin()
            self._session = session
        return self._session

    def commit(self) -> None:
        """Commit the real session's transaction, if one was made."""
        if self._session is not None:
            self._session.commit()

    def close(self) -> None:
        """Close the real session (rolling back a transaction not committed), if one was made."""
        if self._session is not None:
            self._session.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)
