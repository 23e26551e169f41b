"""One compiled statement handed straight to the SQLite driver, inside a store transaction (the hottest writes).

``connection.exec_driver_sql`` still builds an execution context and a ``CursorResult`` per statement: on SQLite
about three quarters of the cost of CreateUser's two statements (its name+quota probe and its INSERT; issue #19).
:func:`execute` runs the statement on the driver's own connection, in the transaction ``connection`` began, and
raises the driver's errors as SQLAlchemy's (``IntegrityError``, ``OperationalError``...), as that call would: the
callers' translations (a unique constraint's AWS error, ``StoreUnavailable``) are unchanged. What it skips are the
engine's per-statement events and echo. Other databases keep ``exec_driver_sql``: a round trip to the server
costs far more than the context, and SQLAlchemy's handling of a lost connection must stay.

A SQLite store transaction that has needed no SQLAlchemy connection yet is a :class:`DriverTransaction`
(``CoreSession.statements``): its statements, begin and commit go to the driver alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.engine import Dialect

__all__ = ["DriverTransaction", "Rows", "execute", "on_driver"]

T = TypeVar("T")


class Rows(Protocol):
    """What :func:`execute` answers: the driver's cursor (SQLite) or SQLAlchemy's result."""

    def fetchall(self) -> Sequence[Sequence[Any]]: ...


@dataclass(frozen=True, slots=True)
class DriverTransaction:
    """A SQLite transaction begun on a pooled driver connection alone (store/lazy.py's ``CoreSession``, until
    something needs a SQLAlchemy connection): ``pooled`` is the pool's proxy of ``driver``."""

    dialect: Dialect
    pooled: Any
    driver: Any


def on_driver(dialect: Dialect, call: Callable[..., T], *args: Any, sql: str | None = None,
              parameters: Any = None) -> T:
    """``call(*args)``, its driver errors raised as SQLAlchemy's (``IntegrityError``, ``OperationalError``...)."""
    try:
        return call(*args)
    except dialect.loaded_dbapi.Error as error:
        from sqlalchemy.exc import DBAPIError

        raise DBAPIError.instance(sql, parameters, error, dialect.loaded_dbapi.Error, dialect=dialect) from error


def execute(target: Connection | DriverTransaction, sql: str, parameters: Sequence[Any] | Mapping[str, Any]) -> Rows:
    """Run ``sql`` (in the dialect's paramstyle) with ``parameters`` in the transaction of ``target``."""
    dialect = target.dialect
    if isinstance(target, DriverTransaction):
        driver = target.driver
    elif dialect.name == "sqlite":
        driver = target.connection.driver_connection
    else:
        return target.exec_driver_sql(sql, parameters)  # type: ignore[arg-type]
    if not driver.in_transaction:  # rolled back (a caught flush error, SQLite's own rollback on a full disk)
        from sqlalchemy.exc import InvalidRequestError

        raise InvalidRequestError("the store transaction has ended; the statement would commit on its own")
    return on_driver(dialect, driver.execute, sql, parameters, sql=sql, parameters=parameters)
