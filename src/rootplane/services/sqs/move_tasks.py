"""Message move tasks (dead-letter queue redrive): a task moves its source queue's visible messages, oldest first,
to its destination or, without one, back to the queue each was dead-lettered from.

A task moves what it may have moved by now (everything at once without a rate, else MaxNumberOfMessagesPerSecond ×
the seconds since it started: ``advance``) when it starts, on each pass of the move worker (install.py, every half
second), and whenever the account's queues are received from or its tasks listed or cancelled in the region, so
these see its progress at once.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import json
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from rootplane.core.clock import Clock
from rootplane.core.errors import AwsError
from rootplane.services.sqs import repo
from rootplane.services.sqs.attributes import int_attribute
from rootplane.services.sqs.errors import sqs_error
from rootplane.services.sqs.queues import enqueue, settable_attributes
from rootplane.services.sqs.tables import MessageRow, MoveTaskRow, QueueRow
from rootplane.services.sqs.urls import parse_queue_arn
from rootplane.store.engine import Store, locks_rows

__all__ = [
    "RUNNING", "task_handle", "task_id_of", "queue_at", "task_not_found", "start", "advance", "running_tasks", "step",
]

RUNNING = "RUNNING"
_BATCH = 1000  # messages moved per query


def task_handle(task: MoveTaskRow) -> str:
    """The TaskHandle: opaque to clients; it names the task and its source queue."""
    return base64.b64encode(json.dumps({"taskId": task.task_id, "sourceArn": task.source_arn}).encode()).decode()


def task_not_found() -> AwsError:
    return sqs_error("ResourceNotFoundException", "Task does not exist.")


def task_id_of(handle: str) -> tuple[str, str]:
    """(task id, source ARN) of a TaskHandle; ResourceNotFoundException when it is not one of ours."""
    try:
        named = json.loads(base64.b64decode(handle, validate=True))
        return str(named["taskId"]), str(named["sourceArn"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise task_not_found() from None


def queue_at(session: Session, arn: str, parameter: str) -> QueueRow:
    """The queue an ARN parameter names: InvalidParameterValue when it is no queue ARN, ResourceNotFoundException
    when no such queue exists."""
    parts = parse_queue_arn(arn)
    if parts is None:
        raise sqs_error("InvalidParameterValue", f"You must use this format to specify the {parameter}: "
                        "arn:<partition>:<service>:<region>:<account-id>:<resource-id>")
    row = repo.find_queue(session, parts[1], parts[0], parts[2])
    if row is None:
        raise sqs_error("ResourceNotFoundException",
                        f"The resource that you specified for the {parameter} parameter doesn't exist.")
    return row


def start(session: Session, source_arn: str, destination_arn: str | None, rate: int | None, to_move: int,
          now: _dt.datetime) -> MoveTaskRow:
    """A new RUNNING task, advanced at once (a task without a rate moves everything now)."""
    task = MoveTaskRow(task_id=str(uuid.uuid4()), source_arn=source_arn, destination_arn=destination_arn, rate=rate,
                       status=RUNNING, moved=0, to_move=to_move, started_at=now)
    session.add(task)
    advance(session, task, now)
    return task


def running_tasks(session: Session, account_id: str | None = None, region: str | None = None) -> list[MoveTaskRow]:
    """The RUNNING tasks (whose source queue is in ``account_id`` and ``region`` when given), locked where the store
    locks rows (``locks_rows``), so two servers never advance one task at once."""
    query = select(MoveTaskRow).where(MoveTaskRow.status == RUNNING)
    if account_id is not None:
        query = query.where(MoveTaskRow.source_arn.startswith(f"arn:aws:sqs:{region}:{account_id}:"))
    if locks_rows(session):
        query = query.with_for_update().execution_options(populate_existing=True)
    return list(session.scalars(query))


def step(store: Store, clock: Clock) -> int:
    """One pass of the move worker (install.py) at ``clock``'s now: advance every RUNNING task (a read first, so an
    idle server writes nothing); how many were advanced."""
    with store.transaction(write=False) as session:
        if session.scalars(select(MoveTaskRow.task_id).where(MoveTaskRow.status == RUNNING).limit(1)).first() is None:
            return 0
    now = clock.now()
    with store.transaction(write=True) as session:
        tasks = running_tasks(session)
        for task in tasks:
            advance(session, task, now)
    return len(tasks)


def _due(task: MoveTaskRow, now: _dt.datetime) -> int:
    """How many more messages the task may move by ``now``."""
    if task.rate is None:
        return task.to_move - task.moved
    elapsed = max((now - task.started_at).total_seconds(), 0.0)
    return min(task.to_move, int(task.rate * elapsed)) - task.moved


def _fail(task: MoveTaskRow, reason: str) -> None:
    task.status, task.failure_reason = "FAILED", reason


def _move(session: Session, message: MessageRow, destination: QueueRow, now: _dt.datetime) -> None:
    """Send ``message`` again to ``destination`` as a new message (new id, enqueue time and retention period); a
    FIFO message keeps its group, deduplicated by its old id."""
    copy = MessageRow(message_id=str(uuid.uuid4()), body=message.body, attributes_json=message.attributes_json,
                      md5_of_body=message.md5_of_body, sender_id=message.sender_id, trace_header=message.trace_header,
                      sent_at=now, visible_at=now, receive_count=0)
    params = {"MessageGroupId": message.group_id, "MessageDeduplicationId": message.message_id} if destination.fifo \
        else {}
    enqueue(session, destination, copy, params, now)
    repo.delete_message(session, message)


def advance(session: Session, task: MoveTaskRow, now: _dt.datetime) -> None:
    """Move what ``task`` may have moved by ``now``; COMPLETED once nothing is left to move, FAILED when its source
    is gone or a message's original queue is unknown (CouldNotDetermineMessageSource) or gone."""
    if task.status != RUNNING:
        return
    parts = parse_queue_arn(task.source_arn)
    source = repo.find_queue(session, parts[1], parts[0], parts[2]) if parts else None
    if source is None:
        return _fail(task, "AWS.SimpleQueueService.NonExistentQueue")
    retention = int_attribute(settable_attributes(source), "MessageRetentionPeriod")
    retained_since = now - _dt.timedelta(seconds=retention)
    destinations: dict[str, QueueRow | None] = {}
    due = _due(task, now)
    while due > 0:
        messages = repo.visible_messages(session, source.queue_id, now, retained_since, min(due, _BATCH))
        for message in messages:
            arn = task.destination_arn or message.dead_letter_source_arn
            if arn is None:
                return _fail(task, "CouldNotDetermineMessageSource")
            if arn not in destinations:
                found = parse_queue_arn(arn)
                destinations[arn] = repo.find_queue(session, found[1], found[0], found[2]) if found else None
            destination = destinations[arn]
            if destination is None:
                return _fail(task, "AWS.SimpleQueueService.NonExistentQueue")
            _move(session, message, destination, now)
            task.moved += 1
        session.flush()
        if len(messages) < min(due, _BATCH):
            task.status = "COMPLETED"
            return
        due -= len(messages)
    if task.moved >= task.to_move:
        task.status = "COMPLETED"
