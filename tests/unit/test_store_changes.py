"""store/changes.py: a TableCache entry is served only while no commit wrote its tables since the transaction that
loaded it began; a session's own writes read past the cache; rollbacks invalidate nothing."""

from __future__ import annotations

import time

import pytest
from harness import sqlite_store
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from rootplane.store.changes import TableCache

METADATA = MetaData()
SETTINGS = Table("changes_test_settings", METADATA, Column("id", Integer, primary_key=True), Column("value", String))
OTHER = Table("changes_test_other", METADATA, Column("id", Integer, primary_key=True))


@pytest.fixture
def store(tmp_path):
    with sqlite_store(tmp_path, METADATA) as store:
        yield store


@pytest.fixture
def cache():
    return TableCache([SETTINGS.name])


def _values(session) -> tuple[str, ...]:
    return tuple(session.scalars(select(SETTINGS.c.value).order_by(SETTINGS.c.id)))


def _read(store, cache, loads: list) -> tuple[str, ...]:
    def load(session):
        loads.append(1)
        return _values(session)

    with store.transaction(write=False) as session:
        return cache.get(session, "key", load)


def _write(store, table, **values) -> None:
    with store.transaction() as session:
        session.execute(insert(table).values(**values))


def test_a_value_is_loaded_once_and_dropped_by_a_commit_writing_its_table(store, cache):
    loads: list = []
    assert _read(store, cache, loads) == () and _read(store, cache, loads) == ()
    assert len(loads) == 1
    _write(store, OTHER, id=1)  # another table: the entry stays
    assert _read(store, cache, loads) == () and len(loads) == 1
    _write(store, SETTINGS, id=1, value="a")
    assert _read(store, cache, loads) == ("a",) and len(loads) == 2


def test_a_load_from_a_transaction_older_than_a_commit_is_not_kept(store, cache):
    loads: list = []
    with store.transaction(write=False) as session:
        _values(session)  # its snapshot starts here
        _write(store, SETTINGS, id=1, value="a")  # committed after
        assert cache.get(session, "key", lambda s: (loads.append(1), _values(s))[1]) == ()
    assert _read(store, cache, loads) == ("a",) and len(loads) == 2


def test_a_session_that_wrote_the_table_reads_past_the_cache_and_keeps_nothing(store, cache):
    loads: list = []
    assert _read(store, cache, loads) == ()
    with pytest.raises(LookupError), store.transaction() as session:
        session.execute(insert(SETTINGS).values(id=1, value="mine"))
        assert cache.get(session, "key", _values) == ("mine",)
        raise LookupError("roll back")
    assert _read(store, cache, loads) == () and len(loads) == 1  # rolled back: the entry stands


def test_forget_and_the_ttl_drop_entries(store, cache):
    loads: list = []
    store.changes.ttl = 0.2
    _read(store, cache, loads)
    store.changes.forget()
    _read(store, cache, loads)
    assert len(loads) == 2
    time.sleep(0.3)
    _read(store, cache, loads)
    assert len(loads) == 3


def test_a_process_with_two_stores_never_answers_one_with_the_other_s_entry(tmp_path, cache):
    """In-process servers and tests run several stores in one process: an entry is its own store's (a key cached
    from one store answered the other's calls within the ttl: the organization of another test's store)."""
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    with sqlite_store(tmp_path / "first", METADATA) as first, sqlite_store(tmp_path / "second", METADATA) as second:
        _write(first, SETTINGS, id=1, value="first")
        _write(second, SETTINGS, id=1, value="second")
        loads: list = []
        assert _read(first, cache, loads) == ("first",)
        assert _read(second, cache, loads) == ("second",)
        assert _read(first, cache, loads) == ("first",) and len(loads) == 3
