"""Queries for CloudWatch metrics, datapoints, alarms and alarm history."""

from __future__ import annotations

import datetime as _dt
import hashlib

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rootplane.services.cloudwatch.tables import AlarmHistoryRow, AlarmRow, DatapointRow, MetricRow
from rootplane.store.engine import locks_rows
from rootplane.store.paging import keyset_page

__all__ = [
    "find_metric", "metric_ids", "add_datapoints", "datapoints", "list_metrics",
    "find_alarm", "alarms_by_names", "list_alarms", "alarms_for_metric", "due_alarms", "next_due", "delete_alarm",
    "list_history",
]


# -- metrics ---------------------------------------------------------------------------------------------------
def _digest(dimensions: str) -> str:
    return hashlib.sha256(dimensions.encode("utf-8")).hexdigest()


def find_metric(session: Session, account_id: str, region: str, namespace: str, metric_name: str,
                dimensions: str) -> MetricRow | None:
    """The metric of a name and dimensions (canonical JSON, ``ingest.dimensions_key``), if it was ever put."""
    return session.scalars(select(MetricRow).where(
        MetricRow.account_id == account_id, MetricRow.region == region, MetricRow.namespace == namespace,
        MetricRow.metric_name == metric_name, MetricRow.dimensions_hash == _digest(dimensions))).first()


def metric_ids(session: Session, account_id: str, region: str, namespace: str, identities: set[tuple[str, str]],
               now: _dt.datetime) -> dict[tuple[str, str], int]:
    """The ids of the metrics ``(name, dimensions)`` of a namespace, those never put created, every one's
    ``last_put`` moved to ``now``: a few statements whatever the count. A metric another server creates at the same
    moment is read back (its unique key refuses the second insert)."""
    names = sorted({name for name, _ in identities})

    def known() -> dict[tuple[str, str], int]:
        rows = session.execute(select(MetricRow.id, MetricRow.metric_name, MetricRow.dimensions).where(
            MetricRow.account_id == account_id, MetricRow.region == region, MetricRow.namespace == namespace,
            MetricRow.metric_name.in_(names)))
        return {(name, dimensions): metric_id for metric_id, name, dimensions in rows
                if (name, dimensions) in identities}

    found = known()
    missing = [identity for identity in identities if identity not in found]
    if missing:
        try:
            with session.begin_nested():
                session.execute(insert(MetricRow), [
                    {"account_id": account_id, "region": region, "namespace": namespace, "metric_name": name,
                     "dimensions": dimensions, "dimensions_hash": _digest(dimensions), "last_put": now}
                    for name, dimensions in missing])
        except IntegrityError:
            pass
        found = known()
    session.execute(update(MetricRow).where(MetricRow.id.in_(list(found.values())), MetricRow.last_put < now)
                    .values(last_put=now).execution_options(synchronize_session=False))
    return found


def add_datapoints(session: Session, rows: list[dict]) -> None:
    """Insert datapoints (dicts of DatapointRow's columns) in one statement."""
    if rows:
        session.execute(insert(DatapointRow), rows)


def datapoints(session: Session, metric_id: int, start: _dt.datetime, end: _dt.datetime) -> list[DatapointRow]:
    """Datapoints of a metric with ``start <= timestamp < end``, oldest first."""
    return list(session.scalars(select(DatapointRow).where(
        DatapointRow.metric_id == metric_id, DatapointRow.timestamp >= start, DatapointRow.timestamp < end,
    ).order_by(DatapointRow.timestamp, DatapointRow.id)))


