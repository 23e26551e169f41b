"""Queue lookups and enqueueing (FIFO groups, deduplication, sequence numbers) shared by the API and deliveries."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from typing import Any

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.services.sqs import repo
from rootplane.services.sqs.attributes import DEFAULTS, int_attribute
from rootplane.services.sqs.errors import invalid_parameter, missing_parameter, queue_does_not_exist
from rootplane.services.sqs.queue_views import QueueView, find_queue_view
from rootplane.services.sqs.tables import DeduplicationRow, MessageRow, QueueRow
from rootplane.services.sqs.urls import parse_queue_url

__all__ = ["get_queue", "queue_from_url", "queue_view", "settable_attributes", "enqueue", "DEDUPLICATION_WINDOW"]

DEDUPLICATION_WINDOW = _dt.timedelta(minutes=5)
_TOKEN = re.compile(r"^[!-~]{1,128}$")  # MessageGroupId, MessageDeduplicationId: printable ASCII but space


def get_queue(session: Session, account_id: str, region: str, name: str) -> QueueRow:
    row = repo.find_queue(session, account_id, region, name)
    if row is None:
        raise queue_does_not_exist()
    return row


def queue_from_url(session: Session, url: str, region: str) -> QueueRow:
    """The queue a QueueUrl names (any host; keyed by account, region and name)."""
    account_id, name = parse_queue_url(url)
    return get_queue(session, account_id, region, name)


def queue_view(session: Session, account_id: str, region: str, name: str) -> QueueView:
    """``get_queue`` for work that only reads the queue: its cached view (queue_views.py: no SQL when cached)."""
    view = find_queue_view(session, account_id, region, name)
    if view is None:
        raise queue_does_not_exist()
    return view


def settable_attributes(row: QueueRow | QueueView) -> dict[str, str]:
    """Stored attributes with defaults (Policy included when set)."""
    attributes = {**DEFAULTS, **json.loads(row.attributes_json)}
    if row.policy:
        attributes["Policy"] = row.policy
    return attributes


def _not_for_this_queue_type(name: str, value: Any) -> AwsError:
    """A parameter the queue's type does not take (a FIFO queue's per-message delay, a standard queue's
    deduplication id), in AWS's wording."""
    return invalid_parameter(f"Value {value} for parameter {name} is invalid. Reason: The request include parameter "
                             "that is not valid for this queue type.")


def _check_token(name: str, value: str) -> None:
    """A FIFO message's group or deduplication id: 1 to 128 alphanumeric and punctuation characters."""
    if not _TOKEN.match(value):
        raise invalid_parameter(f"Value {value} for parameter {name} is invalid. Reason: {name} can only include "
                                "alphanumeric and punctuation characters. 1 to 128 in length.")


def _fifo_fields(session: Session, queue: QueueRow, message: MessageRow, params: dict[str, Any],
                 now: _dt.datetime) -> MessageRow | None:
    """Fill FIFO fields; returns (a detached copy of) the earlier message when this one is a duplicate. The queue's
    row is locked first where the store needs it (``repo.lock_queue``): sends on two servers then take turns to
    look for a duplicate and to number their messages."""
    repo.lock_queue(session, queue.queue_id)
    group_id = params.get("MessageGroupId")
    if not group_id:
        raise missing_parameter("MessageGroupId")
    _check_token("MessageGroupId", group_id)
    if params.get("DelaySeconds"):
        raise _not_for_this_queue_type("DelaySeconds", params["DelaySeconds"])
    deduplication_id = params.get("MessageDeduplicationId")
    if deduplication_id:
        _check_token("MessageDeduplicationId", deduplication_id)
    else:
        if json.loads(queue.attributes_json).get("ContentBasedDeduplication", "false").lower() != "true":
            raise invalid_parameter("The queue should either have ContentBasedDeduplication enabled or "
                                    "MessageDeduplicationId provided explicitly")
        deduplication_id = hashlib.sha256(message.body.encode("utf-8")).hexdigest()
    scope_key = deduplication_id
    if json.loads(queue.attributes_json).get("DeduplicationScope") == "messageGroup":
        scope_key = f"{group_id}/{deduplication_id}"
    earlier = repo.find_duplicate(session, queue.queue_id, scope_key, now - DEDUPLICATION_WINDOW)
    if earlier is not None:
        return MessageRow(message_id=earlier.message_id, md5_of_body=earlier.md5_of_body,
                          sequence_number=earlier.sequence_number)
    queue.sequence += 1
    message.group_id, message.deduplication_id = group_id, deduplication_id
    message.sequence_number = f"{queue.sequence:020d}"
    repo.put_deduplication(session, DeduplicationRow(
        queue_id=queue.queue_id, scope_key=scope_key, message_id=message.message_id, md5_of_body=message.md5_of_body,
        sequence_number=message.sequence_number, sent_at=now), now - DEDUPLICATION_WINDOW)
    return None


def enqueue(session: Session, queue: QueueRow | QueueView, message: MessageRow, params: dict[str, Any],
            now: _dt.datetime) -> MessageRow:
    """Store ``message`` in ``queue`` (queue delay unless the message sets one); a FIFO duplicate returns the original.
    A FIFO queue is its row (its sequence number counts the messages); a standard one may be its view."""
    message.queue_id = queue.queue_id
    if queue.fifo:
        if not isinstance(queue, QueueRow):
            raise TypeError("a FIFO queue's messages are numbered on its row, not its view")
        earlier = _fifo_fields(session, queue, message, params, now)
        if earlier is not None:
            return earlier
        message.visible_at = now + _dt.timedelta(seconds=int_attribute(json.loads(queue.attributes_json), "DelaySeconds"))
    elif params.get("MessageDeduplicationId"):
        raise _not_for_this_queue_type("MessageDeduplicationId", params["MessageDeduplicationId"])
    elif params.get("DelaySeconds") is None:
        message.visible_at = now + _dt.timedelta(seconds=int_attribute(json.loads(queue.attributes_json), "DelaySeconds"))
    return repo.put_message(session, message)
