"""Read-only views of SNS topics and their subscriptions, kept in process caches that every committed change to them
invalidates.

Every call on a topic reads it to authorize (its policy) and again to serve it, and Publish reads the topic's
subscriptions: three ORM queries that were most of a Publish's CPU (issue #19). A ``TopicView`` is a frozen copy of
the row's columns in a ``TableCache`` over ``sns_topics``, and a topic's ``SubscriptionView``s one over
``sns_subscriptions`` (store/changes.py), as SQS's queue views are: a commit that writes the table, here or in
another process on the same database (by notification), makes every entry stale, and a transaction that wrote the
table itself reads the rows afresh. Views are never written back: handlers that change a topic or a subscription (and
a FIFO topic's Publish, which numbers its messages on the row) load the ORM rows.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from rootplane.services.sns import repo
from rootplane.services.sns.tables import SubscriptionRow, TopicRow
from rootplane.store.changes import TableCache, frozen_copy

__all__ = ["TopicView", "SubscriptionView", "find_topic_view", "topic_subscription_views"]


@dataclass(frozen=True, slots=True)
class TopicView:
    """The columns of one ``TopicRow`` as they were committed."""

    arn: str
    account_id: str
    region: str
    name: str
    attributes: str
    tags: str
    created_at: _dt.datetime
    sequence: int


@dataclass(frozen=True, slots=True)
class SubscriptionView:
    """The columns of one ``SubscriptionRow`` as they were committed."""

    arn: str
    topic_arn: str
    account_id: str
    region: str
    protocol: str
    endpoint: str
    status: str
    token: str | None
    attributes: str
    created_at: _dt.datetime
    authenticate_on_unsubscribe: bool


_TOPICS: TableCache[TopicView | None] = TableCache([TopicRow.__tablename__])
_SUBSCRIPTIONS: TableCache[tuple[SubscriptionView, ...]] = TableCache([SubscriptionRow.__tablename__])


def find_topic_view(session: Session, arn: str) -> TopicView | None:
    """The topic, or None: from the cache when fresh."""
    return _TOPICS.get(session, arn, lambda s: frozen_copy(TopicView, repo.find_topic(s, arn)))


def topic_subscription_views(session: Session, topic_arn: str) -> tuple[SubscriptionView, ...]:
    """Every subscription of the topic, by ARN: from the cache when fresh."""
    return _SUBSCRIPTIONS.get(session, topic_arn, lambda s: tuple(
        frozen_copy(SubscriptionView, row) for row in repo.list_topic_subscriptions(s, topic_arn)))
