"""Who may call: the caller's organization, management-account-only and delegated-admin business checks."""

from __future__ import annotations

from typing import Any

from rootplane.services.accounts import repo as accounts
from rootplane.services.accounts.tables import AccountRow
from rootplane.services.organizations import repo
from rootplane.services.organizations.errors import access_denied, not_in_use
from rootplane.services.organizations.org_views import CallerOrganization, OrganizationView, caller_organization
from rootplane.services.organizations.tables import AttachmentRow, MembershipRow, OrganizationRow

__all__ = ["delegable", "READ_ONLY_PREFIXES", "caller_org", "management_only", "management_or_delegate", "reading_caller_org",
           "reading_management_or_delegate", "member_of", "attach_defaults", "management_account", "DEFAULT_POLICY"]

DEFAULT_POLICY = {"SERVICE_CONTROL_POLICY": "p-FullAWSAccess", "RESOURCE_CONTROL_POLICY": "p-RCPFullAWSAccess"}
# What a resource-based delegation policy can grant member accounts (Organizations User Guide, "Delegated
# administrator for AWS Organizations"): the read-only actions and the policy-management ones (delegation.py).
READ_ONLY_PREFIXES = ("Describe", "List")
_POLICY_MANAGEMENT = frozenset({"CreatePolicy", "UpdatePolicy", "DeletePolicy", "AttachPolicy", "DetachPolicy",
                                "EnablePolicyType", "DisablePolicyType", "TagResource", "UntagResource"})


def delegable(operation: str) -> bool:
    """A delegation policy can grant ``operation`` to member accounts."""
    return operation.startswith(READ_ONLY_PREFIXES) or operation in _POLICY_MANAGEMENT


def _delegated(ctx: Any, org_id: str) -> bool:
    """A member account's call the organization's delegation policy allowed: authz.py made its checks evaluate that
    policy (a cross-account request to the management account) whenever it applies, so it applies here."""
    return delegable(ctx.operation) and repo.find_resource_policy(ctx.session, org_id) is not None


def caller_org(ctx: Any) -> OrganizationRow:
    """The caller's organization; AWSOrganizationsNotInUseException when it has none."""
    found = repo.organization_of(ctx.session, ctx.account_id)
    if found is None:
        raise not_in_use()
    return found[0]


def management_only(ctx: Any) -> OrganizationRow:
    """The caller's organization when the caller is its management account, else AccessDeniedException."""
    org = caller_org(ctx)
    if org.management_account_id != ctx.account_id:
        raise access_denied()
    return org


def management_or_delegate(ctx: Any) -> OrganizationRow:
    """Management account, a member registered as delegated administrator for any service, or a member the
    delegation policy lets make this call."""
    org = caller_org(ctx)
    if org.management_account_id != ctx.account_id and not repo.list_delegations_for_account(
            ctx.session, ctx.account_id, None, 1) and not _delegated(ctx, org.id):
        raise access_denied()
    return org


def reading_caller_org(ctx: Any) -> CallerOrganization:
    """``caller_org`` for calls that only read: the cached facts of the caller's organization (org_views.py)."""
    found = caller_organization(ctx.session, ctx.account_id)
    if found is None:
        raise not_in_use()
    return found


def reading_management_or_delegate(ctx: Any) -> OrganizationView:
    """``management_or_delegate`` for calls that only read."""
    found = reading_caller_org(ctx)
    if not found.may_administer and not _delegated(ctx, found.organization.id):
        raise access_denied()
    return found.organization


def management_account(ctx: Any, org: OrganizationRow) -> AccountRow:
    account = accounts.find_account(ctx.session, org.management_account_id)
    assert account is not None
    return account


def member_of(ctx: Any, org: OrganizationRow, account_id: str) -> tuple[MembershipRow, AccountRow] | None:
    """An account's membership and row when it belongs to ``org``."""
    membership = repo.find_membership(ctx.session, account_id)
    if membership is None or membership.org_id != org.id:
        return None
    account = accounts.find_account(ctx.session, account_id)
    return (membership, account) if account is not None else None


def attach_defaults(ctx: Any, org: OrganizationRow, target_id: str, target_type: str) -> None:
    """New roots, OUs and accounts get FullAWSAccess / RCPFullAWSAccess for each enabled type, like AWS."""
    for policy_type in org.enabled_types():
        policy_id = DEFAULT_POLICY.get(policy_type)
        if policy_id is not None:
            repo.put(ctx.session, AttachmentRow(policy_id=policy_id, target_id=target_id, org_id=org.id,
                                                policy_type=policy_type, target_type=target_type))
