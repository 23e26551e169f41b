"""The organization's resource-based delegation policy: PutResourcePolicy, DescribeResourcePolicy,
DeleteResourcePolicy (Organizations User Guide, "Delegated administrator for AWS Organizations" and
"Resource-based policy examples for AWS Organizations").

Only the management account writes it. It lets the member accounts it names call Organizations' read-only actions
(Describe*, List*) and its policy-management actions. Such a member's call is authorized like a cross-account
request: its own identity policies and the delegation policy must both allow it (authz.py puts the policy on the
call's checks); the handlers' caller checks then let it through (caller.py ``delegable``).
"""

from __future__ import annotations

import json
from typing import Any

from rootplane.policy import MalformedPolicy, parse_policy
from rootplane.services.context import RequestContext
from rootplane.services.organizations import names, repo
from rootplane.services.organizations.caller import READ_ONLY_PREFIXES, delegable, management_only, \
    reading_management_or_delegate
from rootplane.services.organizations.errors import invalid_input, org_error
from rootplane.services.organizations.tables import ResourcePolicyRow
from rootplane.services.organizations.tags import put_tags

__all__ = ["ResourcePolicyOperations"]


def _strings(value: object) -> list[str]:
    return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] \
        if isinstance(value, list) else []


def _action_supported(action: str) -> bool:
    service, _, name = action.partition(":")
    if service.lower() != "organizations" or not name:
        return False
    if "*" in name or "?" in name:  # a wildcard may only stand for read-only actions ("List*", "Describe*")
        return name.startswith(READ_ONLY_PREFIXES)
    return delegable(name)


def _validate(content: str) -> None:
    """The delegation policy's grammar, principals, actions and resources, with InvalidInputException's reasons."""
    try:
        parse_policy(content, kind="resource")
    except MalformedPolicy:
        raise invalid_input("INVALID_RESOURCE_POLICY_JSON", "The provided resource policy is not valid JSON or "
                            "does not follow the policy grammar.") from None
    statements = json.loads(content)["Statement"]
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal")
        if not isinstance(principal, dict) or set(principal) != {"AWS"} or "NotPrincipal" in statement:
            raise invalid_input("INVALID_PRINCIPAL", "You specified an invalid principal element in the policy.")
        if "NotAction" in statement or not all(map(_action_supported, _strings(statement.get("Action")))):
            raise invalid_input("UNSUPPORTED_ACTION_IN_RESOURCE_POLICY", "You specified an action that a resource "
                                "policy can't delegate: only read-only and policy-management actions.")
        resources = _strings(statement.get("Resource")) if "NotResource" not in statement else ["NotResource"]
        if not all(r == "*" or r.startswith("arn:aws:organizations::") for r in resources):
            raise invalid_input("UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY",
                                "You specified a resource that a resource policy can't delegate.")


def _shape(management_account_id: str, org_id: str, row: ResourcePolicyRow) -> dict[str, Any]:
    return {"ResourcePolicy": {"ResourcePolicySummary": {
        "Id": row.id, "Arn": names.resource_policy_arn(management_account_id, org_id, row.id)},
        "Content": row.content}}


def _existing(ctx: RequestContext, org_id: str) -> ResourcePolicyRow:
    row = repo.find_resource_policy(ctx.session, org_id)
    if row is None:
        raise org_error("ResourcePolicyNotFoundException")
    return row


class ResourcePolicyOperations:
    """The resource-based delegation policy."""

    def put_resource_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_only(ctx)
        _validate(params["Content"])
        row = repo.find_resource_policy(ctx.session, org.id)
        if row is not None and params.get("Tags"):
            raise org_error("InvalidInputException", "You can add tags only when you create the resource policy.")
        if row is None:
            row = ResourcePolicyRow(org_id=org.id, id=names.new_resource_policy_id(), content=params["Content"])
            repo.put(ctx.session, row)
            put_tags(ctx, row.id, params.get("Tags") or [])
        row.content = params["Content"]
        return _shape(org.management_account_id, org.id, row)

    def describe_resource_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = reading_management_or_delegate(ctx)
        return _shape(org.management_account_id, org.id, _existing(ctx, org.id))

    def delete_resource_policy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        org = management_only(ctx)
        row = _existing(ctx, org.id)
        for tag in repo.list_tags(ctx.session, row.id):
            repo.remove(ctx.session, tag)
        repo.remove(ctx.session, row)
