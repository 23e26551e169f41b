"""SQS authorization facts: sqs:<Action> on the queue ARN, with the queue's Policy as the resource policy."""

from __future__ import annotations

import json
from typing import Any

from rootplane.authz.checks import AuthzCheck
from rootplane.authz.context_keys import request_tag_context
from rootplane.services.sqs.queue_views import find_queue_view
from rootplane.services.sqs import repo
from rootplane.services.sqs.errors import queue_does_not_exist
from rootplane.services.sqs.move_tasks import queue_at, task_id_of
from rootplane.services.sqs.tables import QueueRow
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


# A dead-letter queue redrive needs, besides its own action on the source queue, the source's messages and the
# destination's SendMessage ("Configure queue permissions for dead-letter queue redrive", SQS Developer Guide).
_REDRIVE_SOURCE = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
MAX_DEAD_LETTER_SOURCES = 1000


def _row_check(action: str, row: QueueRow) -> AuthzCheck:
    return AuthzCheck(action, queue_arn(row.region, row.account_id, row.name), row.account_id, row.policy,
                      resource_tags=json.loads(row.tags_json))


def _move_task_checks(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    """Move tasks are authorized on their source queue (CancelMessageMoveTask: the one its TaskHandle names);
    unknown queues are ResourceNotFoundException. A redrive without destination sends to the queues that have the
    source as their dead-letter queue."""
    source_arn = params["SourceArn"] if "SourceArn" in params else task_id_of(params["TaskHandle"])[1]
    source = queue_at(ctx.session, source_arn, "SourceArn")
    found = [_row_check(f"sqs:{operation}", source)]
    if operation == "StartMessageMoveTask":
        found += [_row_check(action, source) for action in _REDRIVE_SOURCE]
        if params.get("DestinationArn"):
            destinations = [queue_at(ctx.session, params["DestinationArn"], "DestinationArn")]
        else:
            arn = queue_arn(source.region, source.account_id, source.name)
            destinations = repo.list_dead_letter_sources(ctx.session, arn, None, MAX_DEAD_LETTER_SOURCES)
        found += [_row_check("sqs:SendMessage", row) for row in destinations]
    return found


def checks(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    """Unknown queues answer QueueDoesNotExist before authorization (as SQS does)."""
    action = _ACTIONS.get(operation, f"sqs:{operation}")
    if operation.endswith("MessageMoveTask") or operation == "ListMessageMoveTasks":
        return _move_task_checks(ctx, operation, params)
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
