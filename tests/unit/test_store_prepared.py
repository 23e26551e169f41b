"""store/prepared.py: a statement compiled once per dialect answers as Core's execution of the same statement does
(named parameters, literal values such as LIMIT 1, bind processing of datetimes), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as _dt

import pytest
from harness import drop_postgres_database, required_postgres_database
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, func, insert, select

from rootplane.store.base import UtcDateTime
from rootplane.store.engine import Store
from rootplane.store.prepared import PreparedStatement

METADATA = MetaData()
ITEMS = Table("prepared_test_items", METADATA, Column("id", Integer, primary_key=True), Column("owner", String),
              Column("at", UtcDateTime))
AT = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}" if request.param == "sqlite" else required_postgres_database()
    store = Store(url, METADATA)
    METADATA.create_all(store.engine)
    with store.transaction() as session:
        session.execute(insert(ITEMS), [{"id": n, "owner": "a" if n < 4 else "b", "at": AT + _dt.timedelta(days=n)}
                                        for n in range(1, 6)])
    yield store
    store.dispose()
    if request.param == "postgresql":
        drop_postgres_database(url)


def test_a_prepared_select_answers_as_core_does(store):
    first_after = (select(ITEMS.c.id).where(ITEMS.c.owner == bindparam("owner"), ITEMS.c.at > bindparam("after"))
                   .order_by(ITEMS.c.id).limit(1).offset(bindparam("skip", type_=Integer)))
    statement = select(first_after.scalar_subquery(), select(func.count()).select_from(ITEMS)
                       .where(ITEMS.c.owner == bindparam("owner")).scalar_subquery())
    prepared = PreparedStatement(statement)
    with store.transaction() as session:
        connection = session.connection()
        for owner, after, skip in (("a", AT, 0), ("a", AT + _dt.timedelta(days=1), 1), ("b", AT, 0), ("c", AT, 0)):
            params = {"owner": owner, "after": after, "skip": skip}
            assert prepared.one(connection, params) == tuple(connection.execute(statement, params).one())
        assert prepared.one(connection, {"owner": "a", "after": AT, "skip": 1}) == (2, 3)


def test_a_statement_rendered_at_execution_time_is_refused(store):
    prepared = PreparedStatement(select(ITEMS.c.id).where(ITEMS.c.owner.in_(bindparam("owners", expanding=True))))
    with store.transaction() as session:
        with pytest.raises(ValueError):
            prepared.one(session.connection(), {"owners": ["a"]})


def test_a_prepared_write_changes_what_core_then_reads(store):
    from sqlalchemy import delete, update

    rename = PreparedStatement(update(ITEMS).where(ITEMS.c.owner == bindparam("owner")).values(owner=bindparam("to")))
    remove = PreparedStatement(delete(ITEMS).where(ITEMS.c.at > bindparam("after")))
    newest = PreparedStatement(select(ITEMS.c.id).where(ITEMS.c.owner == bindparam("owner")).order_by(ITEMS.c.id.desc())
                               .limit(1))
    with store.transaction() as session:
        connection = session.connection()
        rename.run(connection, {"owner": "b", "to": "c"})
        remove.run(connection, {"after": AT + _dt.timedelta(days=4)})
        assert newest.first(connection, {"owner": "c"}) == (4,)
        assert newest.first(connection, {"owner": "b"}) is None
        assert [tuple(row) for row in connection.execute(select(ITEMS.c.id, ITEMS.c.owner).order_by(ITEMS.c.id))] == [
            (1, "a"), (2, "a"), (3, "a"), (4, "c")]


def test_typed_first_converts_as_the_orm_reads(store):
    prepared = PreparedStatement(select(ITEMS.c.at, ITEMS.c.owner).where(ITEMS.c.id == bindparam("id")))
    with store.transaction() as session:
        connection = session.connection()
        assert prepared.typed_first(connection, {"id": 2}) == (AT + _dt.timedelta(days=2), "a")
        assert prepared.typed_first(connection, {"id": 99}) is None


def test_typed_all_converts_every_row_and_takes_a_bound_limit(store):
    prepared = PreparedStatement(select(ITEMS.c.id, ITEMS.c.at).where(ITEMS.c.owner == bindparam("owner"))
                                 .order_by(ITEMS.c.id).limit(bindparam("limit", type_=Integer)))
    with store.transaction() as session:
        connection = session.connection()
        assert prepared.typed_all(connection, {"owner": "a", "limit": 2}) == [
            (1, AT + _dt.timedelta(days=1)), (2, AT + _dt.timedelta(days=2))]
        assert prepared.typed_all(connection, {"owner": "c", "limit": 2}) == []
