"""Queries for CloudWatch metrics, datapoints, alarms and alarm history."""

from __future__ import annotations

import datetime as _dt
import hashlib

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rootplane.services.cloudwatch.tables import AlarmHistoryRow, AlarmRow, DatapointRow, MetricRow

__all__ = [
    "find_metric", "get_or_create_metric", "add_datapoint", "datapoints", "list_metrics",
    "find_alarm", "alarms_by_names", "list_alarms", "alarms_for_metric", "due_alarms", "put_alarm", "delete_alarm",
    "add_history", "list_history",
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


def get_or_create_metric(session: Session, account_id: str, region: str, namespace: str, metric_name: str,
                         dimensions: str, now: _dt.datetime) -> MetricRow:
    """The metric row, created on first use; ``last_put`` moved to ``now``."""
    metric = find_metric(session, account_id, region, namespace, metric_name, dimensions)
    if metric is None:
        metric = MetricRow(account_id=account_id, region=region, namespace=namespace, metric_name=metric_name,
                           dimensions=dimensions, dimensions_hash=_digest(dimensions), last_put=now)
        session.add(metric)
        session.flush()
    else:
        metric.last_put = max(metric.last_put, now)
    return metric


def add_datapoint(session: Session, row: DatapointRow) -> None:
    session.add(row)


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
