"""What a store failure means (outage or bad work), without SQLAlchemy: the first answer loads none (issue #19).

A failure reaches these functions as SQLAlchemy's wrapper of a driver error (work through the engine) or as the
sqlite3 driver's own error (plain SQL on the driver, store/plain_sql.py); both are judged by the driver's code.
"""

from __future__ import annotations

import re
import sqlite3
import sys
import warnings

__all__ = ["StoreUnavailable", "SnapshotError", "is_outage", "is_lost_race", "refuse_stale_deletes", "reason"]

# What the ORM says (as a warning) when a DELETE of rows it had loaded matched fewer: another process deleted them.
_STALE_DELETE = r"DELETE statement on table '.*' expected to delete \d+ row\(s\); \d+ were matched"


class StoreUnavailable(RuntimeError):
    """The database cannot be reached or refused the work for a reason outside the request (connection lost, disk
    full, lock timeout, serialization failure): the request may be retried later. Never carries row data.

    ``outage`` is False when the database answered but the driver reports a fault of the work itself (SQLite's
    generic SQLITE_ERROR such as a missing table, PostgreSQL's program limits such as an oversized index row):
    the same work will fail again, so background writers must not wait for it to succeed."""

    def __init__(self, reason: str, *, outage: bool = True) -> None:
        super().__init__(reason)
        self.outage = outage

    @property
    def disk_full(self) -> bool:
        """SQLite's SQLITE_FULL or PostgreSQL's disk_full: writes fail until space is freed."""
        reason = str(self).lower()
        return "disk is full" in reason or "no space left" in reason


class SnapshotError(ValueError):
    """A file that cannot be restored: not a snapshot, or taken by a newer rootplane."""


# SQLite result codes (and their extended codes) that say the database cannot do any write now: busy or locked by
# another connection, failing or full disk, a file that cannot be opened or written. Anything else (SQLITE_ERROR:
# no such table, bad SQL) is about the statement.
_SQLITE_OUTAGE = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_READONLY",
                  "SQLITE_PROTOCOL", "SQLITE_NOMEM")
# PostgreSQL SQLSTATE classes of the same kind: connection exception, transaction rollback (serialization failure,
# deadlock), insufficient resources (disk full, too many connections), operator intervention (shutdown, cancel),
# system error; and lock_not_available. No SQLSTATE at all: the server never answered.
_POSTGRES_OUTAGE = ("08", "40", "53", "57", "58", "55P03")


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` (raised inside a transaction, or the StoreUnavailable it became) means the database is
    unavailable, so the same work can succeed later, rather than that the work is wrong."""
    if isinstance(exc, StoreUnavailable):
        return exc.outage
    if isinstance(exc, sqlite3.InterfaceError):
        return True
    if isinstance(exc, sqlite3.OperationalError):
        return _driver_outage(exc)
    wrappers = sys.modules.get("sqlalchemy.exc")  # none loaded: the error cannot be one of SQLAlchemy's
    if wrappers is None:
        return False
    if isinstance(exc, wrappers.InterfaceError):
        return True
    return isinstance(exc, wrappers.OperationalError) and _driver_outage(getattr(exc, "orig", None))


def is_lost_race(exc: BaseException) -> bool:
    """Whether ``exc`` says the work met the database changed under it: a unique or foreign key constraint refused
    a write (SQLAlchemy's ``IntegrityError``, or the sqlite3 driver's), or an UPDATE or DELETE of a row the work had
    read matched none (the ORM's ``StaleDataError``, or its stale DELETE warning raised by
    ``refuse_stale_deletes``). The work's checks did not see a row, or saw one that is gone."""
    if isinstance(exc, sqlite3.IntegrityError):
        return True
    wrappers = sys.modules.get("sqlalchemy.exc")
    if wrappers is not None and (isinstance(exc, wrappers.IntegrityError) or (
            isinstance(exc, wrappers.SAWarning) and re.match(_STALE_DELETE, str(exc)) is not None)):
        return True
    orm_errors = sys.modules.get("sqlalchemy.orm.exc")
    return orm_errors is not None and isinstance(exc, orm_errors.StaleDataError)


def refuse_stale_deletes() -> None:
    """Have the ORM raise, instead of only warning, when a DELETE of rows a transaction had read matched fewer rows:
    another process deleted them meanwhile (PostgreSQL's writers run side by side), so this transaction's delete did
    nothing and must not answer success; ``is_lost_race`` then sends the request to run again, and it finds the row
    gone. Process-wide (a warnings filter); SQLite's writers take turns, so there it never happens."""
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("error", message=_STALE_DELETE, category=SAWarning)


def _driver_outage(original: BaseException | None) -> bool:
    sqlite_name = getattr(original, "sqlite_errorname", None)
    if sqlite_name is not None:
        return sqlite_name.startswith(_SQLITE_OUTAGE)
    sqlstate = getattr(original, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith(_POSTGRES_OUTAGE)


def reason(exc: BaseException) -> str:
    """The driver's first line about a failure (no SQL, no parameters)."""
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0][:200]
