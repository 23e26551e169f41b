"""Store transactions on a Core connection, with an ORM session made on first use: work that needs no ORM costs no
session, and the hot statements run on the driver.

``Store.transaction()`` yields a ``CoreSession`` (reads and writes alike). Its ``info`` exists from the start (the
transaction's change mark, store/changes.py, is noted in it before anything is read), so ``TableCache`` lookups are
answered without a session or a connection. The transaction is a Core connection's, begun at the first
``connection()``, and an ORM session is made only when something needs one (a query, ``add``, ``no_autoflush``...),
bound to that connection and joined to its transaction. The store flushes that session and commits the connection
itself (an ORM session's own transaction and commit cost about 45 µs of CPU per write on SQLite, more than
CreateUser's SQL; issue #19); the session's commit events do not fire, so what must follow a commit is registered
with ``store.engine.on_commit``.

Hot statements (``store.rows.insert_values``, ``store.prepared.PreparedStatement``) run where
``statements(session)`` says (store/driver.py). On SQLite, before anything needed a connection, that is the
transaction begun on a pooled driver connection alone: SQLAlchemy's connection, its transaction object and its
return to the pool cost about 15 µs of a CreateUser, and a read made of prepared statements (ListAccessKeys,
GetAccountSummary) cost 110 µs in an ORM session's transaction against 55 µs on the driver. A ``connection()``
needed later adopts that transaction (no second BEGIN), so whatever ran before it commits or rolls back with
everything after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from rootplane.store.driver import DriverTransaction, on_driver

if TYPE_CHECKING:  # annotations only: the ORM loads with the first session (issue #19)
    from sqlalchemy.engine import Connection, Engine, RootTransaction
    from sqlalchemy.orm import Session, SessionTransaction

__all__ = ["ADOPTED", "CoreSession", "statements"]

# The pooled connection's ``info`` key that tells the BEGIN hook (store/engine.py) a transaction was already begun
# on the driver (``CoreSession.statements``) and is being adopted by a SQLAlchemy connection.
ADOPTED = "rootplane.adopted"


class CoreSession:
    """A store transaction on a Core connection (on SQLite first on the driver alone, see ``statements``), with an
    ORM session joined to it on first use; every attribute but these few is the ORM session's."""

    __slots__ = ("info", "_session", "_engine", "_make", "_connection", "_transaction", "_driver")

    def __init__(self, engine: Engine, make: Callable[..., Session]) -> None:
        self.info: dict[str, Any] = {}
        self._session: Session | None = None
        self._engine = engine
        self._make = make  # makes an ORM session given ``bind=`` a connection
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None
        self._driver: DriverTransaction | None = None  # begun on the driver, not adopted by ``_connection`` yet

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

    @property
    def identity_map(self) -> Mapping[Any, object]:
        """The objects the ORM session holds (none before there is one: asking makes no session)."""
        return self._session.identity_map if self._session is not None else {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)

    def statements(self) -> Connection | DriverTransaction:
        """Where a hot statement runs (store/driver.py): the transaction's connection once there is one; else, on
        SQLite, the transaction begun (on the first call) on a pooled driver connection alone."""
        if self._connection is not None or self._engine.dialect.name != "sqlite":
            return self.connection()
        if self._driver is None:
            dialect = self._engine.dialect
            pooled = on_driver(dialect, self._engine.raw_connection)
            try:
                on_driver(dialect, dialect.do_begin, pooled)
            except BaseException:
                pooled.close()
                raise
            self._driver = DriverTransaction(dialect, pooled, pooled.driver_connection)
        return self._driver

    def connection(self, **_options: Any) -> Connection:
        """The transaction's connection, its transaction begun (or adopted from the driver) on the first call."""
        if self._connection is None:
            pooled = self._driver.pooled if self._driver is not None else None
            connection = None
            if pooled is not None:
                pooled.info[ADOPTED] = True  # the BEGIN hook takes the driver's transaction as begun
            from sqlalchemy.engine import Connection

            try:
                connection = Connection(self._engine, connection=pooled) if pooled is not None \
                    else self._engine.connect()
                self._transaction = connection.begin()
            except BaseException:
                if pooled is not None:
                    pooled.info.pop(ADOPTED, None)
                self._driver = None
                if connection is not None:
                    connection.close()  # rolls back, and returns the pooled connection
                elif pooled is not None:
                    pooled.close()  # the pool's reset rolls the driver's transaction back
                raise
            self._connection, self._driver = connection, None
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
        if self._driver is not None:
            self._end_on_driver(self._driver.dialect.do_commit)
            return True
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
            elif self._driver is not None:
                self._end_on_driver(self._driver.dialect.do_rollback)

    def _end_on_driver(self, end: Callable[[Any], None]) -> None:
        """Commit or roll back (``end``) the transaction begun on the driver and return its connection to the pool
        (whose reset rolls back a commit that failed)."""
        driver, self._driver = self._driver, None
        try:
            on_driver(driver.dialect, end, driver.pooled)  # type: ignore[union-attr]
        finally:
            driver.pooled.close()  # type: ignore[union-attr]


def statements(session: Session) -> Connection | DriverTransaction:
    """Where the hot statements of ``session``'s transaction run (``CoreSession.statements``; a plain session's
    connection)."""
    return session.statements() if isinstance(session, CoreSession) else session.connection()
