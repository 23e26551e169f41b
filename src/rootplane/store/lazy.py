"""Transactions whose ORM session is made on first use: work that needs no ORM costs no session.

``Store.transaction(write=False)`` yields a ``LazySession``. Its ``info`` exists from the start (the transaction's
change mark, store/changes.py, is noted in it before anything is read), so ``TableCache`` lookups are answered
without a session; anything else (a query, ``add``, ``no_autoflush``...) makes the real session, which begins its
transaction then and shares that ``info``. The store commits and closes the real session if one was made.

``Store.transaction(write=True)`` yields a ``WriteSession``: the transaction is a Core connection's, begun at the
first ``connection()`` (statements run on it directly: ``store.rows.insert_row``, IAM's ``creation_check``), and an
ORM session is made only when something needs one, bound to that connection and joined to its transaction. The
store flushes that session and commits the connection itself (an ORM session's own transaction and commit cost
about 45 µs of CPU per write on SQLite, more than CreateUser's SQL; issue #19); the session's commit events do
not fire, so what must follow a commit is registered with ``store.engine.on_commit``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: the ORM loads with the first session (issue #19)
    from sqlalchemy.engine import Connection, Engine, RootTransaction
    from sqlalchemy.orm import Session, SessionTransaction

__all__ = ["LazySession", "WriteSession"]


class _SessionOnFirstUse:
    """What both stand-ins share: ``info`` from the start, the ORM session once ``real()`` has made it, and every
    other attribute that session's."""

    __slots__ = ("info", "_session")

    def __init__(self) -> None:
        self.info: dict[str, Any] = {}
        self._session: Session | None = None

    @property
    def autoflush(self) -> bool:
        """As the ORM session's; nothing can be pending before there is one."""
        return self._session is not None and self._session.autoflush

    def flush(self, objects: Any = None) -> None:
        if self._session is not None:
            self._session.flush(objects)

    def get_nested_transaction(self) -> SessionTransaction | None:
        """The innermost savepoint open in the ORM session (none before there is one)."""
        return self._session.get_nested_transaction() if self._session is not None else None

    def real(self) -> Session:
        raise NotImplementedError

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


class LazySession(_SessionOnFirstUse):
    """Stands in for a ``Session`` until one is needed; every attribute but these few is the real session's."""

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[], Session]) -> None:
        super().__init__()
        self._make = make

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


class WriteSession(_SessionOnFirstUse):
    """A write transaction on a Core connection, with an ORM session joined to it on first use; every attribute but
    these few is the ORM session's."""

    __slots__ = ("_engine", "_make", "_connection", "_transaction")

    def __init__(self, engine: Engine, make: Callable[..., Session]) -> None:
        super().__init__()
        self._engine = engine
        self._make = make  # makes an ORM session given ``bind=`` a connection
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None

    def connection(self, **_options: Any) -> Connection:
        """The transaction's connection, its transaction begun on the first call."""
        if self._connection is None:
            connection = self._engine.connect()
            try:
                self._transaction = connection.begin()
            except BaseException:
                connection.close()
                raise
            self._connection = connection
        return self._connection

    def get_bind(self, *_args: Any, **_kwargs: Any) -> Engine:
        """The engine (as ``Session.get_bind`` answers for a session made on it)."""
        return self._engine

    def real(self) -> Session:
        """The ORM session, made on the first call, joined to the transaction of ``connection()``."""
        if self._session is None:
            session = self._make(bind=self.connection())
            session.info = self.info  # one dict: what was noted before and what is noted after
            self._session = session
        return self._session

    def commit(self) -> bool:
        """Flush the ORM session's pending changes and commit the transaction; False when none was begun."""
        self.flush()
        if self._transaction is None:
            return False
        self._transaction.commit()
        return True

    def __contains__(self, instance: object) -> bool:
        """Whether ``instance`` is in the ORM session (nothing is before there is one)."""
        return self._session is not None and instance in self._session

    def __iter__(self) -> Iterator[object]:
        return iter(self._session if self._session is not None else ())

    def close(self) -> None:
        """Close the ORM session and the connection (rolling back a transaction not committed)."""
        try:
            if self._session is not None:
                self._session.close()
        finally:
            if self._connection is not None:
                self._connection.close()
