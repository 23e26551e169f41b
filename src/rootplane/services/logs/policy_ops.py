"""Resource policies: PutResourcePolicy, DescribeResourcePolicies, DeleteResourcePolicy.

CloudWatch Logs API Reference, PutResourcePolicy: a policy lets AWS service principals create log streams and put
log events in this account. Account-level policies are named (``policyName``); an account has at most 10 of them per
Region (LimitExceededException), and putting one of an existing name replaces its document. A log group has at most
one policy of its own (``resourceArn``, scope ``RESOURCE``), changed or deleted only at its current ``revisionId``
(``expectedRevisionId``: absent when creating it), else OperationAbortedException; PutResourcePolicy takes a name or
a log group, not both. ``lastUpdatedTime`` is epoch milliseconds (ResourcePolicy). Deliveries read the policies
through api.py.
"""

from __future__ import annotations

import uuid
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.policy import MalformedPolicy, parse_policy_cached
from rootplane.services.context import RequestContext
from rootplane.services.logs import repo, tokens
from rootplane.services.logs.ingest import epoch_ms
from rootplane.services.logs.lookup import invalid, not_found, require_group_arn
from rootplane.services.logs.tables import ResourcePolicyRow

__all__ = ["PolicyOperations", "MAX_POLICIES"]

MAX_POLICIES = 10
DEFAULT_LIMIT = 50


def _shape(row: ResourcePolicyRow) -> dict[str, Any]:
    if not row.resource_arn:
        return {"policyName": row.name, "policyDocument": row.document, "lastUpdatedTime": row.updated_at,
                "policyScope": "ACCOUNT"}
    return {"policyDocument": row.document, "lastUpdatedTime": row.updated_at, "policyScope": "RESOURCE",
            "resourceArn": row.resource_arn, "revisionId": row.revision_id}


def _key(row: ResourcePolicyRow) -> str:
    """A policy's place in DescribeResourcePolicies' order: its name, or its log group's ARN."""
    return row.resource_arn or row.name


def _document(text: str) -> str:
    """The document, if it is a resource-based policy the policy engine can read."""
    try:
        parse_policy_cached(text, "resource")
    except MalformedPolicy as error:
        raise invalid(f"Policy document is invalid: {error.message}") from None
    return text


def _conflict() -> AwsError:
    return AwsError("OperationAbortedException",
                    "The resource policy was changed concurrently: its revision is not the expected one.", 400)


def _scope(ctx: RequestContext, params: dict[str, Any]) -> tuple[str, str]:
    """(resource ARN, name) a request names: a caller's log group (its ARN, no name) or an account-level name."""
    arn, name = params.get("resourceArn"), params.get("policyName")
    if arn and name:
        raise invalid("policyName and resourceArn are mutually exclusive parameters.")
    if arn:
        return require_group_arn(ctx, arn).arn, ""
    if not name:
        raise invalid("Either policyName or resourceArn must be specified.")
    return "", name


def _revised(row: ResourcePolicyRow | None, expected: str | None) -> None:
    """A log group's policy is changed only at its current revision (created without one)."""
    if expected != (row.revision_id if row is not None else None):
        raise _conflict()


class PolicyOperations:
    def put_resource_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        arn, name = _scope(ctx, params)
        document = _document(params.get("policyDocument") or "")
        policies = repo.resource_policies(ctx.session, ctx.account_id, ctx.region, arn)
        row = next((policy for policy in policies if policy.name == name), None)
        if arn:
            _revised(row, params.get("expectedRevisionId"))
        elif row is None and len(policies) >= MAX_POLICIES:
            raise AwsError("LimitExceededException", "Resource limit exceeded.", 400)
        revision = str(uuid.uuid4()) if arn else None
        if row is None:
            row = repo.put(ctx.session, ResourcePolicyRow(
                account_id=ctx.account_id, region=ctx.region, resource_arn=arn, name=name, document=document,
                updated_at=epoch_ms(ctx.now()), revision_id=revision), conflict=_conflict())
        else:
            row.document, row.updated_at, row.revision_id = document, epoch_ms(ctx.now()), revision
        result: dict[str, Any] = {"resourcePolicy": _shape(row)}
        if revision:
            result["revisionId"] = revision
        return result

    def describe_resource_policies(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        after = tokens.decode(params.get("nextToken"))
        if after is not None and not isinstance(after, str):
            raise tokens.invalid_token()
        arn = params.get("resourceArn")
        if arn:
            rows = repo.resource_policies(ctx.session, ctx.account_id, ctx.region, require_group_arn(ctx, arn).arn)
        elif params.get("policyScope") == "RESOURCE":
            rows = repo.group_policies(ctx.session, ctx.account_id, ctx.region)
        else:
            rows = repo.resource_policies(ctx.session, ctx.account_id, ctx.region)
        rows = [row for row in rows if after is None or _key(row) > after]
        limit = params.get("limit") or DEFAULT_LIMIT
        result: dict[str, Any] = {"resourcePolicies": [_shape(row) for row in rows[:limit]]}
        if len(rows) > limit:
            result["nextToken"] = tokens.encode(_key(rows[limit - 1]))
        return result

    def delete_resource_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        arn, name = _scope(ctx, params)
        row = next((policy for policy in repo.resource_policies(ctx.session, ctx.account_id, ctx.region, arn)
                    if policy.name == name), None)
        if row is None:
            raise not_found(f"Policy with name [{name}] does not exist." if name
                            else "The specified resource policy does not exist.")
        if arn:
            _revised(row, params.get("expectedRevisionId"))
        ctx.session.delete(row)
        return {}
