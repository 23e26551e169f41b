"""Organizations authorization facts: ``organizations:<Operation>`` on the resource ARNs AWS documents.

Resources are the organization's ARNs (in the management account), evaluated as the caller's own-account
request; but a member account's call that the organization's resource-based delegation policy could grant is a
cross-account request to the management account, decided by the member's policies and that policy together.
Who may call what (management account only, delegated administrators) is a business check in the handlers.
"""

from __future__ import annotations

from typing import Any

from rootplane.authz.checks import AuthzCheck
from rootplane.services.organizations import names, repo
from rootplane.services.organizations.caller import delegable
from rootplane.services.organizations.managed import managed_policy
from rootplane.services.organizations.org_views import caller_organization
from rootplane.services.organizations.tables import OrganizationRow

__all__ = ["checks"]

# operation -> request members naming the resources it acts on
_RESOURCE_PARAMS: dict[str, tuple[str, ...]] = {
    "AttachPolicy": ("PolicyId", "TargetId"), "DetachPolicy": ("PolicyId", "TargetId"),
    "CloseAccount": ("AccountId",), "DescribeAccount": ("AccountId",), "RemoveAccountFromOrganization": ("AccountId",),
    "RegisterDelegatedAdministrator": ("AccountId",), "DeregisterDelegatedAdministrator": ("AccountId",),
    "ListDelegatedServicesForAccount": ("AccountId",),
    "CreateOrganizationalUnit": ("ParentId",), "ListAccountsForParent": ("ParentId",), "ListChildren": ("ParentId",),
    "ListOrganizationalUnitsForParent": ("ParentId",), "ListParents": ("ChildId",),
    "DescribeOrganizationalUnit": ("OrganizationalUnitId",), "UpdateOrganizationalUnit": ("OrganizationalUnitId",),
    "DeleteOrganizationalUnit": ("OrganizationalUnitId",),
    "DescribePolicy": ("PolicyId",), "UpdatePolicy": ("PolicyId",), "DeletePolicy": ("PolicyId",),
    "ListTargetsForPolicy": ("PolicyId",), "ListPoliciesForTarget": ("TargetId",),
    "EnablePolicyType": ("RootId",), "DisablePolicyType": ("RootId",),
    "MoveAccount": ("AccountId", "SourceParentId", "DestinationParentId"),
    "TagResource": ("ResourceId",), "UntagResource": ("ResourceId",), "ListTagsForResource": ("ResourceId",),
    "DescribeEffectivePolicy": ("TargetId",),
}


# operation -> the request member naming the policy type its organizations:PolicyType condition key has (the
# operations naming a PolicyId take that policy's type).
_POLICY_TYPE_PARAMS = {
    "CreatePolicy": "Type", "ListPolicies": "Filter", "ListPoliciesForTarget": "Filter",
    "EnablePolicyType": "PolicyType", "DisablePolicyType": "PolicyType", "DescribeEffectivePolicy": "PolicyType",
}


def _policy_type(session: Any, operation: str, params: dict[str, Any]) -> str | None:
    """The organizations:PolicyType condition key of a request (Service Authorization Reference)."""
    member = _POLICY_TYPE_PARAMS.get(operation)
    if member is not None:
        return params.get(member)
    policy_id = params.get("PolicyId")
    if not policy_id:
        return None
    managed = managed_policy(policy_id)
    if managed is not None:
        return managed["PolicySummary"]["Type"]
    row = repo.find_policy(session, policy_id)
    return row.type if row is not None else None


def _arn(session: Any, org: OrganizationRow, resource_id: str) -> str:
    mgmt = org.management_account_id
    if resource_id.startswith("r-"):
        return names.root_arn(mgmt, org.id, resource_id)
    if resource_id.startswith("ou-"):
        return names.ou_arn(mgmt, org.id, resource_id)
    if resource_id.startswith("p-"):
        managed = managed_policy(resource_id)
        if managed is not None:
            return managed["PolicySummary"]["Arn"]
        row = repo.find_policy(session, resource_id)
        return names.policy_arn(mgmt, org.id, row.type, resource_id) if row is not None else "*"
    return names.account_arn(mgmt, org.id, resource_id)


def _delegation_policy(ctx: Any, operation: str) -> tuple[str, str] | None:
    """(management account, delegation policy) when the caller is a member account that administers nothing and
    its organization's resource-based delegation policy could grant ``operation`` (delegation.py)."""
    if not delegable(operation):
        return None
    caller = caller_organization(ctx.session, ctx.account_id)
    if caller is None or caller.may_administer:
        return None
    row = repo.find_resource_policy(ctx.session, caller.organization.id)
    return (caller.organization.management_account_id, row.content) if row is not None else None


def checks(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    action = f"organizations:{operation}"
    members = [params[m] for m in _RESOURCE_PARAMS.get(operation, ()) if params.get(m)]
    owner, policy = _delegation_policy(ctx, operation) or (ctx.account_id, None)
    policy_type = _policy_type(ctx.session, operation, params)
    context = {"organizations:PolicyType": policy_type} if policy_type else None
    org = None
    if members:
        found = repo.organization_of(ctx.session, ctx.account_id)
        org = found[0] if found is not None else None
    if org is None:
        return [AuthzCheck(action, "*", owner, resource_policy=policy, context=context)]
    return [AuthzCheck(action, _arn(ctx.session, org, member), owner, resource_policy=policy, context=context)
            for member in members]
