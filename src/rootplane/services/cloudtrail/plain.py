"""The audit writer's statements in plain SQL (SQLAlchemy Core, no ORM): store a batch of events, find those a retried
batch stored already, forget events past retention, and whether any trail receives a batch. A server whose calls no
trail or rule receives then never loads the model for its records (issue #19: the ORM and the CloudTrail model were
~8 MiB of idle RSS, loaded by the first record). The rows are tables.py's ``cloudtrail_events``,
``cloudtrail_event_resources`` and ``cloudtrail_trails``; tests/unit/test_audit_plain_sql.py checks these
statements against the mapped model.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import Boolean, String, bindparam, column, delete, or_, select, table, true

from rootplane.store.bulk import BulkInsert
from rootplane.store.types import UtcDateTime

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["NewEvent", "put_events", "stored_event_ids", "delete_events_before", "any_trail_receiving"]

EVENTS = table(
    "cloudtrail_events", column("event_id"), column("account_id"), column("region", String(32)),
    column("event_time", UtcDateTime()), column("event_name", String(128)), column("event_source", String(128)),
    column("read_only", Boolean()), column("username", String(256)), column("access_key_id", String(128)),
    column("resources"), column("record"), column("deciding_statement"))
EVENT_RESOURCES = table(
    "cloudtrail_event_resources", column("event_id"), column("account_id"), column("region", String(32)),
    column("event_time", UtcDateTime()), column("resource_type", String(128)), column("resource_name", String(2048)))
TRAILS = table("cloudtrail_trails", column("trail_arn"), column("is_logging", Boolean()),
               column("stopped_at", UtcDateTime()))


class NewEvent(NamedTuple):
    """An event to store: its ``cloudtrail_events`` values (the first fields, in column order) and its resources as
    (type, name) for the lookup rows."""

    event_id: str
    account_id: str
    region: str
    event_time: _dt.datetime
    event_name: str
    event_source: str
    read_only: bool
    username: str
    access_key_id: str
    resources_json: str  # [[type, name], ...]
    record: str
    deciding_statement: str | None
    resources: tuple[tuple[str, str], ...]


_INSERT_EVENT = BulkInsert(EVENTS, tuple(EVENTS.c.keys()))
_EVENT_VALUES = len(_INSERT_EVENT.columns)
_INSERT_RESOURCE = BulkInsert(EVENT_RESOURCES, tuple(EVENT_RESOURCES.c.keys()))
_TRAIL_RECEIVING = select(TRAILS.c.trail_arn).where(
    or_(TRAILS.c.is_logging == true(), TRAILS.c.stopped_at >= bindparam("since"))).limit(1)


def _widths(plain_table) -> tuple[tuple[int, int], ...]:
    """(position, length) of the table's bounded text columns: PostgreSQL refuses a longer value (SQLite keeps it)."""
    return tuple((index, col.type.length) for index, col in enumerate(plain_table.columns)
                 if isinstance(col.type, String) and col.type.length)


_EVENT_WIDTHS, _RESOURCE_WIDTHS = _widths(EVENTS), _widths(EVENT_RESOURCES)


def _storable(values: tuple, widths: tuple[tuple[int, int], ...]) -> tuple:
    """``values`` as any store can hold them: each bounded column's text cut to its length, a NUL character in it
    replaced by U+FFFD. A call's resource can be named by anything its request held (a 3,000-character S3 key read
    in vain, a name holding NUL that validation refused), and its record must still be stored, on PostgreSQL too
    (its text holds no NUL, its varchar no more than its length). The record itself keeps the name whole; no
    LookupEvents value could name such a one anyway (at most 2,000 characters, and no NUL on PostgreSQL)."""
    if all(len(values[index]) <= width and "\x00" not in values[index] for index, width in widths):
        return values
    cut = list(values)
    for index, width in widths:
        cut[index] = cut[index][:width].replace("\x00", "\ufffd")
    return tuple(cut)


def put_events(connection: Connection, events: Sequence[NewEvent]) -> None:
    """Insert events and their resource index rows: one prepared INSERT per table, of plain tuples, in multi-row
    statements on SQLite and one executemany on PostgreSQL (see :mod:`rootplane.store.bulk`). On PostgreSQL the
    bounded columns are made storable first (``_storable``); SQLite holds any text (about 3 µs per record saved on
    the writer's GIL time)."""
    if not events:
        return
    rows = [event[:_EVENT_VALUES] for event in events]
    resources = [(event.event_id, event.account_id, event.region, event.event_time, resource_type, resource_name)
                 for event in events for resource_type, resource_name in event.resources]
    if connection.dialect.name != "sqlite":
        rows = [_storable(row, _EVENT_WIDTHS) for row in rows]
        resources = [_storable(row, _RESOURCE_WIDTHS) for row in resources]
    _INSERT_EVENT.run(connection, rows)
    _INSERT_RESOURCE.run(connection, resources)


def stored_event_ids(connection: Connection, event_ids: Sequence[str]) -> set[str]:
    """Those of ``event_ids`` already stored (the audit writer's retry of a batch whose commit it never saw answered
    skips them, so no event is stored or delivered twice)."""
    return set(connection.scalars(select(EVENTS.c.event_id).where(EVENTS.c.event_id.in_(list(event_ids)))))


def delete_events_before(connection: Connection, cutoff: _dt.datetime) -> None:
    """Forget events older than the retention window (range deletes on the event-time indexes; a resource row has
    its event's time)."""
    connection.execute(delete(EVENT_RESOURCES).where(EVENT_RESOURCES.c.event_time < cutoff))
    connection.execute(delete(EVENTS).where(EVENTS.c.event_time < cutoff))


def any_trail_receiving(connection: Connection, since: _dt.datetime) -> bool:
    """Whether some trail receives events of ``since`` or later: it is logging, or it stopped logging since then
    (the trail delivery's query, cloudtrail/repo.py ``list_receiving_trails``, loads them)."""
    return connection.execute(_TRAIL_RECEIVING, {"since": since}).first() is not None
