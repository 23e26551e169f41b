"""SNS FIFO topics: names, attributes and the Publish rules (group ids, deduplication, sequence numbers).

A FIFO topic's name ends with ``.fifo`` and it is created with ``FifoTopic=true``; each message needs a
MessageGroupId and a MessageDeduplicationId (or the topic's ContentBasedDeduplication, a SHA-256 of the body). A
deduplication id seen in the last 5 minutes is accepted again with the first message's MessageId and
SequenceNumber, and not delivered twice. Standard topics refuse a MessageDeduplicationId.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.services.sns import repo
from rootplane.services.sns.tables import DeduplicationRow, TopicRow
from rootplane.services.sns.topic_views import TopicView

__all__ = ["FifoPublish", "check_topic", "check_throughput_scope", "is_fifo", "deduplication_id", "admit", "record"]

DEDUPLICATION_INTERVAL = _dt.timedelta(minutes=5)
_FIFO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,251}\.fifo$")
_STANDARD_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_FIFO_NAME_RULE = ("Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII "
                   "letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.")
_SEQUENCE_BASE = 10_000_000_000_000_000_000  # 20-digit sequence numbers, as SNS shows them
THROUGHPUT_SCOPES = ("Topic", "MessageGroup")  # FifoThroughputScope: deduplication across the topic or per group


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameter", message, 400)


@dataclass(frozen=True)
class FifoPublish:
    """A FIFO message's group and deduplication ids; ``repeat`` is the earlier answer for a duplicate."""

    group_id: str
    deduplication_id: str
    key: str  # what the topic remembers: the deduplication id in its FifoThroughputScope
    repeat: DeduplicationRow | None = None


def is_fifo(attributes: dict[str, str]) -> bool:
    return attributes.get("FifoTopic") == "true"


def check_topic(name: str, attributes: dict[str, str]) -> None:
    """CreateTopic: the name must fit the topic type; ContentBasedDeduplication and FifoThroughputScope only on FIFO
    topics.

    ``attributes`` (as given) loses a FifoTopic of ``false``, which SNS does not keep."""
    if attributes.get("FifoTopic", "").lower() == "true":
        attributes["FifoTopic"] = "true"
        if not _FIFO_NAME.match(name):
            raise _invalid(_FIFO_NAME_RULE)
        if "FifoThroughputScope" in attributes:
            check_throughput_scope(attributes["FifoThroughputScope"])
        return
    attributes.pop("FifoTopic", None)
    if not _STANDARD_NAME.match(name):
        raise _invalid("Invalid parameter: Topic Name")
    if "ContentBasedDeduplication" in attributes:
        raise _invalid("Invalid parameter: ContentBasedDeduplication Reason: Content-based deduplication can only be "
                       "set for FIFO topics")
    if "FifoThroughputScope" in attributes:
        raise _invalid("Invalid parameter: FifoThroughputScope Reason: FifoThroughputScope can only be set for FIFO "
                       "topics")


def check_throughput_scope(value: str) -> None:
    """A FIFO topic's FifoThroughputScope is Topic or MessageGroup."""
    if value not in THROUGHPUT_SCOPES:
        raise _invalid(f"Invalid parameter: FifoThroughputScope Reason: Invalid value [{value}]. Must be one of "
                       "Topic or MessageGroup.")


def deduplication_id(attributes: dict[str, str], params: dict[str, Any]) -> str | None:
    """A message's FIFO rules (Publish's parameters or a PublishBatch entry): its deduplication id on a FIFO topic
    (given, or the SHA-256 of the body with ContentBasedDeduplication), None on a standard topic (which refuses a
    MessageDeduplicationId); InvalidParameter for a FIFO message without a group id or a deduplication id."""
    given = params.get("MessageDeduplicationId")
    if not is_fifo(attributes):
        if given is not None:
            raise _invalid("Invalid parameter: MessageDeduplicationId Reason: The request includes "
                           "MessageDeduplicationId parameter that is not valid for this topic type")
        return None
    if not params.get("MessageGroupId"):
        raise _invalid("Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
    if given is not None:
        return given
    if attributes.get("ContentBasedDeduplication") != "true":
        raise _invalid("Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
                       "MessageDeduplicationId provided explicitly")
    return hashlib.sha256(params["Message"].encode()).hexdigest()


def admit(session: Session, topic: TopicRow | TopicView, attributes: dict[str, str], params: dict[str, Any],
          now: _dt.datetime) -> FifoPublish | None:
    """Publish's FIFO rules (``deduplication_id``): None for a standard topic, else the message's ids and, for a
    deduplication id seen in the last 5 minutes in the topic's FifoThroughputScope, the earlier answer."""
    deduplication = deduplication_id(attributes, params)
    if deduplication is None:
        return None
    group_id = params["MessageGroupId"]
    key = deduplication
    if attributes.get("FifoThroughputScope") == "MessageGroup":  # a digest: the remembered id fits its column
        key = "group:" + hashlib.sha256(f"{group_id}\n{deduplication}".encode()).hexdigest()
    seen = repo.find_deduplication(session, topic.arn, key)
    return FifoPublish(group_id, deduplication, key, seen if seen is not None and seen.expires_at > now else None)


def record(session: Session, topic: TopicRow, fifo: FifoPublish, message_id: str, now: _dt.datetime) -> str:
    """Give a newly published FIFO message its SequenceNumber and remember its deduplication id."""
    topic.sequence = (topic.sequence or 0) + 1
    sequence_number = str(_SEQUENCE_BASE + topic.sequence)
    repo.put_deduplication(session, DeduplicationRow(
        topic_arn=topic.arn, deduplication_id=fifo.key, message_id=message_id,
        sequence_number=sequence_number, expires_at=now + DEDUPLICATION_INTERVAL))
    return sequence_number
