"""SQS authorization facts: sqs:<Action> on the queue ARN, with the queue's Policy as the resource policy."""

from __future__ import annotations

import json
from typing import Any

from rootplane.authz.checks import AuthzCheck
from rootplane.authz.context_keys import request_tag_context
from rootplane.services.sqs.queue_views import find_queue_view
from rootplane.services.sqs.errors import queue_does_not_exist
from rootplane.services.sqs.urls import parse_queue_url, queue_arn

__all__ = ["checks"]

# Batch operations are authorized as their single-message action.
_ACTIONS = {
    "SendMessageBatch": "sqs:SendMessage",
    "DeleteMessageBatch": "sqs:DeleteMessage",
    "ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
}
# The owning account's root keeps queue-policy management despite a Deny in the queue policy (aws-spec f.2, h.4),
# and finding the queue (GetQueueUrl opens the documented unlock flow, aws-spec n.6).
_OWNER_EXEMPT = frozenset({"GetQueueUrl", "GetQueueAttributes", "SetQueueAttributes"})


def _request_context(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    if operation == "TagQueue":
        return request_tag_context(params.get("Tags"))
    if operation == "UntagQueue" and params.get("TagKeys"):
        return {"aws:TagKeys": list(params["TagKeys"])}
    return {}


def _queue_check(ctx: Any, action: str, account_id: str, name: str, operation: str,
                 context: dict[str, Any] | None = None) -> AuthzCheck:
    row = find_queue_view(ctx.session, account_id, ctx.region, name)
    if row is None:
        raise queue_does_not_exist()
    return AuthzCheck(action, queue_arn(ctx.region, account_id, name), account_id, row.policy,
                      context=context or {}, resource_tags=json.loads(row.tags_json),
                      resource_owner_exempt=operation in _OWNER_EXEMPT)


def checks(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    """Unknown queues answer QueueDoesNotExist before authorization (as SQS does)."""
    action = _ACTIONS.get(operation, f"sqs:{operation}")
    if params.get("QueueUrl"):
        account_id, name = parse_queue_url(params["QueueUrl"])
        return [_queue_check(ctx, action, account_id, name, operation, _request_context(operation, params))]
    if operation == "GetQueueUrl":
        owner = params.get("QueueOwnerAWSAccountId") or ctx.account_id
        return [_queue_check(ctx, action, owner, params["QueueName"], operation)]
    if operation == "CreateQueue":
        arn = queue_arn(ctx.region, ctx.account_id, params["QueueName"])
        context = request_tag_context(params.get("tags"))
        found = [AuthzCheck(action, arn, ctx.account_id, context=context)]
        if params.get("tags"):
            found.append(AuthzCheck("sqs:TagQueue", arn, ctx.account_id, context=context))
        return found
    return [AuthzCheck(action, "*", ctx.account_id)]
