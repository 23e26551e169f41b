"""Whole-store state: wipe every table, save a snapshot file, restore one.

A snapshot is a SQLite database file holding every table of the schema and Alembic's ``alembic_version``: the
schema revision it was taken at. The same file serves both stores:
- SQLite stores are saved with SQLite's online backup API (consistent while requests keep writing) and restored
  with it too (one step, under the write lock: other connections see the old state or the new one, never a mix);
- PostgreSQL stores are saved by copying every table, in foreign-key order, out of one REPEATABLE READ transaction
  into a fresh snapshot file, and restored by TRUNCATE and bulk inserts in one transaction.
A snapshot from an older schema revision is migrated (Alembic, on a temporary copy) before it is restored; one from
a revision this rootplane does not know (a newer rootplane) is refused with :class:`SnapshotError`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Table, create_engine, insert, select, text
from sqlalchemy.engine import Connection

from rootplane.store.errors import SnapshotError
from rootplane.store.engine import Store
from rootplane.store.migrate import create_at_head, head_revision, known_revisions, upgrade

if TYPE_CHECKING:  # annotations only: the ORM loads with the first session (issue #19)
    from sqlalchemy.orm import Session

__all__ = ["SnapshotError", "wipe", "save_snapshot", "restore_snapshot", "snapshot_revision", "KEPT_ON_RESET"]

#: A table whose ``info`` sets this key survives a reset (server identity, not user state: the SNS signing key).
KEPT_ON_RESET = "kept_on_reset"
_BATCH = 5000


def _tables(store: Store) -> list[Table]:
    """Every table of the store's schema, parents before children."""
    return list(store.metadata.sorted_tables)


def wipe(store: Store, session: Session) -> None:
    """Delete every row of every table of ``store`` (except those kept on reset) inside the session's transaction."""
    tables = [table for table in _tables(store) if not table.info.get(KEPT_ON_RESET)]
    if session.get_bind().dialect.name == "postgresql":
        # One statement, one ACCESS EXCLUSIVE lock per table: concurrent requests wait for the commit.
        session.execute(_truncate(tables))
        return
    for table in reversed(tables):
        session.execute(table.delete())


def _truncate(tables: list[Table]):
    """PostgreSQL: empty the tables and restart their counters, as in a new database."""
    return text("TRUNCATE " + ", ".join(f'"{table.name}"' for table in tables) + " RESTART IDENTITY")


def _counters(table: Table) -> list:
    """Columns PostgreSQL numbers from a sequence (autoincrementing primary keys)."""
    return [column for column in table.primary_key.columns if column.autoincrement is True]


# -- saving ------------------------------------------------------------------------------------------------------

def save_snapshot(store: Store, path: str | os.PathLike[str]) -> None:
    """Write the whole state of ``store`` to ``path`` (replaced atomically when complete)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    if store.kind == "sqlite":
        with _raw_sqlite(store) as live, sqlite3.connect(partial) as copy:
            live.backup(copy)
        copy.close()
    else:
        _copy_postgres_out(store, partial)
    _single_file(partial)
    os.replace(partial, target)


def _single_file(path: Path) -> None:
    """Fold a WAL-mode copy into one self-contained file (journal mode DELETE, no -wal/-shm beside it)."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def _copy_postgres_out(store: Store, path: Path) -> None:
    snapshot = create_engine(f"sqlite:///{path}")
    try:
        create_at_head(snapshot, store.metadata)
        with store.engine.connect() as source, snapshot.begin() as target:
            source.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            for table in _tables(store):
                _copy_rows(source, target, table)
            source.rollback()
    finally:
        snapshot.dispose()


def _copy_rows(source: Connection, target: Connection, table: Table) -> None:
    result = source.execution_options(yield_per=_BATCH).execute(select(table))
    for rows in result.mappings().partitions(_BATCH):
        target.execute(insert(table), [dict(row) for row in rows])


@contextmanager
def _raw_sqlite(store: Store) -> Iterator[sqlite3.Connection]:
    """The pysqlite connection under one of the store's pooled connections."""
    with store.engine.connect() as connection:
        yield connection.connection.driver_connection


# -- restoring ---------------------------------------------------------------------------------------------------

def snapshot_revision(path: str | os.PathLike[str]) -> str:
    """The schema revision a snapshot file was taken at; SnapshotError if it is no rootplane snapshot."""
    try:
        connection = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise SnapshotError(f"not a rootplane snapshot ({exc})") from None
    if row is None:
        raise SnapshotError("not a rootplane snapshot (it records no schema revision)")
    return row[0]


def restore_snapshot(store: Store, path: str | os.PathLike[str]) -> str:
    """Replace the whole state of ``store`` by the snapshot at ``path``; returns the snapshot's revision.

    An older snapshot is migrated first; a newer (unknown) one raises SnapshotError and changes nothing."""
    revision = snapshot_revision(path)
    if revision not in known_revisions():
        raise SnapshotError(
            f"the snapshot is at schema revision {revision!r}, which this rootplane does not know (its newest is "
            f"{head_revision()!r}): it was taken by a newer rootplane; restore it with that version")
    with tempfile.TemporaryDirectory(prefix="rootplane-restore-") as work:
        copy = Path(work) / "snapshot.db"
        shutil.copyfile(path, copy)
        if revision != head_revision():
            engine = create_engine(f"sqlite:///{copy}")
            try:
                upgrade(engine, store.metadata)
            finally:
                engine.dispose()
        if store.kind == "sqlite":
            with sqlite3.connect(copy) as source, _raw_sqlite(store) as live:
                source.backup(live)
            source.close()
        else:
            _copy_postgres_in(store, copy)
    return revision


def _copy_postgres_in(store: Store, path: Path) -> None:
    snapshot = create_engine(f"sqlite:///{path}")
    try:
        with snapshot.connect() as source, store.transaction() as session:
            connection = session.connection()
            tables = _tables(store)
            connection.execute(_truncate(tables))
            for table in tables:
                _copy_rows(source, connection, table)
                for column in _counters(table):
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                        f'COALESCE(MAX("{column.name}"), 0) + 1, false) FROM "{table.name}"'))
    finally:
        snapshot.dispose()
