"""Group commit on SQLite: commits wait for an fsync of the WAL, many commits share one, a failed fsync is reported."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest
from sqlalchemy import text

from rootplane.store import group_commit
from rootplane.store.engine import Store, sqlite_url


@pytest.fixture()
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(group_commit, "_SLOW_FSYNC", float("inf"))  # the loop fsyncs itself, whatever this disk's speed
    store = Store(sqlite_url(tmp_path))
    with store.transaction() as session:
        session.execute(text("CREATE TABLE t (n INTEGER)"))
    yield store
    store.dispose()


def _write(store: Store, value: int) -> None:
    with store.transaction() as session:
        session.execute(text("INSERT INTO t VALUES (:n)"), {"n": value})


def _counted_fsyncs(monkeypatch) -> list:
    """Every fsync from now on, counted (and done): the thread that ran each."""
    calls: list = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(threading.current_thread()), real_fsync(fd)))
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


def test_the_commits_of_one_event_loop_step_share_one_fsync_made_on_the_loop(store, monkeypatch):
    """Requests handled in the same step wait for the same fsync, which the event loop's own thread makes (no
    hand-over to the syncer thread and back)."""
    _write(store, 0)
    store.durable()  # the first fsync also syncs the directory
    calls = _counted_fsyncs(monkeypatch)
    _write_concurrently(store, range(1, 11))
    assert calls == [threading.current_thread()]


def test_commits_made_in_the_loops_next_polls_join_the_group(store, monkeypatch):
    """The group gathers while the loop's next polls bring more commits: writers that commit one and two steps
    after the first share its fsync (issue #19: 3.9 commits per fsync under a CreateUser load of 4 clients instead
    of 1.2)."""
    _write(store, 0)
    store.durable()
    calls = _counted_fsyncs(monkeypatch)

    async def writers() -> None:
        async def one(value: int, steps_later: int) -> None:
            for _ in range(steps_later):
                await asyncio.sleep(0)
            _write(store, value)
            await store.group_commit.synced()
        await asyncio.gather(one(1, 0), one(2, 1), one(3, 2))

    asyncio.run(writers())
    assert len(calls) == 1
    assert store.read_scalar("SELECT count(*) FROM t") == 4


def test_a_slow_disk_moves_the_loops_fsyncs_to_the_syncer_thread(store, monkeypatch):
    """fsyncs slower than _SLOW_FSYNC on average would hold up every request on the loop meanwhile."""
    monkeypatch.setattr(group_commit, "_SLOW_FSYNC", 0.0)  # any fsync counts as slow
    _write(store, 0)
    store.durable()  # an fsync timed
    calls = _counted_fsyncs(monkeypatch)
    _write_concurrently(store, range(1, 5))
    assert calls and threading.current_thread() not in calls
    assert store.read_scalar("SELECT count(*) FROM t") == 5


def test_a_failed_fsync_on_the_loop_is_raised_to_every_waiter_of_its_group(store, monkeypatch):
    def failing(fd):
        raise OSError(28, "No space left on device")

    _write(store, 0)
    store.durable()
    monkeypatch.setattr(os, "fsync", failing)
    failures = []

    async def writers() -> None:
        async def one(value: int) -> None:
            _write(store, value)
            try:
                await store.group_commit.synced()
            except OSError as error:
                failures.append(error.errno)
        await asyncio.gather(*(one(value) for value in range(1, 4)))

    asyncio.run(writers())
    assert failures == [28, 28, 28]
    monkeypatch.undo()
    store.durable()  # a later fsync that works makes the commits durable


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
