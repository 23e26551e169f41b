"""Rows: CloudWatch metrics, their datapoints, metric alarms and alarm history."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rootplane.store.base import Base, UtcDateTime

__all__ = ["MetricRow", "DatapointRow", "AlarmRow", "AlarmHistoryRow"]


class MetricRow(Base):
    """One metric: namespace + name + dimensions. ``dimensions`` is the dimensions as canonical JSON (sorted by name),
    the identity AWS gives a metric, and ``dimensions_hash`` its SHA-256 (the unique key: index entries stay small)."""

    __tablename__ = "cloudwatch_metrics"
    __table_args__ = (
        UniqueConstraint("account_id", "region", "namespace", "metric_name", "dimensions_hash",
                         name="uq_cloudwatch_metrics_identity"),
        Index("ix_cloudwatch_metrics_name", "account_id", "region", "metric_name", "namespace"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    namespace: Mapped[str] = mapped_column(String(255))
    metric_name: Mapped[str] = mapped_column(String(255))
    dimensions: Mapped[str] = mapped_column(Text)
    dimensions_hash: Mapped[str] = mapped_column(String(64))
    last_put: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class DatapointRow(Base):
    """The statistic set of one PutMetricData datum (a single value is a set of one sample)."""

    __tablename__ = "cloudwatch_datapoints"
    __table_args__ = (Index("ix_cloudwatch_datapoints_metric_time", "metric_id", "timestamp"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("cloudwatch_metrics.id", ondelete="CASCADE"))
    timestamp: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    sample_count: Mapped[float] = mapped_column(Float)
    total: Mapped[float] = mapped_column(Float)
    minimum: Mapped[float] = mapped_column(Float)
    maximum: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32), default="None")


class AlarmRow(Base):
    """A metric alarm: its PutMetricAlarm configuration (JSON, botocore shape) and its state."""

    __tablename__ = "cloudwatch_alarms"
    __table_args__ = (
        UniqueConstraint("account_id", "region", "name"),
        Index("ix_cloudwatch_alarms_metric", "account_id", "region", "namespace", "metric_name"),
        Index("ix_cloudwatch_alarms_due", "next_evaluation"),
    )

    arn: Mapped[str] = mapped_column(String(512), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    namespace: Mapped[str | None] = mapped_column(String(255), nullable=True)
    metric_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    configuration: Mapped[str] = mapped_column(Text)
    configuration_updated: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    actions_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    state_value: Mapped[str] = mapped_column(String(32))
    state_reason: Mapped[str] = mapped_column(Text)
    state_reason_data: Mapped[str | None] = mapped_column(Text, nullable=True)
    state_updated: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    state_transitioned: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    next_evaluation: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    tags: Mapped[str] = mapped_column(Text, default="{}")


class AlarmHistoryRow(Base):
    """One alarm history item (ConfigurationUpdate, StateUpdate, Action)."""

    __tablename__ = "cloudwatch_alarm_history"
    __table_args__ = (Index("ix_cloudwatch_alarm_history_alarm", "account_id", "region", "alarm_name", "timestamp"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    alarm_name: Mapped[str] = mapped_column(String(255))
    alarm_type: Mapped[str] = mapped_column(String(32), default="MetricAlarm")
    timestamp: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    item_type: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    data: Mapped[str] = mapped_column(Text)
