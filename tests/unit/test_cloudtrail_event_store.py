"""The audit writer's bulk insert (plain rows: multi-row statements on SQLite, one executemany per table on
PostgreSQL) stores what the ORM reads back, on SQLite and PostgreSQL: times compare with bound datetimes (whole seconds
too), lookups and resources find the rows; event ids are UUID v4 in form and sort in time order."""

import datetime as dt
import json
import sqlite3
import uuid

import pytest
from sqlalchemy import event, func, select

from rootplane.core.ids import event_id
from rootplane.schema import metadata
from rootplane.services.cloudtrail import plain, repo
from rootplane.services.cloudtrail.tables import EventResourceRow, EventRow
from rootplane.store.engine import Store

ACCOUNT = "111122223333"
START = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.timezone.utc)  # microsecond 0: SQLite's stored text keeps it


@pytest.fixture
def store(migrated_store):
    return migrated_store


def _event(index: int, user: str) -> plain.NewEvent:
    when = START + dt.timedelta(seconds=index, microseconds=index % 2 * 250)
    identifier = event_id(when)
    resources = (("AWS::IAM::User", user),)
    record = {"eventID": identifier, "eventName": "GetUser", "userIdentity": {"principalId": f"AIDA{user}"}}
    return plain.NewEvent(identifier, ACCOUNT, "us-east-1", when, "GetUser", "iam.amazonaws.com", True, user,
                          "AKIAEXAMPLE", json.dumps(resources), json.dumps(record, separators=(",", ":")),
                          json.dumps({"sid": user}), resources)


def test_bulk_inserted_events_read_back_through_every_lookup(store):
    events = [_event(index, f"user{index % 3}") for index in range(10)]
    with store.transaction() as session:
        plain.put_events(session.connection(), events)
    with store.transaction(write=False) as session:
        def lookup(attribute, start=START, end=START + dt.timedelta(minutes=1)):
            return repo.list_events(session, ACCOUNT, "us-east-1", attribute=attribute, start=start, end=end,
                                    after=None, limit=50)

        everything = lookup(None)
        assert [row.event_id for row in everything] == [event.event_id for event in reversed(events)]
        assert [row.event_time for row in everything] == [event.event_time for event in reversed(events)]
        assert len(lookup(None, start=events[4].event_time, end=events[6].event_time)) == 3  # bounds included
        assert len(lookup(("Username", "user1"))) == 3
        assert len(lookup(("ResourceName", "user2"))) == 3
        assert len(lookup(("ReadOnly", True))) == 10
        assert [row.event_id for row in lookup(("EventId", events[5].event_id))] == [events[5].event_id]
        assert repo.deciding_statements(session, [events[0].event_id]) == {events[0].event_id: {"sid": "user0"}}
        assert len(repo.events_mentioning(session, ACCOUNT, ['"principalId":"AIDAuser0"'], START,
                                          START + dt.timedelta(minutes=1))) == 4


def test_event_ids_are_uuid4_in_form_and_sort_in_time_order():
    times = [START + dt.timedelta(milliseconds=step) for step in range(0, 5000, 7)]
    ids = [event_id(when) for when in times]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    for identifier in ids[:20]:
        parsed = uuid.UUID(identifier)
        assert str(parsed) == identifier and parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_history_written_before_0019_is_read_after_it(tmp_path):
    from alembic import command

    from rootplane.store.migrate import alembic_config

    store = Store(f"sqlite:///{tmp_path / 'old.sqlite'}", metadata())
    command.upgrade(alembic_config(store.engine), "0018")
    events = [_event(index, "user0") for index in range(3)]
    with store.transaction() as session:
        plain.put_events(session.connection(), events)
    store.migrate()
    with store.transaction(write=False) as session:
        found = repo.list_events(session, ACCOUNT, "us-east-1", attribute=("ResourceName", "user0"), start=START,
                                 end=START + dt.timedelta(minutes=1), after=None, limit=50)
    assert [row.event_id for row in found] == [event.event_id for event in reversed(events)]
    store.dispose()


def test_the_retention_sweep_forgets_old_events_of_every_account_and_region(store):
    """Older events and their resource rows go, in every account and region; younger ones stay."""
    places = [(account, region, read_only) for account in (ACCOUNT, "444455556666")
              for region in ("us-east-1", "eu-west-1") for read_only in (False, True)]
    events = [_event(index, "user0")._replace(account_id=account, region=region, read_only=read_only)
              for index, (account, region, read_only) in enumerate(places * 3)]  # each place: old, old, young
    with store.transaction() as session:
        plain.put_events(session.connection(), events)
    cutoff = events[2 * len(places)].event_time
    with store.transaction() as session:
        plain.delete_events_before(session.connection(), cutoff)
    with store.transaction(write=False) as session:
        kept = set(session.scalars(select(EventRow.event_id)))
        kept_resources = set(session.scalars(select(EventResourceRow.event_id)))
    assert kept == kept_resources == {event.event_id for event in events[2 * len(places):]}


