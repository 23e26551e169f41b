"""store/lazy.py: a read transaction makes its ORM session (and opens a connection) only when something needs it,
so a read answered from a TableCache costs neither; once made, the session shares the transaction's ``info`` and
is committed (or rolled back on an error) and closed like any other."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, event, insert, select

from rootplane.store.changes import TableCache
from rootplane.store.engine import Store, StoreUnavailable

METADATA = MetaData()
ITEMS = Table("lazy_test_items", METADATA, Column("id", Integer, primary_key=True), Column("value", String))


@pytest.fixture
def store(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/lazy.db", METADATA)
    METADATA.create_all(store.engine)
    with store.transaction() as session:
        session.execute(insert(ITEMS).values(id=1, value="a"))
    yield store
    store.dispose()


def _checkouts(store) -> list:
    taken: list = []
    event.listen(store.engine.pool, "checkout", lambda *_: taken.append(1))
    return taken


def test_a_read_answered_from_a_cache_makes_no_session_and_takes_no_connection(store):
    cache: TableCache[str] = TableCache([ITEMS.name])
    load = lambda session: session.scalar(select(ITEMS.c.value))  # noqa: E731
    with store.transaction(write=False) as session:
        assert cache.get(session, "k", load) == "a"  # loaded: the session is made here
    taken = _checkouts(store)
    with store.transaction(write=False) as session:
        assert cache.get(session, "k", load) == "a"
        assert session._session is None
    assert taken == []


def test_the_made_session_shares_info_and_its_transaction_ends_with_the_block(store):
    with store.transaction(write=False) as session:
        session.info["noted"] = 1
        assert session.scalar(select(ITEMS.c.value)) == "a"
        real = session.real()
        assert real.info is session.info and real.in_transaction()
    assert not real.in_transaction()


def test_an_error_in_a_read_rolls_back_and_a_database_error_is_store_unavailable(store):
    with pytest.raises(KeyError):
        with store.transaction(write=False) as session:
            session.scalar(select(ITEMS.c.value))
            real = session.real()
            raise KeyError("boom")
    assert not real.in_transaction()
    with pytest.raises(StoreUnavailable):
        with store.transaction(write=False) as session:
            session.execute(select(Column("missing")).select_from(ITEMS))
