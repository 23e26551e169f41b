"""store/rows.py: insert_values writes a row's values inside the session's transaction without the unit of work: column
defaults as a flush gives them, constraint errors, rollback with the transaction, pending ORM changes first, and
caches of the table invalidated at commit."""

from __future__ import annotations

import pytest
from harness import sqlite_store
from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from rootplane.store.changes import TableCache
from rootplane.store.rows import insert_object, insert_values


class _Base(DeclarativeBase):
    pass


class Parent(_Base):
    __tablename__ = "rows_test_parents"
    parent_id: Mapped[int] = mapped_column(primary_key=True)


class Child(_Base):
    __tablename__ = "rows_test_children"
    child_id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("rows_test_parents.parent_id"))
    name: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="plain")
    labels: Mapped[str] = mapped_column(String(20), default=lambda: "none")


@pytest.fixture
def store(tmp_path):
    with sqlite_store(tmp_path, _Base.metadata) as store:
        yield store


def _names(store) -> list[str]:
    with store.transaction(write=False) as session:
        return list(session.scalars(select(Child.name).order_by(Child.child_id)))


def test_a_row_is_inserted_after_pending_orm_changes_with_column_defaults(store):
    with store.transaction() as session:
        session.add(Parent(parent_id=1))  # pending: the child's foreign key needs it written first
        values = insert_values(session, Child, {"child_id": 1, "parent_id": 1, "name": "a"})
        assert values == {"child_id": 1, "parent_id": 1, "name": "a", "kind": "plain", "labels": "none"}
        assert not list(session)  # nothing tracked: the answer's values only
    with store.transaction(write=False) as session:
        assert session.execute(select(Child.kind, Child.labels)).one() == ("plain", "none")


def test_a_transient_object_is_inserted_and_stays_outside_the_session(store):
    child = Child(child_id=1, parent_id=1, name="a", kind="special")
    with store.transaction() as session:
        session.add(Parent(parent_id=1))
        insert_object(session, child)
        assert child not in session and not list(session.new)
    with store.transaction(write=False) as session:
        assert session.execute(select(Child.name, Child.kind, Child.labels)).one() == ("a", "special", "none")


def test_a_constraint_error_is_raised_and_the_transaction_rolls_back_whole(store):
    with store.transaction() as session:
        session.add(Parent(parent_id=1))
        insert_values(session, Child, {"child_id": 1, "parent_id": 1, "name": "a"})
    with pytest.raises(IntegrityError), store.transaction() as session:
        insert_values(session, Child, {"child_id": 2, "parent_id": 1, "name": "b"})
        insert_values(session, Child, {"child_id": 3, "parent_id": 1, "name": "a"})  # unique name taken
    assert _names(store) == ["a"]


def test_caches_of_the_table_are_invalidated_by_the_commit(store):
    cache: TableCache[int] = TableCache([Child.__tablename__])
    loads: list[int] = []

    def count(session) -> int:
        loads.append(1)
        return session.scalar(select(func.count()).select_from(Child))

    def cached() -> int:
        with store.transaction(write=False) as session:
            return cache.get(session, "count", count)

    with store.transaction() as session:
        session.add(Parent(parent_id=1))
    assert cached() == 0 and cached() == 0 and len(loads) == 1
    with store.transaction() as session:
        insert_values(session, Child, {"child_id": 1, "parent_id": 1, "name": "a"})
        assert cache.get(session, "count", count) == 1  # its own write reads past the cache
    assert cached() == 1 and len(loads) == 3


def test_a_sql_side_default_is_refused(store):
    class Stamped(_Base):
        __tablename__ = "rows_test_stamped"
        stamp_id: Mapped[int] = mapped_column(primary_key=True)
        stamp: Mapped[str] = mapped_column(String(40), default=func.current_timestamp())

    with pytest.raises(ValueError, match="SQL default"), store.transaction() as session:
        insert_values(session, Stamped, {"stamp_id": 1})


def test_a_value_the_database_makes_is_not_replaced_by_null(store):
    class Numbered(_Base):
        __tablename__ = "rows_test_numbered"
        number: Mapped[int] = mapped_column(primary_key=True)  # autoincrement
        label: Mapped[str] = mapped_column(String(40), server_default="none")

    _Base.metadata.create_all(store.engine, tables=[Numbered.__table__])
    with pytest.raises(ValueError, match="database makes"), store.transaction() as session:
        insert_values(session, Numbered, {"label": "x"})
    with pytest.raises(ValueError, match="database makes"), store.transaction() as session:
        insert_values(session, Numbered, {"number": 1})
    with store.transaction() as session:
        insert_values(session, Numbered, {"number": 2, "label": "given"})
    with store.transaction() as session:
        assert session.scalar(select(Numbered.label).where(Numbered.number == 2)) == "given"


def test_a_value_for_no_column_attribute_is_refused(store):
    with pytest.raises(ValueError, match="no column attribute"), store.transaction() as session:
        insert_values(session, Parent, {"parent_id": 1, "parent_name": "typo"})
