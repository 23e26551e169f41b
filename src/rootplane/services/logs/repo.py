"""Queries for log groups, streams, events and metric filters (indexed, keyset-paged)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError

from rootplane.services.logs.tables import LogEventRow, LogGroupRow, LogStreamRow, MetricFilterRow, ResourcePolicyRow
from rootplane.store.paging import PreparedKeyset, keyset_page

__all__ = [
    "put", "add_stream", "delete_stream", "find_group", "list_groups", "ListedGroup", "listed_groups", "delete_group", "find_stream", "list_streams", "streams_by_name", "add_events",
    "stream_events", "group_events", "add_stored_bytes", "list_filters", "filters_of", "find_filter",
    "count_filters", "Cursor", "resource_policies", "group_policies",
]

Cursor = tuple[int, int]  # (timestamp, event id): the order of events


def put(session: Session, row: Any, *, conflict: AwsError) -> Any:
    """Insert a row now; a unique constraint that refuses it (a concurrent create) becomes ``conflict``."""
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise conflict from None
    return row


def add_stream(session: Session, group: LogGroupRow, name: str, now_ms: int, *, conflict: AwsError) -> LogStreamRow:
    return put(session, LogStreamRow(group_arn=group.arn, name=name, created_at=now_ms, stored_bytes=0),
               conflict=conflict)


def delete_stream(session: Session, group: LogGroupRow, stream: LogStreamRow) -> None:
    session.execute(delete(LogEventRow).where(LogEventRow.stream_id == stream.id))
    session.execute(update(LogGroupRow).where(LogGroupRow.arn == group.arn)
                    .values(stored_bytes=LogGroupRow.stored_bytes - stream.stored_bytes))
    session.delete(stream)


def find_group(session: Session, account_id: str, region: str, name: str) -> LogGroupRow | None:
    return session.scalars(select(LogGroupRow).where(
        LogGroupRow.account_id == account_id, LogGroupRow.region == region, LogGroupRow.name == name)).first()


def list_groups(session: Session, account_id: str, region: str, prefix: str | None, after: str | None,
                limit: int, *, pattern: str | None = None, names: Sequence[str] | None = None) -> list[LogGroupRow]:
    """A page of groups by name: starting with ``prefix``, containing ``pattern`` (case-sensitive, as AWS documents
    logGroupNamePattern) or among ``names``."""
    query = select(LogGroupRow).where(LogGroupRow.account_id == account_id, LogGroupRow.region == region)
    if pattern:
        # Not LIKE, which ignores ASCII case on SQLite: replace() compares exactly on SQLite and PostgreSQL.
        query = query.where(func.replace(LogGroupRow.name, pattern, "") != LogGroupRow.name)
    if names is not None:
        query = query.where(LogGroupRow.name.in_(list(names)))
    return keyset_page(session, query, LogGroupRow.name, after, limit, prefix_column=LogGroupRow.name, prefix=prefix)


class ListedGroup(NamedTuple):
    """What DescribeLogGroups shows of a group, with its count of metric filters."""

    name: str
    arn: str
    created_at: int
    retention_days: int | None
    kms_key_id: str | None
    log_group_class: str
    stored_bytes: int | None
    deletion_protection: bool
    filter_count: int


@lru_cache(maxsize=None)
def _listed_groups() -> PreparedKeyset:
    filters = select(func.count()).where(MetricFilterRow.group_arn == LogGroupRow.arn).scalar_subquery()
    return PreparedKeyset(select(
        LogGroupRow.name, LogGroupRow.arn, LogGroupRow.created_at, LogGroupRow.retention_days, LogGroupRow.kms_key_id,
        LogGroupRow.log_group_class, LogGroupRow.stored_bytes, LogGroupRow.deletion_protection, filters,
    ).where(LogGroupRow.account_id == bindparam("account_id"), LogGroupRow.region == bindparam("region")),
        LogGroupRow.name)


def listed_groups(session: Session, account_id: str, region: str, after: str | None,
                  limit: int) -> list[ListedGroup]:
    """A page of every group by name, each with its metric filters counted: one prepared statement (``list_groups``
    and ``count_filters`` without the ORM, for DescribeLogGroups without a filter; issue #19)."""
    return [ListedGroup(*row) for row in _listed_groups().page(
        session, {"account_id": account_id, "region": region}, after, limit)]


def delete_group(session: Session, group: LogGroupRow) -> None:
    """A group with its streams, events, metric filters and resource policy."""
    for table in (LogEventRow, LogStreamRow, MetricFilterRow):
        session.execute(delete(table).where(table.group_arn == group.arn))
    session.execute(delete(ResourcePolicyRow).where(
        ResourcePolicyRow.account_id == group.account_id, ResourcePolicyRow.region == group.region,
        ResourcePolicyRow.resource_arn == group.arn))
    session.delete(group)


def find_stream(session: Session, group_arn: str, name: str) -> LogStreamRow | None:
    return session.scalars(select(LogStreamRow).where(LogStreamRow.group_arn == group_arn,
                                                      LogStreamRow.name == name)).first()


def streams_by_name(session: Session, group_arn: str, names: Sequence[str] | None,
                    prefix: str | None) -> list[LogStreamRow]:
    """A group's streams, all or those named or starting with ``prefix``."""
    query = select(LogStreamRow).where(LogStreamRow.group_arn == group_arn)
    if names is not None:
        query = query.where(LogStreamRow.name.in_(list(names)))
    if prefix:
        query = query.where(func.substr(LogStreamRow.name, 1, len(prefix)) == prefix)
    return list(session.scalars(query.order_by(LogStreamRow.name)))


def list_streams(session: Session, group_arn: str, prefix: str | None, by_time: bool, descending: bool,
                 after: tuple[int, str] | None, limit: int) -> list[LogStreamRow]:
    """A page of streams ordered by name or by (last event time, name), after the previous page's last key."""
    query = select(LogStreamRow).where(LogStreamRow.group_arn == group_arn)
    if prefix:
        query = query.where(func.substr(LogStreamRow.name, 1, len(prefix)) == prefix)
    time = func.coalesce(LogStreamRow.last_event_at, 0)
    keys = (time, LogStreamRow.name) if by_time else (LogStreamRow.name,)
    if after is not None:
        values = after if by_time else after[1:]
        query = query.where(_beyond(keys, values, descending))
    order = [key.desc() if descending else key for key in keys]
    return list(session.scalars(query.order_by(*order).limit(limit)))


def _beyond(keys: Sequence, values: Sequence, descending: bool):
    """Rows after ``values`` in the (lexicographic) order of ``keys``."""
    if len(keys) == 1:
        return keys[0] < values[0] if descending else keys[0] > values[0]
    first = keys[0] < values[0] if descending else keys[0] > values[0]
    return or_(first, and_(keys[0] == values[0], _beyond(keys[1:], values[1:], descending)))


def add_events(session: Session, group_arn: str, stream_id: int, ingested_at: int,
               events: Sequence[tuple[int, str]]) -> None:
    """Insert (timestamp, message) events in one executemany."""
    session.execute(insert(LogEventRow), [
        {"stream_id": stream_id, "group_arn": group_arn, "timestamp": timestamp, "ingested_at": ingested_at,
         "message": message} for timestamp, message in events])


def _window(query, start: int | None, end: int | None):
    if start is not None:
        query = query.where(LogEventRow.timestamp >= start)
    if end is not None:
        query = query.where(LogEventRow.timestamp < end)
    return query


def stream_events(session: Session, stream_id: int, start: int | None, end: int | None, cursor: Cursor | None,
                  forward: bool, limit: int) -> list[LogEventRow]:
    """Up to ``limit`` events of a stream in time order, after ``cursor`` (forward) or the last ones before it
    (backward, still returned oldest first)."""
    query = _window(select(LogEventRow).where(LogEventRow.stream_id == stream_id), start, end)
    keys = (LogEventRow.timestamp, LogEventRow.id)
    if cursor is not None:
        query = query.where(_beyond(keys, cursor, not forward))
    order = keys if forward else tuple(key.desc() for key in keys)
    rows = list(session.scalars(query.order_by(*order).limit(limit)))
    return rows if forward else rows[::-1]


def group_events(session: Session, group_arn: str, stream_ids: Sequence[int] | None, start: int | None,
                 end: int | None, cursor: Cursor | None, forward: bool, limit: int) -> list[LogEventRow]:
    """Events of a group (or of some of its streams) after ``cursor``, in time order (newest first when not
    ``forward``)."""
    query = _window(select(LogEventRow).where(LogEventRow.group_arn == group_arn), start, end)
    if stream_ids is not None:
        query = query.where(LogEventRow.stream_id.in_(list(stream_ids)))
    keys = (LogEventRow.timestamp, LogEventRow.id)
    if cursor is not None:
        query = query.where(_beyond(keys, cursor, not forward))
    order = keys if forward else tuple(key.desc() for key in keys)
    return list(session.scalars(query.order_by(*order).limit(limit)))


def add_stored_bytes(session: Session, group: LogGroupRow, stream: LogStreamRow, size: int) -> None:
    session.execute(update(LogGroupRow).where(LogGroupRow.arn == group.arn)
                    .values(stored_bytes=LogGroupRow.stored_bytes + size))
    stream.stored_bytes = (stream.stored_bytes or 0) + size


def list_filters(session: Session, account_id: str, region: str, group_arn: str | None,
                 prefix: str | None) -> list[MetricFilterRow]:
    """Metric filters of a group, or of the account and region, ordered by (group, filter name)."""
    query = select(MetricFilterRow)
    if group_arn is not None:
        query = query.where(MetricFilterRow.group_arn == group_arn)
    else:
        start = _group_prefix(account_id, region)
        query = query.where(func.substr(MetricFilterRow.group_arn, 1, len(start)) == start)
    if prefix:
        query = query.where(func.substr(MetricFilterRow.name, 1, len(prefix)) == prefix)
    return list(session.scalars(query.order_by(MetricFilterRow.group_arn, MetricFilterRow.name)))


def _group_prefix(account_id: str, region: str) -> str:
    return f"arn:aws:logs:{region}:{account_id}:log-group:"


def filters_of(session: Session, group_arn: str) -> list[MetricFilterRow]:
    return list(session.scalars(select(MetricFilterRow).where(MetricFilterRow.group_arn == group_arn)))


def find_filter(session: Session, group_arn: str, name: str) -> MetricFilterRow | None:
    return session.scalars(select(MetricFilterRow).where(MetricFilterRow.group_arn == group_arn,
                                                         MetricFilterRow.name == name)).first()


def count_filters(session: Session, group_arns: Sequence[str]) -> dict[str, int]:
    rows = session.execute(select(MetricFilterRow.group_arn, func.count()).where(
        MetricFilterRow.group_arn.in_(list(group_arns))).group_by(MetricFilterRow.group_arn))
    return {arn: count for arn, count in rows}


def resource_policies(session: Session, account_id: str, region: str, resource_arn: str = "") -> list[ResourcePolicyRow]:
    """The account-level resource policies of an account and Region by name, or the policy of the log group
    ``resource_arn`` (a list of at most one)."""
    return list(session.scalars(select(ResourcePolicyRow).where(
        ResourcePolicyRow.account_id == account_id, ResourcePolicyRow.region == region,
        ResourcePolicyRow.resource_arn == resource_arn).order_by(ResourcePolicyRow.name)))


def group_policies(session: Session, account_id: str, region: str) -> list[ResourcePolicyRow]:
    """The policies of the log groups of an account and Region, by log group ARN."""
    return list(session.scalars(select(ResourcePolicyRow).where(
        ResourcePolicyRow.account_id == account_id, ResourcePolicyRow.region == region,
        ResourcePolicyRow.resource_arn != "").order_by(ResourcePolicyRow.resource_arn)))
