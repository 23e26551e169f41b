"""Group commit on SQLite: commits wait for an fsync of the WAL, many commits share one, a failed fsync is reported."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest
from sqlalchemy import text

from rootplane.store.engine import Store, sqlite_url


@pytest.fixture()
def store(tmp_path):
    store = Store(sqlite_url(tmp_path))
    with store.transaction() as session:
        session.execute(text("CREATE TABLE t (n INTEGER)"))
    yield store
    store.dispose()


def _write(store: Store, value: int) -> None:
    with store.transaction() as session:
        session.execute(text("INSERT INTO t VALUES (:n)"), {"n": value})


def _counted_fsyncs(monkeypatch) -> list:
    """Every fsync from now on, counted (and done)."""
    calls: list = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(fd), real_fsync(fd)))
    return calls


def _write_concurrently(store: Store, values) -> None:
    """One task per value on one event loop, each writing its value and awaiting its fsync (their first steps all
    run in the same loop step)."""
    async def writers() -> None:
        async def one(value: int) -> None:
            _write(store, value)
            await store.group_commit.synced()
        await asyncio.gather(*(one(value) for value in values))

    asyncio.run(writers())


def test_only_writing_transactions_count_as_commits_of_their_thread(store):
    before = store.group_commit.commits_here()
    with store.transaction(write=False) as session:
        session.execute(text("SELECT count(*) FROM t"))
    assert store.group_commit.commits_here() == before
    _write(store, 1)
    assert store.group_commit.commits_here() == before + 1
    seen = []
    thread = threading.Thread(target=lambda: seen.append(store.group_commit.commits_here()))
    thread.start()
    thread.join()
    assert seen == [0]


def test_waiters_share_fsyncs_and_return_once_synced(store, monkeypatch):
    calls = _counted_fsyncs(monkeypatch)
    _write_concurrently(store, range(50))
    assert 1 <= len(calls) < 50
    store.durable()  # nothing new: returns at once
    with store.transaction(write=False) as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar() == 50


def test_the_commits_of_one_event_loop_step_share_one_fsync(store, monkeypatch):
    """The syncer is woken at the loop's next step: requests handled in the same step wait for the same fsync."""
    _write(store, 0)
    store.durable()  # the first fsync also syncs the directory
    calls = _counted_fsyncs(monkeypatch)
    _write_concurrently(store, range(1, 11))
    assert len(calls) == 1


def test_a_failed_fsync_is_raised_to_the_waiter(store, monkeypatch):
    def failing(fd):
        raise OSError(28, "No space left on device")

    _write(store, 1)
    monkeypatch.setattr(os, "fsync", failing)
    with pytest.raises(OSError):
        store.durable()
    monkeypatch.undo()
    store.durable()  # a later fsync that works makes the commit durable


def test_sync_soon_makes_earlier_commits_durable_without_a_waiter(store, monkeypatch):
    """Start-up's own writes (server.py) are synced while the first request runs: that request then waits for its
    own commit only."""
    synced = threading.Event()
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (real_fsync(fd), synced.set()))
    _write(store, 1)
    store.group_commit.sync_soon()
    assert synced.wait(10)
    store.group_commit.wait()  # nothing left to sync: returns at once
    assert not store.group_commit._enqueue(lambda _error: None)  # already synced
