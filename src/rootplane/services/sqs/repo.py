"""Queries over queues and messages (receive and list queries are indexed and LIMITed)."""

from __future__ import annotations

import datetime as _dt
from functools import cache

from sqlalchemy import and_, bindparam, case, delete, func, or_, select
from sqlalchemy.orm import Session

from rootplane.services.sqs.tables import DeduplicationRow, DeletedQueueRow, MessageRow, MoveTaskRow, QueueRow
from rootplane.store.engine import get_row, locks_rows
from rootplane.store.lazy import statements
from rootplane.store.paging import keyset_page
from rootplane.store.prepared import PreparedStatement
from rootplane.store.rows import insert_object

__all__ = [
    "find_queue", "find_queue_by_id", "lock_queue", "list_queues", "put_queue", "delete_queue", "put_message", "find_message",
    "delete_message", "delete_messages", "visible_messages", "count_messages", "find_duplicate",
    "groups_in_flight", "expire", "put_deduplication", "find_deleted_queue", "put_deleted_queue",
    "list_dead_letter_sources", "list_move_tasks", "find_move_task",
]


def find_queue(session: Session, account_id: str, region: str, name: str) -> QueueRow | None:
    query = select(QueueRow).where(QueueRow.account_id == account_id, QueueRow.region == region, QueueRow.name == name)
    return session.scalars(query).one_or_none()


def lock_queue(session: Session, queue_id: int) -> None:
    """Where the store needs it (``locks_rows``), hold the queue's row until commit (and read it afresh): receives
    from a FIFO queue run one at a time across servers, so a message group's order holds (a concurrent receive would
    skip the head message another one is taking and hand out the next), and so do sends to it, so each message gets
    its own sequence number and a duplicate finds the message it repeats."""
    get_row(session, QueueRow, queue_id, lock="update")


def find_queue_by_id(session: Session, queue_id: int) -> QueueRow | None:
    return session.get(QueueRow, queue_id)


def list_queues(session: Session, account_id: str, region: str, prefix: str | None, after: str | None,
                limit: int) -> list[QueueRow]:
    """The account's queues in a region by name, after ``after``, starting with ``prefix``."""
    query = select(QueueRow).where(QueueRow.account_id == account_id, QueueRow.region == region)
    return keyset_page(session, query, QueueRow.name, after, limit, prefix_column=QueueRow.name, prefix=prefix)


def put_queue(session: Session, row: QueueRow) -> QueueRow:
    session.add(row)
    session.flush()
    return row


def delete_queue(session: Session, row: QueueRow) -> None:
    delete_messages(session, row.queue_id)
    session.delete(row)


def put_message(session: Session, row: MessageRow) -> MessageRow:
    """INSERT the new message now (``insert_object``: no ORM unit of work; the row stays outside the session)."""
    insert_object(session, row)
    return row


def find_message(session: Session, queue_id: int, message_id: str) -> MessageRow | None:
    row = session.get(MessageRow, message_id)
    return row if row is not None and row.queue_id == queue_id else None


def delete_message(session: Session, row: MessageRow) -> None:
    session.delete(row)


def delete_messages(session: Session, queue_id: int) -> None:
    session.execute(delete(MessageRow).where(MessageRow.queue_id == queue_id))


def visible_messages(session: Session, queue_id: int, now: _dt.datetime, retained_since: _dt.datetime,
                     limit: int, skip_groups: set[str] | None = None) -> list[MessageRow]:
    """Up to ``limit`` messages visible at ``now``, oldest first (expired ones are left for ``expire``).

    Where rows must be locked (``locks_rows``: PostgreSQL, whose other processes receive concurrently) the messages
    are claimed ``FOR UPDATE SKIP LOCKED``: a message another receive is taking is skipped, never handed out twice.
    """
    query = select(MessageRow).where(
        MessageRow.queue_id == queue_id, MessageRow.visible_at <= now, MessageRow.sent_at > retained_since,
    )
    if skip_groups:
        query = query.where(or_(MessageRow.group_id.is_(None), MessageRow.group_id.not_in(skip_groups)))
    query = query.order_by(MessageRow.sent_at, MessageRow.sequence_number).limit(limit)
    if locks_rows(session):
        query = query.with_for_update(skip_locked=True).execution_options(populate_existing=True)
    return list(session.scalars(query))


