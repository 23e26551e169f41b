"""A trail's SNS topic: CreateTrail and UpdateTrail check that CloudTrail may publish to it.

``SnsTopicName`` is a topic name (in the trail's account and home region) or a topic ARN. The topic must exist and
its policy must let ``cloudtrail.amazonaws.com`` do ``SNS:Publish`` (with the trail as ``aws:SourceArn``), else
InsufficientSnsTopicPolicyException, in AWS's words "SNS Topic does not exist or the topic policy is incorrect!".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from rootplane.authz.gather import source
from rootplane.core.errors import AwsError
from rootplane.services.cloudtrail.tables import TrailRow

__all__ = ["check_topic", "topic_arn"]

SERVICE = "cloudtrail.amazonaws.com"


def topic_arn(trail: TrailRow | Any) -> str | None:
    """The ARN of a trail's topic (``SnsTopicARN``), None without one; a name is in the account and home region of
    the trail's ARN (``trail`` is a TrailRow or the ListedTrail DescribeTrails reads)."""
    name = trail.sns_topic_name
    if not name:
        return None
    if name.startswith("arn:"):
        return name
    _, _, _, region, account_id, _ = trail.trail_arn.split(":", 5)
    return f"arn:aws:sns:{region}:{account_id}:{name}"


def check_topic(session: Session, trail: TrailRow) -> None:
    """Refuse a topic CloudTrail could not publish to (a trail without a topic passes)."""
    arn = topic_arn(trail)
    if arn is None:
        return
    repo, delivery = source("rootplane.services.sns.repo"), source("rootplane.services.sns.delivery")
    topic = repo.find_topic(session, arn) if repo is not None else None
    if topic is None or not delivery.service_may_publish(topic, SERVICE, trail.trail_arn, trail.account_id):
        raise AwsError("InsufficientSnsTopicPolicyException",
                       "SNS Topic does not exist or the topic policy is incorrect!", 400)
