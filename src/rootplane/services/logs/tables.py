"""Rows: CloudWatch Logs log groups, their streams, log events, metric filters and resource policies. Times are epoch milliseconds,
as the API speaks them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from rootplane.store.base import Base

__all__ = ["LogGroupRow", "LogStreamRow", "LogEventRow", "MetricFilterRow", "ResourcePolicyRow"]


class LogGroupRow(Base):
    """A log group of one account and region; ``arn`` is ``arn:aws:logs:<region>:<account>:log-group:<name>``."""

    __tablename__ = "logs_groups"
    __table_args__ = (UniqueConstraint("account_id", "region", "name"),)

    arn: Mapped[str] = mapped_column(String(600), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[int] = mapped_column(BigInteger)
    retention_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kms_key_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    log_group_class: Mapped[str] = mapped_column(String(32), default="STANDARD")
    tags_json: Mapped[str] = mapped_column(Text, default="{}")  # JSON object of tag key -> value
    stored_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    deletion_protection: Mapped[bool] = mapped_column(Boolean, default=False)


class LogStreamRow(Base):
    """A log stream of a group; event times of the stream as the API reports them (None until the first event)."""

    __tablename__ = "logs_streams"
    __table_args__ = (UniqueConstraint("group_arn", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_arn: Mapped[str] = mapped_column(String(600), ForeignKey("logs_groups.arn", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[int] = mapped_column(BigInteger)
    first_event_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_event_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_ingestion_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    stored_bytes: Mapped[int] = mapped_column(BigInteger, default=0)


class LogEventRow(Base):
    """One log event; ``id`` orders events of equal timestamps in the order they were put."""

    __tablename__ = "logs_events"
    __table_args__ = (
        Index("ix_logs_events_stream", "stream_id", "timestamp", "id"),
        Index("ix_logs_events_group", "group_arn", "timestamp", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    stream_id: Mapped[int] = mapped_column(Integer, ForeignKey("logs_streams.id", ondelete="CASCADE"))
    group_arn: Mapped[str] = mapped_column(String(600), ForeignKey("logs_groups.arn", ondelete="CASCADE"))
    timestamp: Mapped[int] = mapped_column(BigInteger)
    ingested_at: Mapped[int] = mapped_column(BigInteger)
    message: Mapped[str] = mapped_column(Text)


class MetricFilterRow(Base):
    """A metric filter of a group: its pattern, its one metric transformation (JSON, botocore's shape) and whether
    it applies to transformed log events (``applyOnTransformedLogs``)."""

    __tablename__ = "logs_metric_filters"
    __table_args__ = (UniqueConstraint("group_arn", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_arn: Mapped[str] = mapped_column(String(600), ForeignKey("logs_groups.arn", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(512))
    pattern: Mapped[str] = mapped_column(Text)
    transformations_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[int] = mapped_column(BigInteger)
    apply_on_transformed_logs: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ResourcePolicyRow(Base):
    """A resource policy of one account and Region: account-level by ``name`` (``resource_arn`` empty), or the one
    policy of the log group ``resource_arn`` (``name`` empty) with its ``revision_id``."""

    __tablename__ = "logs_resource_policies"
    __table_args__ = (UniqueConstraint("account_id", "region", "resource_arn", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    resource_arn: Mapped[str] = mapped_column(String(600))
    name: Mapped[str] = mapped_column(String(255))
    document: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    revision_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
