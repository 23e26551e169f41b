"""Plain SQL on a SQLite store's own driver connections (store/plain_sql.py, ``Store.plain``): what a server needs
for its first answer runs without SQLAlchemy (issue #19), with the same transactions, write lock, durability and
failures as the engine's."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import make_url

from rootplane.store.engine import Store, StoreUnavailable, sqlite_file
from rootplane.store.plain_sql import DriverSql, EngineSql


def _store(tmp_path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    with store.plain() as sql:
        sql.run("CREATE TABLE things (name TEXT PRIMARY KEY, at TEXT)", {})
    return store


@pytest.mark.parametrize("url", [
    "sqlite:///relative.db", "sqlite:////absolute/path/store.db", "sqlite+pysqlite:////data/store.db",
    "sqlite://", "sqlite:///:memory:", "sqlite:///file:shared?mode=memory&uri=true", "sqlite:///with%20space.db",
    "sqlite:///store.db?timeout=5", "postgresql+psycopg://postgres@127.0.0.1:5432/test",
])
def test_a_sqlite_file_is_recognized_as_sqlalchemy_reads_its_url(url):
    expected = make_url(url).database if make_url(url).get_backend_name() == "sqlite" else None
    if expected in ("", ":memory:") or (expected or "").startswith("file:"):
        expected = None
    assert sqlite_file(url) == expected


def test_a_store_on_a_file_opens_migrates_and_answers_plain_sql_without_an_engine(tmp_path):
    store = _store(tmp_path)
    with store.plain() as sql:
        assert isinstance(sql, DriverSql)
        sql.run("INSERT INTO things VALUES (:name, :at)", {"name": "a", "at": None})
    assert store.read_scalar("SELECT count(*) FROM things") == 1
    assert store.ping() is None
    assert store._engine is None  # nothing so far needed SQLAlchemy's engine
    with store.engine.connect() as connection:  # the engine sees the same rows
        assert connection.exec_driver_sql("SELECT name FROM things").scalar() == "a"
    store.dispose()


def test_a_plain_write_is_committed_as_a_transactions_write(tmp_path):
    """Counted for group commit (its answer waits for the fsync) and the checkpointer; the tables it names are marked
    changed for the process's caches."""
    store = _store(tmp_path)
    before, sequence = store.group_commit.commits_here(), store.changes.sequence
    with store.plain(writes=("accounts",)) as sql:
        sql.run("INSERT INTO things VALUES ('b', NULL)", {})
    assert store.group_commit.commits_here() == before + 1
    with store.plain(write=False) as sql:
        assert sql.first("SELECT name FROM things", {}) == ("b",)
    assert store.group_commit.commits_here() == before + 1  # a read commits nothing
    assert store.changes.sequence >= sequence
    store.durable()
    store.dispose()


def test_a_failed_plain_unit_of_work_is_rolled_back_and_its_connection_reused(tmp_path):
    store = _store(tmp_path)
    with pytest.raises(RuntimeError):
        with store.plain() as sql:
            sql.run("INSERT INTO things VALUES ('c', NULL)", {})
            raise RuntimeError("the work failed")
    with pytest.raises(StoreUnavailable) as failure:  # the driver's error, as the engine's would be
        with store.plain(write=False) as sql:
            sql.first("SELECT * FROM missing", {})
    assert not failure.value.outage  # the statement is wrong: retrying will not help
    assert store.read_scalar("SELECT count(*) FROM things") == 0
    store.dispose()


def test_plain_writers_take_the_stores_write_lock_in_turn_with_the_engines(tmp_path):
    store = _store(tmp_path)
    order: list[str] = []
    inside = threading.Event()

    def engine_writer() -> None:
        with store.transaction() as session:
            session.connection().exec_driver_sql("INSERT INTO things VALUES ('engine', NULL)")
            inside.set()
            time.sleep(0.3)
            order.append("engine")

    thread = threading.Thread(target=engine_writer)
    thread.start()
    inside.wait(5)
    with store.plain() as sql:  # waits for the engine's transaction (no SQLITE_BUSY)
        order.append("plain")
        sql.run("INSERT INTO things VALUES ('plain', NULL)", {})
    thread.join()
    assert order == ["engine", "plain"]
    assert store.read_scalar("SELECT count(*) FROM things") == 2
    store.dispose()


def test_a_store_in_memory_runs_plain_sql_on_its_engine():
    store = Store("sqlite://")
    with store.plain() as sql:
        assert isinstance(sql, EngineSql)
        sql.run("CREATE TABLE things (name TEXT)", {})
        sql.run("INSERT INTO things VALUES ('m')", {})
        assert sql.first("SELECT name FROM things", {}) == ("m",)
    store.dispose()


def test_a_database_that_cannot_be_opened_is_unavailable(tmp_path):
    """As the engine's would: the key lookup then answers 503, not a 500 with a traceback."""
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    (tmp_path / "store.db").unlink()
    (tmp_path / "store.db").mkdir()  # what stands where the database was cannot be opened as one
    with pytest.raises(StoreUnavailable) as failure:
        with store.plain(write=False) as sql:
            sql.first("SELECT 1", {})
    assert failure.value.outage
    assert store.ping() is not None
    store.dispose()
