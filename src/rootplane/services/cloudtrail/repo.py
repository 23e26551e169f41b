"""Queries for Event history and trails. Lookups are indexed, newest first, O(page) with keyset cursors."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from rootplane.services.cloudtrail.tables import EventResourceRow, EventRow, TrailRow
from rootplane.store.lazy import statements
from rootplane.store.prepared import PreparedStatement

__all__ = [
    "Cursor", "ListedEvent", "deciding_statements", "list_events", "events_mentioning", "events_of_accounts",
    "find_trail", "ListedTrail", "list_trails", "list_receiving_trails", "put_trail", "delete_trail",
]

_COLUMNS = {
    "EventId": EventRow.event_id, "EventName": EventRow.event_name, "Username": EventRow.username,
    "EventSource": EventRow.event_source, "AccessKeyId": EventRow.access_key_id, "ReadOnly": EventRow.read_only,
}
_RESOURCE_COLUMNS = {"ResourceType": EventResourceRow.resource_type, "ResourceName": EventResourceRow.resource_name}


@dataclass(frozen=True)
class Cursor:
    """The last (time, id) of a page: the next page starts strictly after it (older)."""

    event_time: _dt.datetime
    event_id: str


def deciding_statements(session: Session, event_ids: Sequence[str]) -> dict[str, dict]:
    """The internal deciding statement of each recorded event among ``event_ids`` that has one."""
    rows = session.execute(select(EventRow.event_id, EventRow.deciding_statement).where(
        EventRow.event_id.in_(list(event_ids)), EventRow.deciding_statement.is_not(None)))
    return {event_id: json.loads(text) for event_id, text in rows}


class ListedEvent(NamedTuple):
    """What LookupEvents answers of an event."""

    event_id: str
    event_name: str
    read_only: bool
    access_key_id: str
    event_time: _dt.datetime
    event_source: str
    username: str
    resources: str  # [[type, name], ...]
    record: str


_LISTED = (EventRow.event_id, EventRow.event_name, EventRow.read_only, EventRow.access_key_id, EventRow.event_time,
           EventRow.event_source, EventRow.username, EventRow.resources, EventRow.record)


def list_events(session: Session, account_id: str, region: str, *, attribute: tuple[str, object] | None,
                start: _dt.datetime, end: _dt.datetime, after: Cursor | None, limit: int) -> list[ListedEvent]:
    """Events of one account and region in [start, end], filtered by one lookup attribute, newest first."""
    params = {"account_id": account_id, "region": region, "start": start, "end": end, "limit": limit}
    if attribute is not None:
        params["value"] = attribute[1]
    if after is not None:
        params["after_time"], params["after_id"] = after.event_time, after.event_id
    statement = _event_page(attribute[0] if attribute is not None else None, after is not None)
    return [ListedEvent(*row) for row in statement.typed_all(statements(session), params)]


@lru_cache(maxsize=None)
def _event_page(attribute_key: str | None, after: bool) -> PreparedStatement:
    """LookupEvents' query for one kind of lookup, compiled once (store/prepared.py: the ORM's loading of a page's
    rows cost more than the SQL). Bound by name: account_id, region, start, end, limit, and ``value`` of the
    attribute, ``after_time`` and ``after_id`` of the cursor."""
    account, region = bindparam("account_id"), bindparam("region")
    if attribute_key in _RESOURCE_COLUMNS:
        # The page's (time, id) keys from the resource index first (an event with two matching resources counts
        # once), then their events: DISTINCT and ORDER BY over the same selected columns, as PostgreSQL requires.
        keys = _page(select(EventResourceRow.event_time, EventResourceRow.event_id).where(
            EventResourceRow.account_id == account, EventResourceRow.region == region,
            _RESOURCE_COLUMNS[attribute_key] == bindparam("value")).distinct(),
            EventResourceRow.event_time, EventResourceRow.event_id, after).subquery()
        return PreparedStatement(select(*_LISTED).join(keys, keys.c.event_id == EventRow.event_id)
                                 .order_by(EventRow.event_time.desc(), EventRow.event_id.desc()))
    query = select(*_LISTED).where(EventRow.account_id == account, EventRow.region == region)
    if attribute_key is not None:
        query = query.where(_COLUMNS[attribute_key] == bindparam("value"))
    return PreparedStatement(_page(query, EventRow.event_time, EventRow.event_id, after))


def _page(query: Select, time_column: ColumnElement, id_column: ColumnElement, after: bool) -> Select:
    """``query`` narrowed to [start, end] and, with ``after``, past the cursor's (time, id), newest first, one
    page (``limit``) long."""
    query = query.where(time_column >= bindparam("start", type_=time_column.type),
                        time_column <= bindparam("end", type_=time_column.type))
    if after:
        after_time = bindparam("after_time", type_=time_column.type)
        query = query.where(or_(time_column < after_time,
                                and_(time_column == after_time, id_column < bindparam("after_id"))))
    return query.order_by(time_column.desc(), id_column.desc()).limit(bindparam("limit", type_=Integer))


def events_mentioning(session: Session, account_id: str, needles: Sequence[str], since: _dt.datetime,
                      until: _dt.datetime) -> list[EventRow]:
    """Events of one account (every region) in [since, until] whose record text contains any of ``needles``.

    A scan of the account's events: callers confirm the match on the parsed record (IAM access advisor).
    """
    if not needles:
        return []
    query = select(EventRow).where(EventRow.account_id == account_id, EventRow.event_time >= since,
                                   EventRow.event_time <= until, or_(*(EventRow.record.contains(needle, autoescape=True) for needle in needles)))
    return list(session.scalars(query.order_by(EventRow.event_time.desc(), EventRow.event_id.desc())))


def events_of_accounts(session: Session, account_ids: Sequence[str], since: _dt.datetime,
                       until: _dt.datetime) -> list[EventRow]:
    """Events of some accounts (every region) in [since, until], newest first (Organizations access reports)."""
    if not account_ids:
        return []
    query = select(EventRow).where(EventRow.account_id.in_(list(account_ids)), EventRow.event_time >= since,
                                   EventRow.event_time <= until)
    return list(session.scalars(query.order_by(EventRow.event_time.desc(), EventRow.event_id.desc())))


def find_trail(session: Session, account_id: str, name_or_arn: str, region: str) -> TrailRow | None:
    """The account's trail of an ARN (any region), or of a name as ``region`` sees it: a trail of that region, else
    the shadow of a multi-region trail of another region."""
    if name_or_arn.startswith("arn:"):
        trail = session.get(TrailRow, name_or_arn)
        return trail if trail is not None and trail.account_id == account_id else None
    found = session.scalars(select(TrailRow).where(
        TrailRow.account_id == account_id, TrailRow.name == name_or_arn,
        or_(TrailRow.home_region == region, TrailRow.is_multi_region.is_(True)))).all()
    return next((trail for trail in found if trail.home_region == region), found[0] if found else None)


class ListedTrail(NamedTuple):
    """What DescribeTrails and ListTrails show of a trail."""

    name: str
    trail_arn: str
    home_region: str
    s3_bucket_name: str
    s3_key_prefix: str | None
    sns_topic_name: str | None
    include_global_service_events: bool
    is_multi_region: bool
    log_file_validation: bool
    cloud_watch_logs_group_arn: str | None
    cloud_watch_logs_role_arn: str | None
    kms_key_id: str | None
    event_selectors: Any
    is_organization_trail: bool
    insight_selectors: str | None


@lru_cache(maxsize=None)
def _listed_trails() -> PreparedStatement:
    return PreparedStatement(select(*(getattr(TrailRow, name) for name in ListedTrail._fields))
                             .where(TrailRow.account_id == bindparam("account_id")).order_by(TrailRow.name))


def list_trails(session: Session, account_id: str) -> list[ListedTrail]:
    """The account's trails by name (one prepared statement: issue #19)."""
    return [ListedTrail(*row) for row in _listed_trails().typed_all(statements(session), {"account_id": account_id})]


def list_receiving_trails(session: Session, since: _dt.datetime) -> list[TrailRow]:
    """Every trail that receives events of ``since`` or later: logging, or stopped since then (CloudTrail delivers
    the events that happened before logging was turned off; usually none or a handful)."""
    return list(session.scalars(select(TrailRow).where(
        or_(TrailRow.is_logging.is_(True), TrailRow.stopped_at >= since))))


def put_trail(session: Session, trail: TrailRow) -> TrailRow:
    session.add(trail)
    return trail


def delete_trail(session: Session, trail: TrailRow) -> None:
    session.delete(trail)
