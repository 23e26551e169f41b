"""store/driver.py: a statement run on the SQLite driver itself is part of the store transaction (committed or rolled
back with it), raises the driver's errors as SQLAlchemy's, and skips the engine's per-statement execution context;
which errors mean a lost race (store/errors.py)."""

from __future__ import annotations

import pytest
from harness import sqlite_store
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, delete, event, select
from sqlalchemy.exc import IntegrityError, InvalidRequestError, OperationalError, SAWarning
from sqlalchemy.orm import DeclarativeBase, Session

from rootplane.store.driver import execute
from rootplane.store.engine import StoreUnavailable, is_outage
from rootplane.store.errors import is_lost_race, refuse_stale_deletes

METADATA = MetaData()
ITEMS = Table("driver_test_items", METADATA, Column("id", Integer, primary_key=True), Column("name", String))
INSERT = "INSERT INTO driver_test_items (id, name) VALUES (?, ?)"


@pytest.fixture
def store(tmp_path):
    with sqlite_store(tmp_path, METADATA) as store:
        yield store


def _names(store) -> list[str]:
    with store.transaction(write=False) as session:
        return list(session.scalars(select(ITEMS.c.name).order_by(ITEMS.c.id)))


def test_statements_commit_and_roll_back_with_the_transaction(store):
    with store.transaction() as session:
        execute(session.connection(), INSERT, (1, "a"))
        assert execute(session.connection(), "SELECT name FROM driver_test_items", ()).fetchall() == [("a",)]
    with pytest.raises(KeyError), store.transaction() as session:
        execute(session.connection(), INSERT, (2, "b"))
        raise KeyError
    assert _names(store) == ["a"]


def test_driver_errors_are_raised_as_sqlalchemy_raises_them(store):
    with pytest.raises(IntegrityError) as refused, store.transaction() as session:
        execute(session.connection(), INSERT, (1, "a"))
        execute(session.connection(), INSERT, (1, "b"))
    assert "UNIQUE" in str(refused.value.orig) and refused.value.statement == INSERT
    assert is_lost_race(refused.value) and not is_outage(refused.value)
    with pytest.raises(StoreUnavailable) as failed, store.transaction() as session:
        execute(session.connection(), "SELECT * FROM no_such_table", ())
    assert isinstance(failed.value.__cause__, OperationalError) and not is_outage(failed.value)
    assert not is_lost_race(failed.value) and not is_lost_race(failed.value.__cause__)
    assert _names(store) == []


def test_no_execution_context_is_made(store):
    seen: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    with store.transaction() as session:
        execute(session.connection(), INSERT, (1, "a"))
    assert seen == [] and _names(store) == ["a"]


@pytest.mark.parametrize("where", ["driver", "connection"])
def test_a_statement_after_the_transaction_ended_is_refused_not_committed_alone(store, where):
    """Review finding: with the transaction rolled back under it (a caught flush error, SQLite's own rollback on a
    full disk), a statement on the driver ran in autocommit mode and its row stayed though the request failed."""
    with pytest.raises(InvalidRequestError), store.transaction() as session:
        target = session.statements() if where == "driver" else session.connection()
        driver = target.driver if where == "driver" else target.connection.driver_connection
        driver.execute("ROLLBACK")
        execute(target, INSERT, (1, "a"))
    assert _names(store) == []


def test_a_delete_of_a_row_deleted_meanwhile_is_a_lost_race():
    """The ORM only warns when a DELETE of a row it had loaded matches none (another PostgreSQL worker deleted it:
    both requests answered success); ``refuse_stale_deletes`` makes that an error ``is_lost_race`` knows."""

    class Base(DeclarativeBase):
        pass

    class Item(Base):
        __table__ = ITEMS

    engine = create_engine("sqlite://")
    METADATA.create_all(engine)
    refuse_stale_deletes()
    with Session(engine) as session:
        session.add(Item(id=1, name="a"))
        session.flush()
        item = session.get(Item, 1)
        session.execute(delete(ITEMS))  # as if another process deleted it after this one read it
        session.delete(item)
        with pytest.raises(SAWarning) as stale:
            session.flush()
    assert is_lost_race(stale.value)
    assert not is_lost_race(SAWarning("Some other warning"))
