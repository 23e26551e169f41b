"""store/lazy.py CoreSession: a store transaction (read or write) runs on a Core connection, on SQLite first on the
driver alone; an ORM session, made only when the work needs one, joins that transaction; the store commits it, then
marks the changes and runs ``on_commit`` actions."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, event, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from rootplane.store.changes import TableCache
from rootplane.store.engine import Store, on_commit
from rootplane.store.lazy import statements
from rootplane.store.prepared import PreparedStatement
from rootplane.store.rows import insert_values


class _Base(DeclarativeBase):
    metadata = MetaData()


class Item(_Base):
    __tablename__ = "write_test_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[str] = mapped_column(String)


OTHERS = Table("write_test_others", _Base.metadata, Column("id", Integer, primary_key=True))


@pytest.fixture
def store(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/write.db", _Base.metadata)
    _Base.metadata.create_all(store.engine)
    yield store
    store.dispose()


def _values(store) -> list[str]:
    with store.transaction(write=False) as session:
        return list(session.scalars(select(Item.value).order_by(Item.id)))


def test_statements_on_the_connection_need_no_orm_session_and_commit_with_the_block(store):
    with store.transaction() as session:
        insert_values(session, Item, {"id": 1, "value": "a"})
        assert session._session is None  # the Core connection did all of it
    assert _values(store) == ["a"]


def test_an_orm_session_made_later_joins_the_same_transaction(store):
    with store.transaction() as session:
        insert_values(session, Item, {"id": 1, "value": "a"})
        session.add(Item(id=2, value="b"))  # makes the ORM session, on the transaction's connection
        assert session.scalar(select(Item.value).where(Item.id == 1)) == "a"  # sees the uncommitted insert
        with session.begin_nested():
            session.add(Item(id=3, value="c"))
    assert _values(store) == ["a", "b", "c"]  # pending ORM changes flushed by the store's commit
    with pytest.raises(KeyError):
        with store.transaction() as session:
            insert_values(session, Item, {"id": 4, "value": "d"})
            session.add(Item(id=5, value="e"))
            session.flush()
            raise KeyError("boom")
    assert _values(store) == ["a", "b", "c"]  # both kinds of writes rolled back together


def test_a_refused_savepoint_leaves_the_rest_of_the_transaction(store):
    with store.transaction() as session:
        session.add(Item(id=1, value="a"))
        with pytest.raises(IntegrityError):
            with session.begin_nested():
                session.add(Item(id=1, value="again"))
                session.flush()
        insert_values(session, Item, {"id": 2, "value": "b"})
    assert _values(store) == ["a", "b"]


def test_changes_are_marked_and_on_commit_actions_run_after_the_commit_only(store):
    cache: TableCache[list[str]] = TableCache([Item.__tablename__])
    ran: list[str] = []
    with store.transaction(write=False) as session:
        assert cache.get(session, "all", lambda s: list(s.scalars(select(Item.value)))) == []
    with store.transaction() as session:
        insert_values(session, Item, {"id": 1, "value": "a"})
        on_commit(session, lambda: ran.append(str(_values(store))))  # another connection: sees the commit
        assert ran == []
    assert ran == ["['a']"]
    with store.transaction(write=False) as session:
        assert cache.get(session, "all", lambda s: list(s.scalars(select(Item.value)))) == ["a"]  # reloaded
    with pytest.raises(KeyError):
        with store.transaction() as session:
            session.add(Item(id=2, value="b"))
            on_commit(session, lambda: ran.append("rolled back"))
            raise KeyError("boom")
    assert ran == ["['a']"]


@pytest.mark.parametrize("write", [True, False])
def test_on_commit_actions_of_a_rolled_back_savepoint_are_dropped_with_it(store, write):
    """An SNS delivery registered by a consumer whose savepoint rolled back must not go out (review finding)."""
    ran: list[str] = []
    with store.transaction(write=write) as session:
        on_commit(session, lambda: ran.append("before"))
        with pytest.raises(KeyError):
            with session.begin_nested():
                on_commit(session, lambda: ran.append("outer savepoint"))
                with session.begin_nested():
                    on_commit(session, lambda: ran.append("inner savepoint"))
                raise KeyError("the consumer failed")
        with session.begin_nested():
            on_commit(session, lambda: ran.append("kept savepoint"))
            with pytest.raises(KeyError):
                with session.begin_nested():
                    on_commit(session, lambda: ran.append("refused inner"))
                    raise KeyError("refused")
        on_commit(session, lambda: ran.append("after"))
    assert ran == ["before", "kept savepoint", "after"]


def test_plain_sql_writes_named_are_published_inside_the_transaction_and_marked_after_it(store):
    """The bootstrap's plain-SQL writes reach the other servers' caches (review finding: they sent no NOTIFY)."""
    cache: TableCache[list[str]] = TableCache([Item.__tablename__])
    published: list[tuple[frozenset[str], bool]] = []
    store.changes.publishers.append(lambda executor, tables: published.append((tables, executor.in_transaction())))
    with store.transaction(write=False) as session:
        assert cache.get(session, "all", lambda s: list(s.scalars(select(Item.value)))) == []
    with store.connection(writes=[Item.__tablename__, OTHERS.name]) as connection:
        connection.execute(insert(Item.__table__).values(id=1, value="a"))
        assert published == []
    assert published == [(frozenset({Item.__tablename__}), True)]  # only the watched table; before the commit
    with store.transaction(write=False) as session:
        assert cache.get(session, "all", lambda s: list(s.scalars(select(Item.value)))) == ["a"]  # reloaded
    with pytest.raises(KeyError):
        with store.connection(writes=[Item.__tablename__]) as connection:
            connection.execute(insert(Item.__table__).values(id=2, value="b"))
            raise KeyError("boom")
    assert len(published) == 1  # a rolled-back transaction publishes nothing


def test_only_a_transaction_that_began_counts_as_a_commit(store):
    before = store.group_commit.commits_here()
    with store.transaction() as session:
        session.info["noted"] = True  # no statement: no connection, no transaction
    assert store.group_commit.commits_here() == before
    with store.transaction() as session:
        session.execute(insert(OTHERS).values(id=1))
    assert store.group_commit.commits_here() == before + 1


def test_consecutive_transactions_reuse_the_connection_used_last(store):
    """LIFO pooling: the connection keeps its page cache (SQLite drops it only when another connection wrote)."""
    used: list[int] = []
    event.listen(store.engine.pool, "checkout", lambda dbapi_connection, *_: used.append(id(dbapi_connection)))
    with store.transaction() as session, store.transaction(write=False) as other:  # two connections in the pool
        session.execute(insert(OTHERS).values(id=1))
        other.scalar(select(Item.value))
    for index in range(3):
        with store.transaction() as session:
            session.execute(insert(OTHERS).values(id=index + 2))
    assert len(set(used[2:])) == 1


def test_hot_statements_run_on_the_driver_without_a_sqlalchemy_connection(store):
    connected: list[object] = []
    event.listen(store.engine, "engine_connect", connected.append)
    before = store.group_commit.commits_here()
    with store.transaction() as session:
        insert_values(session, Item, {"id": 1, "value": "a"})
        assert session._connection is None and session._session is None
    with pytest.raises(KeyError), store.transaction() as session:
        insert_values(session, Item, {"id": 2, "value": "b"})
        raise KeyError("boom")
    assert connected == []
    assert store.group_commit.commits_here() == before + 1  # the commit counted for the group commit as any write
    assert _values(store) == ["a"]


def test_a_connection_needed_later_adopts_the_driver_transaction(store):
    with store.transaction() as session:
        insert_values(session, Item, {"id": 1, "value": "a"})
        session.add(Item(id=2, value="b"))  # an ORM session: a SQLAlchemy connection on the same transaction
        assert session.scalar(select(Item.value).where(Item.id == 1)) == "a"
    assert _values(store) == ["a", "b"]
    with pytest.raises(KeyError), store.transaction() as session:
        insert_values(session, Item, {"id": 3, "value": "c"})
        session.execute(insert(OTHERS).values(id=1))
        raise KeyError("boom")
    assert _values(store) == ["a", "b"]  # both rolled back together
    with pytest.raises(KeyError), store.transaction() as session:  # the same pooled connection, begun afresh
        session.execute(insert(OTHERS).values(id=2))
        raise KeyError("boom")
    with store.transaction(write=False) as session:
        assert session.scalars(select(OTHERS.c.id)).all() == []


def test_a_driver_error_in_a_driver_transaction_is_sqlalchemys_and_rolls_back(store):
    with store.transaction() as session:
        insert_values(session, Item, {"id": 1, "value": "a"})
    with pytest.raises(IntegrityError), store.transaction() as session:
        insert_values(session, Item, {"id": 2, "value": "b"})
        insert_values(session, Item, {"id": 1, "value": "again"})
    assert _values(store) == ["a"]
    with store.transaction() as session:  # the writer's turn was given back
        insert_values(session, Item, {"id": 2, "value": "b"})
    assert _values(store) == ["a", "b"]


def test_a_read_runs_on_the_driver_and_never_counts_as_a_commit(store):
    """Reads made of prepared statements (ListAccessKeys, GetAccountSummary) skip SQLAlchemy's connection and the
    ORM, and their answers never wait for the group commit's fsync."""
    with store.transaction() as session:
        insert_values(session, Item, {"id": 1, "value": "a"})
    connected: list[object] = []
    event.listen(store.engine, "engine_connect", connected.append)
    value = PreparedStatement(select(Item.value).where(Item.id == 1))
    before = store.group_commit.commits_here()
    with store.transaction(write=False) as session:
        assert value.first(statements(session), {}) == ("a",)
        assert session._connection is None and session._session is None
    with store.transaction(write=False) as session:
        assert value.first(statements(session), {}) == ("a",)
        assert session.scalar(select(Item.value).where(Item.id == 1)) == "a"  # the ORM adopts the transaction
    assert len(connected) == 1  # only the second read needed a SQLAlchemy connection
    assert store.group_commit.commits_here() == before


def test_asking_what_the_session_holds_makes_no_session(store):
    """S3's version writes check the objects the session holds; before there is an ORM session that must not make
    one (and a SQLAlchemy connection with it: a PutObject's transaction would leave the driver)."""
    with store.transaction() as session:
        insert_values(session, Item, {"id": 1, "value": "a"})
        assert not session.identity_map and session._session is None and session._connection is None
        held = session.get(Item, 1)
        assert list(session.identity_map.values()) == [held]