def test_unfiltered_pages_hold_read_and_write_events_newest_first(store):
    """Each next unfiltered page starts after the last one's (time, id), read-only or not."""
    events = [_event(index, "user0")._replace(read_only=index % 3 == 0) for index in range(11)]
    with store.transaction() as session:
        plain.put_events(session.connection(), events)
    pages, after = [], None
    with store.transaction(write=False) as session:
        while True:
            page = repo.list_events(session, ACCOUNT, "us-east-1", attribute=None, start=START,
                                    end=START + dt.timedelta(minutes=1), after=after, limit=4)
            pages.append([row.event_id for row in page])
            if len(page) < 4:
                break
            after = repo.Cursor(page[-1].event_time, page[-1].event_id)
    assert [len(page) for page in pages] == [4, 4, 3]
    assert [identifier for page in pages for identifier in page] == [event.event_id for event in reversed(events)]


def _put_noting_statements(store, events: list[plain.NewEvent]) -> list[tuple[str, bool]]:
    """Store ``events`` in one transaction: the (statement, executemany) of each driver call it made."""
    executed: list[tuple[str, bool]] = []

    def note(_connection, _cursor, statement, _parameters, _context, executemany):
        executed.append((statement, executemany))

    event.listen(store.engine, "before_cursor_execute", note)
    try:
        with store.transaction() as session:
            plain.put_events(session.connection(), events)
    finally:
        event.remove(store.engine, "before_cursor_execute", note)
    return executed


def test_a_full_batch_is_stored_in_a_few_statements_each_of_many_rows(store):
    """A 500-record batch (issue #19): every row stored, and on SQLite in multi-row statements, not an executemany
    whose per-row steps each gave the GIL away and waited to take it back while the event loop held it."""
    events = [_event(index, f"user{index % 7}") for index in range(500)]
    executed = [many for _, many in _put_noting_statements(store, events)]
    with store.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(EventRow)) == 500
        assert session.scalar(select(func.count()).select_from(EventResourceRow)) == 500
        stored = session.scalars(select(EventRow.event_id).order_by(EventRow.event_time)).all()
        assert stored == [item.event_id for item in events]
    if store.engine.dialect.name == "sqlite":
        statements = 1 if sqlite3.sqlite_version_info >= (3, 32, 0) else 8  # 512 places, or 7 × 64 and 64 places
        assert not any(executed) and len(executed) == 2 * statements
    else:
        assert executed.count(True) == 2


@pytest.mark.parametrize("count", [1, 3, 64, 65, 500, 513, 1100])
def test_the_last_statement_of_a_batch_is_padded_and_stores_only_its_rows(store, count):
    """On SQLite the rows past the last full statement go in one statement of the next power of two places, those
    without a row bound to NULL and not stored: every row stored once, nothing else, in full statements and one more."""
    events = [_event(index, f"user{index % 7}") for index in range(count)]
    statements = [statement for statement, _ in _put_noting_statements(store, events)]
    with store.transaction(write=False) as session:
        stored = session.scalars(select(EventRow.event_id).order_by(EventRow.event_time)).all()
        assert stored == [item.event_id for item in events]
        assert session.scalar(select(func.count()).select_from(EventResourceRow)) == count
        assert session.scalar(select(func.count()).select_from(EventRow).where(EventRow.record.is_(None))) == 0
    if store.engine.dialect.name == "sqlite" and sqlite3.sqlite_version_info >= (3, 32, 0):
        assert len(statements) == 2 * (count // 512 + (1 if count % 512 else 0))
        assert sum("WHERE column1 IS NOT NULL" in statement for statement in statements) == (2 if count % 512 else 0)


def test_a_statement_holds_as_many_rows_as_sqlite_binds_the_parameters_of(monkeypatch):
    """Up to 512 rows per statement (a 500-record batch in 6 statements per table, not 10 of 64 rows), within the
    library's limit on bound parameters: 32,766 since SQLite 3.32, 999 before."""
    from rootplane.store import bulk

    assert [bulk._rows_per_statement(width) for width in (6, 12, 100, 40000)] == \
        ([512, 512, 256, 1] if sqlite3.sqlite_version_info >= (3, 32, 0) else [128, 64, 8, 1])
    monkeypatch.setattr(bulk, "_MAX_VARIABLES", 999)
    assert [bulk._rows_per_statement(width) for width in (6, 12)] == [128, 64]
