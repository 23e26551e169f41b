"""What other services use: deliver a message from an AWS service principal (EventBridge, SNS) to a queue."""

from __future__ import annotations

import datetime as _dt
import json

from sqlalchemy.orm import Session

from rootplane.authz.service_requests import decide_for_service
from rootplane.core.errors import AwsError
from rootplane.policy import NamedPolicy, parse_policy_cached
from rootplane.services.sqs import encryption, repo
from rootplane.services.sqs.attributes import int_attribute
from rootplane.services.sqs.messages import new_message
from rootplane.services.sqs.queues import enqueue
from rootplane.services.sqs.urls import parse_queue_arn

__all__ = ["deliver"]


def _allowed(session: Session, queue_arn: str, owner: str, policy: str | None, source_arn: str | None,
             service: str) -> bool:
    """sqs:SendMessage by the service principal, as the queue policy (none: denied) and the owner's RCPs decide."""
    if not policy:
        return False
    resource = NamedPolicy("resource-policy", parse_policy_cached(policy, "resource"), "resource-based policy")
    context = {"aws:SourceArn": source_arn} if source_arn else {}
    return decide_for_service(session, service, "sqs:SendMessage", queue_arn, owner, resource, context).allowed


def deliver(session: Session, queue_arn: str, body: str, now: _dt.datetime, sender_id: str,
            source_arn: str | None = None, source_service: str = "events.amazonaws.com", *,
            attributes: dict[str, dict[str, str]] | None = None, group_id: str | None = None,
            deduplication_id: str | None = None) -> bool:
    """Enqueue ``body`` on the queue if its policy (and its owner's RCPs) let ``source_service`` send, and, for an
    encrypted queue, its key policy let it use the key; False if denied or missing.

    ``attributes`` become message attributes; a FIFO queue gets ``group_id`` (default ``default``) and
    ``deduplication_id`` (default the new message's id)."""
    parts = parse_queue_arn(queue_arn)
    if parts is None:
        return False
    region, account_id, name = parts
    queue = repo.find_queue(session, account_id, region, name)
    if queue is None or not _allowed(session, queue_arn, account_id, queue.policy, source_arn, source_service):
        return False
    queue_attributes = json.loads(queue.attributes_json)
    if not encryption.service_may_send(session, queue, queue_attributes, source_service, source_arn, now):
        return False  # an encrypted queue whose key policy does not let the service use the key
    try:
        message = new_message(body, attributes or {}, sender_id=sender_id, now=now, delay=0,
                              max_size=int_attribute(queue_attributes, "MaximumMessageSize"))
        params = {"MessageGroupId": group_id or "default",
                  "MessageDeduplicationId": deduplication_id or message.message_id} if queue.fifo else {}
        enqueue(session, queue, message, params, now)
    except AwsError:
        return False
    return True
