"""Rows: custom event buses, rules (pattern or schedule) and their targets. The default bus is implicit."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rootplane.store.base import Base, UtcDateTime

__all__ = ["EventBusRow", "RuleRow", "TargetRow"]


class EventBusRow(Base):
    """A custom event bus of one account and region."""

    __tablename__ = "events_buses"
    __table_args__ = (UniqueConstraint("account_id", "region", "name"),)

    arn: Mapped[str] = mapped_column(String(512), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(256))
    description: Mapped[str | None] = mapped_column(String(512), nullable=True)
    policy: Mapped[str | None] = mapped_column(Text, nullable=True)
    tags_json: Mapped[str] = mapped_column(Text, default="{}")  # JSON object of tag key -> value
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    modified_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class RuleRow(Base):
    """A rule on a bus. ``state``: ENABLED | DISABLED | ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS."""

    __tablename__ = "events_rules"
    __table_args__ = (
        UniqueConstraint("account_id", "region", "bus_name", "name"),
        Index("ix_events_rules_bus_state", "account_id", "region", "bus_name", "state"),
    )

    arn: Mapped[str] = mapped_column(String(600), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    bus_name: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(64))
    event_pattern: Mapped[str | None] = mapped_column(Text, nullable=True)
    schedule_expression: Mapped[str | None] = mapped_column(String(256), nullable=True)
    state: Mapped[str] = mapped_column(String(48))
    description: Mapped[str | None] = mapped_column(String(512), nullable=True)
    role_arn: Mapped[str | None] = mapped_column(String(1600), nullable=True)
    tags_json: Mapped[str] = mapped_column(Text, default="{}")  # JSON object of tag key -> value
    created_by: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class TargetRow(Base):
    """A target of a rule; ``spec`` is the Target structure (JSON) as PutTargets gave it."""

    __tablename__ = "events_targets"
    __table_args__ = (Index("ix_events_targets_arn", "target_arn"),)

    rule_arn: Mapped[str] = mapped_column(String(600), ForeignKey("events_rules.arn", ondelete="CASCADE"),
                                          primary_key=True)
    target_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    target_arn: Mapped[str] = mapped_column(String(1600))
    spec: Mapped[str] = mapped_column(Text)
