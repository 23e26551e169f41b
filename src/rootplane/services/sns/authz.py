"""SNS authorization facts: sns:<Action> on the topic ARN with the topic policy as the resource policy."""

from __future__ import annotations

from typing import Any

from rootplane.auth.principal import ANONYMOUS
from rootplane.authz.checks import AuthzCheck
from rootplane.services.sns import repo
from rootplane.services.sns.delivery import topic_attributes
from rootplane.services.sns.topic_views import find_topic_view

__all__ = ["checks"]

_ON_ACCOUNT = frozenset({"ListTopics", "ListSubscriptions", "CreateTopic"})
_UNSIGNED = frozenset({"ConfirmSubscription", "Unsubscribe"})
# Operations authorized by another operation's action: sns:Publish grants both publish and publish batch (SNS
# Developer Guide, "Amazon SNS API permissions: Actions and resources reference").
_ACTIONS = {"PublishBatch": "Publish"}


def _topic_arn(params: dict[str, Any]) -> str | None:
    return params.get("TopicArn") or params.get("ResourceArn") or params.get("TargetArn")


def checks(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    action = f"sns:{_ACTIONS.get(operation, operation)}"
    if ctx.principal.kind == ANONYMOUS and operation in _UNSIGNED:
        return []  # the token / subscription ARN in the link is the credential
    if operation in _ON_ACCOUNT:
        resource = "*"
        if operation == "CreateTopic":
            resource = f"arn:aws:sns:{ctx.region}:{ctx.account_id}:{params['Name']}"
        return [AuthzCheck(action, resource, ctx.account_id)]
    arn = _topic_arn(params)
    if arn is None and params.get("SubscriptionArn"):
        subscription = repo.find_subscription(ctx.session, params["SubscriptionArn"])
        arn = subscription.topic_arn if subscription is not None else None
    if arn is None:
        return [AuthzCheck(action, "*", ctx.account_id)]
    topic = find_topic_view(ctx.session, arn)
    owner = arn.split(":")[4] if arn.count(":") >= 5 else ctx.account_id
    policy = topic_attributes(topic).get("Policy") if topic is not None else None
    return [AuthzCheck(action, arn, owner, policy)]
