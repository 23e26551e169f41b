"""The SQLite store's WAL is checkpointed by a thread of its own, never inside a request's commit (issue #19)."""

import os
import sqlite3
import time

from rootplane.schema import metadata
from rootplane.store.checkpoint import Checkpointer
from rootplane.store.engine import Store

_MIB = 1024 * 1024


def _wal_database(path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute("CREATE TABLE blobs (data BLOB)")
    return connection


def _until(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_every_so_many_commits_the_wal_is_copied_into_the_database_file(tmp_path):
    path = tmp_path / "db.sqlite"
    connection = _wal_database(path)
    checkpointer = Checkpointer(str(path), every=3, linger=60.0)
    for _ in range(2):
        connection.execute("INSERT INTO blobs VALUES (zeroblob(1048576))")
        checkpointer.committed()
    time.sleep(0.2)
    assert os.path.getsize(path) < _MIB  # two commits: not yet (the linger is a minute)
    connection.execute("INSERT INTO blobs VALUES (zeroblob(1048576))")
    checkpointer.committed()
    assert _until(lambda: os.path.getsize(path) >= 3 * _MIB)
    checkpointer.close()
    connection.close()


def test_a_single_commit_is_checkpointed_after_the_linger(tmp_path):
    path = tmp_path / "db.sqlite"
    connection = _wal_database(path)
    checkpointer = Checkpointer(str(path), every=1000, linger=0.05)
    connection.execute("INSERT INTO blobs VALUES (zeroblob(1048576))")
    checkpointer.committed()
    assert _until(lambda: os.path.getsize(path) >= _MIB)
    checkpointer.close()
    connection.close()


def test_close_checkpoints_what_is_pending_and_stops_the_thread_until_the_next_commit(tmp_path):
    path = tmp_path / "db.sqlite"
    connection = _wal_database(path)
    checkpointer = Checkpointer(str(path), every=1000, linger=60.0)
    connection.execute("INSERT INTO blobs VALUES (zeroblob(1048576))")
    checkpointer.committed()
    thread = checkpointer._thread
    checkpointer.close()
    assert not thread.is_alive()
    assert os.path.getsize(path) >= _MIB
    connection.execute("INSERT INTO blobs VALUES (zeroblob(1048576))")  # a disposed store used again
    checkpointer.committed()
    assert checkpointer._thread is not None and checkpointer._thread.is_alive()
    checkpointer.close()
    assert os.path.getsize(path) >= 2 * _MIB
    connection.close()


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
