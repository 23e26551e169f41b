"""One compiled statement handed straight to the SQLite driver, inside a store transaction (the hottest writes).

``connection.exec_driver_sql`` still builds an execution context and a ``CursorResult`` per statement: on SQLite
about three quarters of the cost of CreateUser's two statements (its name+quota probe and its INSERT; issue #19).
:func:`execute` runs the statement on the driver's own connection, in the transaction ``connection`` began, and
raises the driver's errors as SQLAlchemy's (``IntegrityError``, ``OperationalError``...), as that call would: the
callers' translations (a unique constraint's AWS error, ``StoreUnavailable``) are unchanged. What it skips are the
engine's per-statement events and echo. Other databases keep ``exec_driver_sql``: a round trip to the server
costs far more than the context, and SQLAlchemy's handling of a lost connection must stay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

__all__ = ["Rows", "execute"]


class Rows(Protocol):
    """What :func:`execute` answers: the driver's cursor (SQLite) or SQLAlchemy's result."""

    def fetchall(self) -> Sequence[Sequence[Any]]: ...


def execute(connection: Connection, sql: str, parameters: Sequence[Any] | Mapping[str, Any]) -> Rows:
    """Run ``sql`` (in the dialect's paramstyle) with ``parameters`` on ``connection``'s transaction."""
    dialect = connection.dialect
    if dialect.name != "sqlite":
        return connection.exec_driver_sql(sql, parameters)  # type: ignore[arg-type]
    driver = connection.connection.driver_connection
    try:
        return driver.execute(sql, parameters)  # type: ignore[union-attr]
    except dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(sql, parameters, error, dialect.loaded_dbapi.Error, dialect=dialect) from error
