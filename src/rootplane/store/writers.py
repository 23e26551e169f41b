"""SQLite writers of one process take turns on a Python lock before ``BEGIN IMMEDIATE``.

SQLite lets one connection write at a time; a second ``BEGIN IMMEDIATE`` meets SQLITE_BUSY and its busy handler
polls with sleeps of 1, 2, 5, 10, 15, 20, 25... ms. A request's transaction that arrived while the audit writer
committed a batch (a few milliseconds) therefore slept 8 ms or more, on the event loop that runs inline handlers
(4% of CreateUser's BEGINs under load, a quarter of the wall time). Here the writers of the process queue on a lock
held from BEGIN to COMMIT/ROLLBACK: the next one starts as soon as the previous ends. SQLite's own lock and busy
timeout still order writers of other processes (the lock is per process and per database file).
"""

from __future__ import annotations

import sqlite3
import threading

__all__ = ["WriterLock", "writer_lock"]

_LOCKS: dict[str, WriterLock] = {}
_LOCKS_LOCK = threading.Lock()


class WriterLock:
    """Held by one driver connection from its write transaction's BEGIN until it ends (or the connection closes)."""

    def __init__(self, timeout: float) -> None:
        self._lock = threading.Lock()
        self._timeout = timeout
        self._holder: int | None = None

    def acquire(self, connection: object) -> None:
        """Wait for the turn of ``connection`` (the driver's, or the pool's proxy of it); past the busy timeout, the
        same error SQLite would give."""
        if not self._lock.acquire(timeout=self._timeout):
            raise sqlite3.OperationalError("database is locked")
        self._holder = _driver_id(connection)

    def begin(self, connection, write: bool) -> None:
        """Begin a transaction on the driver ``connection``: a reader's ``BEGIN`` (it shares the WAL snapshot), or a
        writer's ``BEGIN IMMEDIATE`` after its turn (the write lock taken up front: no deadlock-prone lock upgrade);
        a writer whose BEGIN fails gives its turn back."""
        if not write:
            connection.execute("BEGIN")
            return
        self.acquire(connection)
        try:
            connection.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.release(connection)
            raise

    def release(self, connection: object) -> None:
        """End the turn of ``connection`` (a no-op for a connection that does not hold it: a read transaction)."""
        if self._holder == _driver_id(connection):
            self._holder = None
            self._lock.release()


def _driver_id(connection: object) -> int:
    """The driver connection's identity: SQLAlchemy hands BEGIN/COMMIT/ROLLBACK the pool's proxy, close the driver's."""
    return id(getattr(connection, "driver_connection", connection))


def writer_lock(database: str, timeout: float) -> WriterLock:
    """The lock of the writers of ``database`` (a file path) in this process, shared by every engine on it."""
    with _LOCKS_LOCK:
        lock = _LOCKS.get(database)
        if lock is None:
            lock = _LOCKS[database] = WriterLock(timeout)
        return lock
