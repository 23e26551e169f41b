"""The SQLite store's WAL is checkpointed by a thread of its own, never inside a request's commit (issue #19)."""

import os
import sqlite3
import time

from rootplane.schema import metadata
from rootplane.store.checkpoint import Checkpointer
from rootplane.store.engine import Store

_MIB = 1024 * 1024


class _WalDatabase:
    """A WAL database whose commits never checkpoint themselves, its checkpointer, and its database file's size."""

    def __init__(self, tmp_path, **options) -> None:
        self.path = tmp_path / "db.sqlite"
        self.connection = sqlite3.connect(self.path, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA wal_autocheckpoint=0")
        self.connection.execute("CREATE TABLE blobs (data BLOB)")
        self.checkpointer = Checkpointer(str(self.path), **options)

    def commit_mib(self) -> None:
        """Commit one MiB, and tell the checkpointer."""
        self.connection.execute("INSERT INTO blobs VALUES (zeroblob(1048576))")
        self.checkpointer.committed()

    def file_mib(self) -> float:
        return os.path.getsize(self.path) / _MIB


def _until(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_every_so_many_commits_the_wal_is_copied_into_the_database_file(tmp_path):
    database = _WalDatabase(tmp_path, every=3, linger=60.0)
    database.commit_mib()
    database.commit_mib()
    time.sleep(0.2)
    assert database.file_mib() < 1  # two commits: not yet (the linger is a minute)
    database.commit_mib()
    assert _until(lambda: database.file_mib() >= 3)
    database.checkpointer.close()


def test_a_single_commit_is_checkpointed_after_the_linger(tmp_path):
    database = _WalDatabase(tmp_path, every=1000, linger=0.05)
    database.commit_mib()
    assert _until(lambda: database.file_mib() >= 1)
    database.checkpointer.close()


def test_close_checkpoints_what_is_pending_and_stops_the_thread_until_the_next_commit(tmp_path):
    database = _WalDatabase(tmp_path, every=1000, linger=60.0)
    checkpointer = database.checkpointer
    database.commit_mib()
    thread = checkpointer._thread
    checkpointer.close()
    assert not thread.is_alive()
    assert database.file_mib() >= 1
    database.commit_mib()  # a disposed store used again
    assert checkpointer._thread is not None and checkpointer._thread.is_alive()
    checkpointer.close()
    assert database.file_mib() >= 2


def test_a_database_that_is_gone_is_not_created_again(tmp_path, caplog):
    path = tmp_path / "db.sqlite"
    checkpointer = Checkpointer(str(path), every=1, linger=0.0)
    checkpointer.committed()
    checkpointer.close()
    assert not path.exists()
    assert "could not checkpoint" in caplog.text


def test_a_file_store_commits_without_checkpointing_and_checkpoints_apart(tmp_path):
    """A commit that takes the WAL far past SQLite's own threshold (1,000 pages) returns without copying it into
    the database file; the store's checkpointer does that once the commit is noted."""
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}", metadata())
    store.migrate()
    database = tmp_path / "store.sqlite"
    with store.connection() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        connection.exec_driver_sql("CREATE TABLE bulk (data BLOB)")
        connection.exec_driver_sql("INSERT INTO bulk VALUES (zeroblob(8388608))")  # 2,000+ pages
    before = os.path.getsize(database)
    assert before < 8 * _MIB
    assert _until(lambda: os.path.getsize(database) >= 8 * _MIB)
    store.dispose()