def expire(session: Session, queue_id: int, retained_since: _dt.datetime) -> None:
    """Drop messages older than the retention period."""
    session.execute(delete(MessageRow).where(MessageRow.queue_id == queue_id, MessageRow.sent_at <= retained_since))


def groups_in_flight(session: Session, queue_id: int, now: _dt.datetime) -> set[str]:
    """FIFO message groups that have a received, still invisible message (their order must hold)."""
    query = select(MessageRow.group_id).distinct().where(
        MessageRow.queue_id == queue_id, MessageRow.visible_at > now, MessageRow.receive_count > 0,
        MessageRow.group_id.is_not(None),
    )
    return set(session.scalars(query))


@cache
def _message_counts() -> PreparedStatement:
    """A queue's (visible, in flight, delayed) counts at bound ``now``, compiled once (store/prepared.py)."""
    now = bindparam("now", type_=MessageRow.visible_at.type)
    in_flight = and_(MessageRow.visible_at > now, MessageRow.receive_count > 0)
    delayed = and_(MessageRow.visible_at > now, MessageRow.receive_count == 0)
    return PreparedStatement(select(
        func.count(case((MessageRow.visible_at <= now, 1))),
        func.count(case((in_flight, 1))),
        func.count(case((delayed, 1))),
    ).where(MessageRow.queue_id == bindparam("queue_id")))


def count_messages(session: Session, queue_id: int, now: _dt.datetime) -> tuple[int, int, int]:
    """(visible, in flight, delayed) message counts."""
    visible, flight, waiting = _message_counts().one(statements(session), {"queue_id": queue_id, "now": now})
    return int(visible), int(flight), int(waiting)


def find_duplicate(session: Session, queue_id: int, scope_key: str, since: _dt.datetime) -> DeduplicationRow | None:
    """The FIFO send recorded under ``scope_key`` after ``since`` (even if its message was deleted since)."""
    row = session.get(DeduplicationRow, (queue_id, scope_key))
    return row if row is not None and row.sent_at > since else None


def put_deduplication(session: Session, row: DeduplicationRow, expired_before: _dt.datetime) -> None:
    """Record a FIFO send, dropping the queue's records older than the deduplication window."""
    session.execute(delete(DeduplicationRow).where(DeduplicationRow.queue_id == row.queue_id,
                                                   DeduplicationRow.sent_at <= expired_before))
    session.merge(row)


def find_deleted_queue(session: Session, account_id: str, region: str, name: str) -> DeletedQueueRow | None:
    return session.get(DeletedQueueRow, (account_id, region, name))


def put_deleted_queue(session: Session, row: DeletedQueueRow) -> None:
    session.merge(row)


def list_dead_letter_sources(session: Session, target_arn: str, after: str | None, limit: int) -> list[QueueRow]:
    """Queues whose RedrivePolicy targets ``target_arn``, by name after ``after``."""
    query = select(QueueRow).where(QueueRow.dead_letter_target_arn == target_arn)
    return keyset_page(session, query, QueueRow.name, after, limit)


def list_move_tasks(session: Session, source_arn: str, limit: int, running: bool = False) -> list[MoveTaskRow]:
    """The move tasks from ``source_arn``, most recent first (only the RUNNING one with ``running``)."""
    query = select(MoveTaskRow).where(MoveTaskRow.source_arn == source_arn)
    if running:
        query = query.where(MoveTaskRow.status == "RUNNING")
    return list(session.scalars(query.order_by(MoveTaskRow.started_at.desc()).limit(limit)))


def find_move_task(session: Session, task_id: str) -> MoveTaskRow | None:
    return session.get(MoveTaskRow, task_id)
