"""Rows: queues (attributes, policy, tags) and their messages."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rootplane.store.base import Base, UtcDateTime

__all__ = ["QueueRow", "MessageRow", "DeletedQueueRow", "DeduplicationRow", "MoveTaskRow"]

_NAME = String(80).with_variant(String(80, collation="C"), "postgresql")


class QueueRow(Base):
    """A queue, regional: unique per (account, region, name)."""

    __tablename__ = "sqs_queues"
    __table_args__ = (UniqueConstraint("account_id", "region", "name"),)

    queue_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(_NAME)
    fifo: Mapped[bool] = mapped_column(Boolean, default=False)
    # JSON object of the settable attributes (string values, as SQS returns them); Policy lives in ``policy``.
    attributes_json: Mapped[str] = mapped_column(Text, default="{}")
    policy: Mapped[str | None] = mapped_column(Text, nullable=True)
    tags_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    modified_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    purged_at: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # The RedrivePolicy's deadLetterTargetArn, indexed for ListDeadLetterSourceQueues.
    dead_letter_target_arn: Mapped[str | None] = mapped_column(String(256), nullable=True, index=True)


class MessageRow(Base):
    """A message: body, attributes and its visibility state."""

    __tablename__ = "sqs_messages"
    __table_args__ = (
        Index("ix_sqs_messages_queue_visible", "queue_id", "visible_at", "sent_at"),
        Index("ix_sqs_messages_queue_dedup", "queue_id", "deduplication_id"),
    )

    message_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    queue_id: Mapped[int] = mapped_column(Integer, ForeignKey("sqs_queues.queue_id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    # JSON object name -> {"DataType", "StringValue" | "BinaryValue" (base64)}.
    attributes_json: Mapped[str] = mapped_column(Text, default="{}")
    md5_of_body: Mapped[str] = mapped_column(String(32))
    sender_id: Mapped[str] = mapped_column(String(128))
    trace_header: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    visible_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    receive_count: Mapped[int] = mapped_column(Integer, default=0)
    first_received_at: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    receipt_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    group_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    deduplication_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    sequence_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # The queue a dead-letter queue's message was moved from (its DeadLetterQueueSourceArn; where a redrive returns it).
    dead_letter_source_arn: Mapped[str | None] = mapped_column(String(256), nullable=True)


class DeletedQueueRow(Base):
    """When a queue name was last deleted (a new queue with that name must wait 60 seconds)."""

    __tablename__ = "sqs_deleted_queues"

    account_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    region: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(_NAME, primary_key=True)
    deleted_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class DeduplicationRow(Base):
    """A FIFO deduplication id seen in the last 5 minutes (kept after the message itself is deleted)."""

    __tablename__ = "sqs_deduplication"

    queue_id: Mapped[int] = mapped_column(Integer, ForeignKey("sqs_queues.queue_id", ondelete="CASCADE"),
                                          primary_key=True)
    # The deduplication id, prefixed with the message group for DeduplicationScope=messageGroup.
    scope_key: Mapped[str] = mapped_column(String(260), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(36))
    md5_of_body: Mapped[str] = mapped_column(String(32))
    sequence_number: Mapped[str] = mapped_column(String(40))
    sent_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime(), index=True)


class MoveTaskRow(Base):
    """A message move task (dead-letter queue redrive) from a source queue, with its progress."""

    __tablename__ = "sqs_move_tasks"
    __table_args__ = (Index("ix_sqs_move_tasks_source", "source_arn", "started_at"),)

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source_arn: Mapped[str] = mapped_column(String(256))
    # None: each message returns to the queue it was dead-lettered from.
    destination_arn: Mapped[str | None] = mapped_column(String(256), nullable=True)
    rate: Mapped[int | None] = mapped_column(Integer, nullable=True)  # MaxNumberOfMessagesPerSecond
    status: Mapped[str] = mapped_column(String(16), index=True)
    moved: Mapped[int] = mapped_column(Integer, default=0)
    to_move: Mapped[int] = mapped_column(Integer)
    failure_reason: Mapped[str | None] = mapped_column(String(256), nullable=True)
    started_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
