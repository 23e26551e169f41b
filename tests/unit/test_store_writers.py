"""store/writers.py: a process's SQLite writers take turns on a lock held from BEGIN IMMEDIATE to the end of the
transaction, so the next writer starts when the previous one ends instead of polling in SQLite's busy handler."""

from __future__ import annotations

import threading
import time

import pytest
from harness import sqlite_store
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text

from rootplane.store.writers import writer_lock

METADATA = MetaData()
ITEMS = Table("writers_test_items", METADATA, Column("id", Integer, primary_key=True))


@pytest.fixture
def store(tmp_path):
    with sqlite_store(tmp_path, METADATA) as store:
        yield store


def _lock(store):
    return writer_lock(str(store.engine.url.database), 10)


def _free(store) -> bool:
    """Whether no writer holds the turn now (taken and given back at once when free)."""
    lock = _lock(store)._lock
    if not lock.acquire(blocking=False):
        return False
    lock.release()
    return True


def test_a_write_transaction_holds_the_turn_until_it_commits_and_a_read_never_takes_it(store):
    with store.transaction(write=False) as session:
        session.execute(select(ITEMS.c.id)).all()
        assert _free(store)
    with store.transaction() as session:
        session.execute(insert(ITEMS).values(id=1))
        assert not _free(store)
    assert _free(store)


def test_a_failed_transaction_and_a_closed_connection_give_the_turn_back(store):
    with pytest.raises(RuntimeError), store.transaction() as session:
        session.execute(insert(ITEMS).values(id=1))
        raise RuntimeError("handler failed")
    assert _free(store)
    connection = store.engine.connect()
    connection.execute(text("SELECT 1"))  # write intent by default: BEGIN IMMEDIATE
    assert not _free(store)
    connection.invalidate()  # the driver connection is closed without COMMIT or ROLLBACK
    assert _free(store)


def test_a_waiting_writer_starts_when_the_holder_commits(store):
    holding, waited = threading.Event(), []

    def holder() -> None:
        with store.transaction() as session:
            session.execute(insert(ITEMS).values(id=1))
            holding.set()
            time.sleep(0.24)

    thread = threading.Thread(target=holder)
    thread.start()
    holding.wait()
    started = time.monotonic()
    with store.transaction() as session:  # its first statement waits on the lock, not in SQLite's busy handler
        assert session.execute(select(ITEMS.c.id)).scalars().all() == [1]
        waited.append(time.monotonic() - started)
        session.execute(insert(ITEMS).values(id=2))
    thread.join()
    # SQLite's busy handler polls after 1, 3, 8, 18, 33, 53, 78, 103, 128, 178, 228, 278 ms: it would start at 0.278 s
    assert 0.2 <= waited[0] < 0.27
    with store.transaction(write=False) as session:
        assert session.execute(select(ITEMS.c.id)).scalars().all() == [1, 2]
