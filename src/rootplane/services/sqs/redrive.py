"""Dead-letter queues: a message received maxReceiveCount times moves to the RedrivePolicy's target."""

from __future__ import annotations

import datetime as _dt
import json

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.services.sqs import repo
from rootplane.services.sqs.errors import invalid_parameter
from rootplane.services.sqs.tables import MessageRow, QueueRow
from rootplane.services.sqs.urls import parse_queue_arn, queue_arn

__all__ = ["check_redrive_target", "dead_letter"]


def _target(session: Session, attributes: dict[str, str]) -> tuple[QueueRow, int] | None:
    try:
        policy = json.loads(attributes.get("RedrivePolicy") or "{}")
        parts = parse_queue_arn(str(policy["deadLetterTargetArn"]))
        limit = int(policy["maxReceiveCount"])
    except (ValueError, KeyError, TypeError):
        return None
    if parts is None:
        return None
    region, account_id, name = parts
    queue = repo.find_queue(session, account_id, region, name)
    return (queue, limit) if queue is not None else None


MAX_RECEIVE_COUNT = 1000


def check_redrive_target(session: Session, queue: QueueRow, attributes: dict[str, str]) -> None:
    """A RedrivePolicy must name its dead-letter queue (``deadLetterTargetArn``), one that exists and is of the
    source's type (FIFO for FIFO, standard for standard), with a ``maxReceiveCount`` from 1 to 1000 when given."""
    value = attributes.get("RedrivePolicy")
    if not value:
        return

    def invalid(reason: str) -> AwsError:
        return invalid_parameter(f"Value {value} for parameter RedrivePolicy is invalid. Reason: {reason}")

    policy = json.loads(value)
    if "deadLetterTargetArn" not in policy:
        raise invalid("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
    count = policy.get("maxReceiveCount")
    if count is not None and not (str(count).isdigit() and 1 <= int(count) <= MAX_RECEIVE_COUNT):
        raise invalid(f"Invalid value for maxReceiveCount: {count}, valid values are from 1 to {MAX_RECEIVE_COUNT} "
                      "both inclusive.")
    parts = parse_queue_arn(str(policy["deadLetterTargetArn"]))
    target = repo.find_queue(session, parts[1], parts[0], parts[2]) if parts is not None else None
    if target is None:
        raise invalid("Dead letter target does not exist.")
    if target.fifo != queue.fifo:
        raise invalid("Dead-letter queue must be same type of queue as the source.")


def dead_letter(session: Session, queue: QueueRow, attributes: dict[str, str], message: MessageRow,
                now: _dt.datetime) -> bool:
    """Move ``message`` to the dead-letter queue if it has been received too often, noting the queue it leaves (its
    DeadLetterQueueSourceArn, where a redrive without destination returns it); True when moved."""
    target = _target(session, attributes)
    if target is None or message.receive_count < target[1] or target[0].queue_id == queue.queue_id:
        return False
    message.queue_id = target[0].queue_id
    message.dead_letter_source_arn = queue_arn(queue.region, queue.account_id, queue.name)
    message.visible_at = now
    return True