def list_metrics(session: Session, account_id: str, region: str, *, namespace: str | None, metric_name: str | None,
                 since: _dt.datetime | None, after: int | None, limit: int) -> list[MetricRow]:
    """Metrics by id (stable paging), filtered by namespace, name and last put time."""
    query = select(MetricRow).where(MetricRow.account_id == account_id, MetricRow.region == region)
    if namespace is not None:
        query = query.where(MetricRow.namespace == namespace)
    if metric_name is not None:
        query = query.where(MetricRow.metric_name == metric_name)
    if since is not None:
        query = query.where(MetricRow.last_put >= since)
    if after is not None:
        query = query.where(MetricRow.id > after)
    return list(session.scalars(query.order_by(MetricRow.id).limit(limit)))


# -- alarms ----------------------------------------------------------------------------------------------------
def _alarms(account_id: str, region: str):
    return select(AlarmRow).where(AlarmRow.account_id == account_id, AlarmRow.region == region)


def find_alarm(session: Session, account_id: str, region: str, name: str) -> AlarmRow | None:
    return session.scalars(_alarms(account_id, region).where(AlarmRow.name == name)).first()


def alarms_by_names(session: Session, account_id: str, region: str, names: list[str]) -> list[AlarmRow]:
    """The alarms of ``names`` that exist, by name."""
    if not names:
        return []
    return list(session.scalars(_alarms(account_id, region).where(AlarmRow.name.in_(names)).order_by(AlarmRow.name)))


def list_alarms(session: Session, account_id: str, region: str, *, prefix: str | None, state: str | None,
                after: str | None, limit: int) -> list[AlarmRow]:
    """Alarms by name after ``after``, filtered by name prefix and state."""
    query = _alarms(account_id, region)
    if state is not None:
        query = query.where(AlarmRow.state_value == state)
    return keyset_page(session, query, AlarmRow.name, after, limit, prefix_column=AlarmRow.name, prefix=prefix)


def alarms_for_metric(session: Session, account_id: str, region: str, namespace: str,
                      metric_name: str) -> list[AlarmRow]:
    return list(session.scalars(_alarms(account_id, region).where(
        AlarmRow.namespace == namespace, AlarmRow.metric_name == metric_name).order_by(AlarmRow.name)))


def due_alarms(session: Session, now: _dt.datetime, limit: int) -> list[AlarmRow]:
    """Alarms whose next evaluation is due, oldest first; on PostgreSQL locked (others' locked rows skipped), so
    two servers on one store never evaluate the same alarm at once."""
    query = select(AlarmRow).where(AlarmRow.next_evaluation <= now).order_by(AlarmRow.next_evaluation).limit(limit)
    if locks_rows(session):
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def next_due(session: Session) -> _dt.datetime | None:
    """When the next alarm evaluation is due (None without alarms)."""
    return session.scalar(select(func.min(AlarmRow.next_evaluation)))


def delete_alarm(session: Session, alarm: AlarmRow) -> None:
    """Delete an alarm; its history stays (AWS keeps it for its retention period)."""
    session.delete(alarm)


def list_history(session: Session, account_id: str, region: str, *, name: str | None, item_type: str | None,
                 start: _dt.datetime | None, end: _dt.datetime | None, ascending: bool, after: int | None,
                 limit: int) -> list[AlarmHistoryRow]:
    """History items by time (then id), newest first unless ``ascending``; ``after`` is the last id seen."""
    query = select(AlarmHistoryRow).where(AlarmHistoryRow.account_id == account_id,
                                          AlarmHistoryRow.region == region)
    if name is not None:
        query = query.where(AlarmHistoryRow.alarm_name == name)
    if item_type is not None:
        query = query.where(AlarmHistoryRow.item_type == item_type)
    if start is not None:
        query = query.where(AlarmHistoryRow.timestamp >= start)
    if end is not None:
        query = query.where(AlarmHistoryRow.timestamp <= end)
    if after is not None:
        query = query.where(AlarmHistoryRow.id > after if ascending else AlarmHistoryRow.id < after)
    order = (AlarmHistoryRow.id.asc(),) if ascending else (AlarmHistoryRow.id.desc(),)
    return list(session.scalars(query.order_by(*order).limit(limit)))
