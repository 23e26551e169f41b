"""Queries for topics and subscriptions (paged by ARN)."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rootplane.services.sns.tables import DeduplicationRow, SigningKeyRow, SubscriptionRow, TopicRow
from rootplane.store.engine import get_row
from rootplane.store.paging import PreparedKeyset, keyset_page

__all__ = [
    "find_topic", "list_topic_arns", "put_topic", "delete_topic", "find_subscription", "find_subscription_by_token",
    "list_subscriptions", "list_topic_subscriptions", "put_subscription", "delete_subscription",
    "find_signing_key", "put_signing_key",
]


def find_topic(session: Session, arn: str, *, lock: bool = False) -> TopicRow | None:
    """The topic ``arn``. ``lock``: the caller changes the topic or what hangs on it (its subscriptions, a FIFO
    topic's sequence number): where the store needs it (``locks_rows``: PostgreSQL's writers), read the row afresh
    ``FOR UPDATE`` and hold it until commit, so that a Subscribe and a DeleteTopic on two servers take turns (the
    subscription must not outlive its topic) and FIFO publishes number their messages one after the other."""
    return get_row(session, TopicRow, arn, lock="update" if lock else None)


@lru_cache(maxsize=None)
def _topic_arns() -> PreparedKeyset:
    return PreparedKeyset(select(TopicRow.arn).where(TopicRow.account_id == bindparam("account_id"),
                                                     TopicRow.region == bindparam("region")), TopicRow.arn)


def list_topic_arns(session: Session, account_id: str, region: str, after: str | None, limit: int) -> list[str]:
    """A page of the account's topics in the region, by ARN (one prepared statement: issue #19)."""
    return [arn for arn, in _topic_arns().page(session, {"account_id": account_id, "region": region}, after, limit)]


def put_topic(session: Session, topic: TopicRow) -> TopicRow:
    session.add(topic)
    return topic


def delete_topic(session: Session, topic: TopicRow) -> None:
    session.execute(delete(SubscriptionRow).where(SubscriptionRow.topic_arn == topic.arn))
    session.execute(delete(DeduplicationRow).where(DeduplicationRow.topic_arn == topic.arn))
    session.delete(topic)


def find_deduplication(session: Session, topic_arn: str, deduplication_id: str) -> DeduplicationRow | None:
    return session.get(DeduplicationRow, (topic_arn, deduplication_id))


def put_deduplication(session: Session, row: DeduplicationRow) -> DeduplicationRow:
    return session.merge(row)


def find_subscription(session: Session, arn: str) -> SubscriptionRow | None:
    return session.get(SubscriptionRow, arn)


def find_subscription_by_token(session: Session, topic_arn: str, token: str) -> SubscriptionRow | None:
    return session.scalars(select(SubscriptionRow).where(
        SubscriptionRow.token == token, SubscriptionRow.topic_arn == topic_arn)).first()


def list_subscriptions(session: Session, account_id: str, region: str, after: str | None,
                       limit: int) -> list[SubscriptionRow]:
    query = select(SubscriptionRow).where(SubscriptionRow.account_id == account_id, SubscriptionRow.region == region)
    return keyset_page(session, query, SubscriptionRow.arn, after, limit)


def list_topic_subscriptions(session: Session, topic_arn: str, after: str | None = None,
                             limit: int | None = None) -> list[SubscriptionRow]:
    query = select(SubscriptionRow).where(SubscriptionRow.topic_arn == topic_arn)
    if after:
        query = query.where(SubscriptionRow.arn > after)
    query = query.order_by(SubscriptionRow.arn)
    return list(session.scalars(query.limit(limit) if limit else query))


def put_subscription(session: Session, subscription: SubscriptionRow) -> SubscriptionRow:
    session.add(subscription)
    return subscription


def delete_subscription(session: Session, subscription: SubscriptionRow) -> None:
    session.delete(subscription)


def find_signing_key(session: Session, key_id: str) -> SigningKeyRow | None:
    return session.get(SigningKeyRow, key_id)


def put_signing_key(session: Session, row: SigningKeyRow) -> SigningKeyRow:
    """Store ``row``; the row stored first wins when another server process creates the key at the same time."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # another process sharing the PostgreSQL store created it first
        stored = find_signing_key(session, row.key_id)
        if stored is None:
            raise
        return stored
    return row
