"""Policy targets (root, OU, account) and policies as seen from one organization."""

from __future__ import annotations

from typing import Any

from rootplane.services.accounts import repo as accounts
from rootplane.services.organizations import names, repo
from rootplane.services.organizations.errors import org_error
from rootplane.services.organizations.managed import is_managed, managed_policy
from rootplane.services.organizations.tables import OrganizationRow, PolicyRow

__all__ = ["target_type", "target_summary", "find_org_policy"]


def target_type(ctx: Any, org: OrganizationRow, target_id: str) -> str | None:
    """ROOT, ORGANIZATIONAL_UNIT or ACCOUNT when ``target_id`` belongs to ``org``."""
    if target_id == org.root_id:
        return "ROOT"
    if target_id.startswith("ou-"):
        ou = repo.find_ou(ctx.session, target_id)
        return "ORGANIZATIONAL_UNIT" if ou is not None and ou.org_id == org.id else None
    membership = repo.find_membership(ctx.session, target_id)
    return "ACCOUNT" if membership is not None and membership.org_id == org.id else None


def target_summary(ctx: Any, org: OrganizationRow, target_id: str, kind: str) -> dict[str, Any]:
    """PolicyTargetSummary of one attachment target."""
    mgmt = org.management_account_id
    if kind == "ROOT":
        return {"TargetId": target_id, "Arn": names.root_arn(mgmt, org.id, target_id), "Name": "Root", "Type": kind}
    if kind == "ORGANIZATIONAL_UNIT":
        ou = repo.find_ou(ctx.session, target_id)
        return {"TargetId": target_id, "Arn": names.ou_arn(mgmt, org.id, target_id),
                "Name": ou.name if ou is not None else "", "Type": kind}
    account = accounts.find_account(ctx.session, target_id)
    return {"TargetId": target_id, "Arn": names.account_arn(mgmt, org.id, target_id),
            "Name": account.name if account is not None else "", "Type": kind}


def find_org_policy(ctx: Any, org: OrganizationRow, policy_id: str) -> tuple[str, PolicyRow | None]:
    """(type, customer row or None for AWS-managed); PolicyNotFoundException when unknown to ``org``."""
    if is_managed(policy_id):
        record = managed_policy(policy_id)
        assert record is not None
        return record["PolicySummary"]["Type"], None
    row = repo.find_policy(ctx.session, policy_id)
    if row is None or row.org_id != org.id:
        raise org_error("PolicyNotFoundException")
    return row.type, row
