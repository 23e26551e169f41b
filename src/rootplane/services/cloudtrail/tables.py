"""Rows: CloudTrail Event history (one row per record per account) with its lookup index, and trails."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rootplane.store.base import Base, UtcDateTime

__all__ = ["EventRow", "EventResourceRow", "TrailRow", "DigestKeyRow", "DigestChainRow"]


class EventRow(Base):
    """A management event as Event history keeps it (90 days). ``record`` is the CloudTrail record JSON."""

    __tablename__ = "cloudtrail_events"
    __table_args__ = (
        Index("ix_cloudtrail_events_time", "account_id", "region", "event_time", "event_id"),
        Index("ix_cloudtrail_events_name", "account_id", "region", "event_name", "event_time", "event_id"),
        Index("ix_cloudtrail_events_user", "account_id", "region", "username", "event_time", "event_id"),
        Index("ix_cloudtrail_events_source", "account_id", "region", "event_source", "event_time", "event_id"),
        Index("ix_cloudtrail_events_key", "account_id", "region", "access_key_id", "event_time", "event_id"),
        Index("ix_cloudtrail_events_read", "account_id", "region", "read_only", "event_time", "event_id"),
    )

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    event_time: Mapped[_dt.datetime] = mapped_column(UtcDateTime(), index=True)  # the retention sweep's range
    event_name: Mapped[str] = mapped_column(String(128))
    event_source: Mapped[str] = mapped_column(String(128))
    read_only: Mapped[bool] = mapped_column(Boolean)
    username: Mapped[str] = mapped_column(String(256))
    access_key_id: Mapped[str] = mapped_column(String(128))
    # [[type, name], ...] as LookupEvents reports them (ResourceType, ResourceName).
    resources: Mapped[str] = mapped_column(Text, default="[]")
    record: Mapped[str] = mapped_column(Text)
    # Internal, never in ``record``: JSON of the statement that allowed or denied the call (authz/authorizer.py).
    deciding_statement: Mapped[str | None] = mapped_column(Text, nullable=True)


class EventResourceRow(Base):
    """One resource of an event, for ResourceType/ResourceName lookups."""

    __tablename__ = "cloudtrail_event_resources"
    __table_args__ = (
        Index("ix_cloudtrail_event_resources_type", "account_id", "region", "resource_type", "event_time", "event_id"),
        Index("ix_cloudtrail_event_resources_name", "account_id", "region", "resource_name", "event_time", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36))  # the event's (joined through the events' primary key)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    event_time: Mapped[_dt.datetime] = mapped_column(UtcDateTime(), index=True)
    resource_type: Mapped[str] = mapped_column(String(128))
    resource_name: Mapped[str] = mapped_column(String(2048))


class TrailRow(Base):
    """A trail: where (S3 bucket, CloudWatch Logs log group) and what it logs, and whether it is logging."""

    __tablename__ = "cloudtrail_trails"
    __table_args__ = (Index("ix_cloudtrail_trails_logging", "is_logging"),)

    trail_arn: Mapped[str] = mapped_column(String(512), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), index=True)
    name: Mapped[str] = mapped_column(String(128))
    home_region: Mapped[str] = mapped_column(String(32))
    s3_bucket_name: Mapped[str] = mapped_column(String(63))
    s3_key_prefix: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sns_topic_name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    include_global_service_events: Mapped[bool] = mapped_column(Boolean, default=True)
    is_multi_region: Mapped[bool] = mapped_column(Boolean, default=False)
    is_organization_trail: Mapped[bool] = mapped_column(Boolean, default=False)
    log_file_validation: Mapped[bool] = mapped_column(Boolean, default=False)
    kms_key_id: Mapped[str | None] = mapped_column(String(512), nullable=True)
    is_logging: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    stopped_at: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    event_selectors: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    latest_delivery_time: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    latest_delivery_attempt: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    latest_delivery_error: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # JSON object {key: value-or-null} of the trail's tags; JSON list of InsightSelectors, None when Insights are off.
    tags_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    insight_selectors: Mapped[str | None] = mapped_column(Text, nullable=True)
    # CloudWatch Logs delivery: the log group (ARN ending ":*") and the role CloudTrail assumes to write to it.
    cloud_watch_logs_group_arn: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    cloud_watch_logs_role_arn: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    latest_cloud_watch_logs_delivery_time: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    latest_cloud_watch_logs_delivery_error: Mapped[str | None] = mapped_column(String(256), nullable=True)
    # Log file validation: the last digest file written, or why the last one could not be.
    latest_digest_delivery_time: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    latest_digest_delivery_error: Mapped[str | None] = mapped_column(String(64), nullable=True)


class DigestKeyRow(Base):
    """A key pair a Region signs digest files with from ``valid_from`` on, for 30 days (CloudTrail signs each
    Region's digests with keys of its own; ListPublicKeys gives out the public halves)."""

    __tablename__ = "cloudtrail_digest_keys"

    region: Mapped[str] = mapped_column(String(32), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(32), primary_key=True)
    private_key_pem: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class DigestChainRow(Base):
    """Where a trail's chain of digest files for one account and Region stands: its last digest (JSON: location,
    times, signature, hash, the log files it lists and the digest it follows), which the next digest links to."""

    __tablename__ = "cloudtrail_digest_chains"

    trail_arn: Mapped[str] = mapped_column(String(512), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    region: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_digest: Mapped[str] = mapped_column(Text)
