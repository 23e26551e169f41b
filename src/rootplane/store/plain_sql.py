"""Plain SQL text on the store, on SQLite's own driver where it can: what a server needs for its first answer
(opening the store, the bootstrap account, a root key's lookup) runs without importing SQLAlchemy (issue #19:
about 0.15 s of a fresh start).

Statements are SQL text with ``:name`` parameters, which both sqlite3 and SQLAlchemy's ``text()`` take. A unit of
work gets a :class:`PlainSql`: a :class:`DriverSql` over one of the store's own sqlite3 connections to its file
(:class:`DriverConnections`, configured as the engine's are), or an :class:`EngineSql` over a SQLAlchemy connection
(PostgreSQL, a database in memory, or a transaction that already has one). Datetimes are bound as the store's
``UtcDateTime`` binds them (store/types.py), so either way writes the same rows.
"""

from __future__ import annotations

import datetime as _dt
import functools
import sqlite3
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["PlainSql", "DriverSql", "EngineSql", "DriverConnections", "configure_sqlite", "sqlite_datetime"]

_UTC = _dt.timezone.utc
_IDLE_CONNECTIONS = 4  # driver connections kept open between units of work (plain SQL is rare after start-up)
# SQLite's memory in the whole process (page caches, statements, schemas) above which it frees cached pages: each
# connection otherwise keeps up to 2 MiB of pages, and the server's handful of connections kept 2-3 MiB more resident
# after the 10,000-user loads (issue #19: RSS after them 78-79 MiB instead of 80-83, the loads as fast). 4 MB cost
# CreateUser 5-7% once the event history held some 60,000 records (the audit writer's index pages were evicted).
SQLITE_SOFT_HEAP_LIMIT = 6_000_000


def sqlite_datetime(value: _dt.datetime | None) -> str | None:
    """An aware datetime as SQLite's DATETIME text in UTC (``YYYY-MM-DD HH:MM:SS.ffffff``), as SQLAlchemy writes it."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to UtcDateTime")
    return value.astimezone(_UTC).isoformat(" ", "microseconds")[:26]


def configure_sqlite(connection: sqlite3.Connection, busy_timeout: float, checkpoints_apart: bool) -> None:
    """Settings of every connection to a store: transactions begun explicitly (``BEGIN IMMEDIATE`` for writers), WAL
    with commits that do not fsync (store/group_commit.py syncs them), foreign keys, SQLite's soft heap limit (one for
    the process: ``SQLITE_SOFT_HEAP_LIMIT``); ``checkpoints_apart``: no commit checkpoints the WAL (store/checkpoint.py
    does)."""
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    if checkpoints_apart:
        cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
    cursor.execute(f"PRAGMA soft_heap_limit={SQLITE_SOFT_HEAP_LIMIT}")
    cursor.close()


class PlainSql(Protocol):
    """One transaction's plain SQL."""

    def first(self, sql: str, parameters: Mapping[str, Any]) -> tuple | None:
        """The first row of a query, or None."""

    def run(self, sql: str, parameters: Mapping[str, Any]) -> None:
        """Run a statement that returns no rows."""


def _sqlite_bound(parameters: Mapping[str, Any]) -> Mapping[str, Any]:
    if not any(isinstance(value, _dt.datetime) for value in parameters.values()):
        return parameters
    return {name: sqlite_datetime(value) if isinstance(value, _dt.datetime) else value
            for name, value in parameters.items()}


class DriverSql:
    """Plain SQL on a sqlite3 connection."""

    __slots__ = ("driver",)

    def __init__(self, driver: sqlite3.Connection) -> None:
        self.driver = driver

    def first(self, sql: str, parameters: Mapping[str, Any]) -> tuple | None:
        return self.driver.execute(sql, _sqlite_bound(parameters)).fetchone()

    def run(self, sql: str, parameters: Mapping[str, Any]) -> None:
        self.driver.execute(sql, _sqlite_bound(parameters))


@functools.lru_cache(maxsize=64)
def _text(sql: str):
    from sqlalchemy import text

    return text(sql)


class EngineSql:
    """Plain SQL on a SQLAlchemy connection (in its transaction)."""

    __slots__ = ("connection", "_sqlite")

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._sqlite = connection.dialect.name == "sqlite"

    def _bound(self, parameters: Mapping[str, Any]) -> Mapping[str, Any]:
        if self._sqlite:
            return _sqlite_bound(parameters)
        return {name: value.astimezone(_UTC) if isinstance(value, _dt.datetime) else value
                for name, value in parameters.items()}

    def first(self, sql: str, parameters: Mapping[str, Any]) -> tuple | None:
        row = self.connection.execute(_text(sql), self._bound(parameters)).first()
        return None if row is None else tuple(row)

    def run(self, sql: str, parameters: Mapping[str, Any]) -> None:
        self.connection.execute(_text(sql), self._bound(parameters))


class DriverConnections:
    """A store's own sqlite3 connections to its database file, configured as the engine's (a file's WAL is
    checkpointed apart, store/checkpoint.py): taken last-in first-out (the most recently used one has the warmest page
    cache), a few kept open between uses."""

    def __init__(self, database: str, busy_timeout: float) -> None:
        self._database = database
        self._busy_timeout = busy_timeout
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def take(self) -> sqlite3.Connection:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        connection = sqlite3.connect(self._database, timeout=self._busy_timeout, check_same_thread=False)
        try:
            configure_sqlite(connection, self._busy_timeout, checkpoints_apart=True)
        except BaseException:
            connection.close()
            raise
        return connection

    def give(self, connection: sqlite3.Connection) -> None:
        """Return a connection taken with ``take``; one left in a transaction (its rollback failed) is closed."""
        if not connection.in_transaction:
            with self._lock:
                if len(self._idle) < _IDLE_CONNECTIONS:
                    self._idle.append(connection)
                    return
        connection.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
