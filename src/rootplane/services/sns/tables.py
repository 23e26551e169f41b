"""Rows: SNS topics and their subscriptions."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import BigInteger, Boolean, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from rootplane.store.base import Base, UtcDateTime

__all__ = ["TopicRow", "SubscriptionRow", "SigningKeyRow", "DeduplicationRow"]


class TopicRow(Base):
    """A topic; ``attributes`` holds the settable attributes (Policy, DisplayName, ...) as JSON."""

    __tablename__ = "sns_topics"
    __table_args__ = (Index("ix_sns_topics_owner", "account_id", "region", "arn"),)

    arn: Mapped[str] = mapped_column(String(512), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(256))
    attributes: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    # FIFO topics: the SequenceNumber of the last message published.
    sequence: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class DeduplicationRow(Base):
    """A FIFO topic's recent MessageDeduplicationId: a repeat within the interval is accepted, not delivered."""

    __tablename__ = "sns_deduplication"

    topic_arn: Mapped[str] = mapped_column(String(512), primary_key=True)
    deduplication_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64))
    sequence_number: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class SubscriptionRow(Base):
    """A subscription. ``status``: PendingConfirmation | Confirmed. ``token`` confirms a pending one.
    ``authenticate_on_unsubscribe``: confirmed by a signed ConfirmSubscription with AuthenticateOnUnsubscribe=true,
    so only a signed Unsubscribe by the subscription's or the topic's owner removes it."""

    __tablename__ = "sns_subscriptions"
    __table_args__ = (
        Index("ix_sns_subscriptions_topic", "topic_arn", "arn"),
        Index("ix_sns_subscriptions_owner", "account_id", "region", "arn"),
        Index("ix_sns_subscriptions_token", "token"),
    )

    arn: Mapped[str] = mapped_column(String(600), primary_key=True)
    topic_arn: Mapped[str] = mapped_column(String(512))
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    protocol: Mapped[str] = mapped_column(String(16))
    endpoint: Mapped[str] = mapped_column(String(2048))
    status: Mapped[str] = mapped_column(String(24))
    token: Mapped[str | None] = mapped_column(String(256), nullable=True)
    attributes: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    authenticate_on_unsubscribe: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class SigningKeyRow(Base):
    """The RSA key SNS signs messages with, and its self-signed certificate (PEM). One row, created at first use."""

    __tablename__ = "sns_signing_keys"
    __table_args__ = {"info": {"kept_on_reset": True}}  # server identity: a reset keeps it (store/snapshot.py)

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    private_key_pem: Mapped[str] = mapped_column(Text)
    certificate_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
