"""Account-level resource policies: PutResourcePolicy, DescribeResourcePolicies, DeleteResourcePolicy.

CloudWatch Logs API Reference, PutResourcePolicy: a policy lets AWS service principals create log streams and put
log events in this account; an account has at most 10 policies without ``resourceArn`` per Region
(LimitExceededException); putting a policy of an existing name replaces its document. ``lastUpdatedTime`` is epoch
milliseconds (ResourcePolicy). Deliveries read these policies through api.py.
"""

from __future__ import annotations

from typing import Any

from rootplane.core.errors import AwsError
from rootplane.policy import MalformedPolicy, parse_policy_cached
from rootplane.services.context import RequestContext
from rootplane.services.logs import repo, tokens
from rootplane.services.logs.ingest import epoch_ms
from rootplane.services.logs.lookup import invalid, not_found
from rootplane.services.logs.tables import ResourcePolicyRow

__all__ = ["PolicyOperations", "MAX_POLICIES"]

MAX_POLICIES = 10
DEFAULT_LIMIT = 50


def _shape(row: ResourcePolicyRow) -> dict[str, Any]:
    return {"policyName": row.name, "policyDocument": row.document, "lastUpdatedTime": row.updated_at,
            "policyScope": "ACCOUNT"}


def _document(text: str) -> str:
    """The document, if it is a resource-based policy the policy engine can read."""
    try:
        parse_policy_cached(text, "resource")
    except MalformedPolicy as error:
        raise invalid(f"Policy document is invalid: {error.message}") from None
    return text


class PolicyOperations:
    def put_resource_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name, document = params.get("policyName"), _document(params.get("policyDocument") or "")
        if not name:
            raise invalid("policyName is required.")
        policies = repo.resource_policies(ctx.session, ctx.account_id, ctx.region)
        row = next((policy for policy in policies if policy.name == name), None)
        if row is None:
            if len(policies) >= MAX_POLICIES:
                raise AwsError("LimitExceededException", "Resource limit exceeded.", 400)
            row = repo.put(ctx.session, ResourcePolicyRow(
                account_id=ctx.account_id, region=ctx.region, name=name, document=document,
                updated_at=epoch_ms(ctx.now())), conflict=AwsError(
                "OperationAbortedException", "The resource policy was created concurrently.", 400))
        else:
            row.document, row.updated_at = document, epoch_ms(ctx.now())
        return {"resourcePolicy": _shape(row)}

    def describe_resource_policies(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        after = tokens.decode(params.get("nextToken"))
        if after is not None and not isinstance(after, str):
            raise tokens.invalid_token()
        if params.get("policyScope") == "RESOURCE":
            return {"resourcePolicies": []}  # only account-level policies are kept
        limit = params.get("limit") or DEFAULT_LIMIT
        rows = [row for row in repo.resource_policies(ctx.session, ctx.account_id, ctx.region)
                if after is None or row.name > after]
        result: dict[str, Any] = {"resourcePolicies": [_shape(row) for row in rows[:limit]]}
        if len(rows) > limit:
            result["nextToken"] = tokens.encode(rows[limit - 1].name)
        return result

    def delete_resource_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("policyName") or ""
        row = next((policy for policy in repo.resource_policies(ctx.session, ctx.account_id, ctx.region)
                    if policy.name == name), None)
        if row is None:
            raise not_found(f"Policy with name [{name}] does not exist.")
        ctx.session.delete(row)
        return {}
