"""Accounts joining and leaving an organization."""

from __future__ import annotations

from typing import Any

from rootplane.services.organizations import repo
from rootplane.services.organizations.caller import attach_defaults
from rootplane.services.organizations.errors import constraint
from rootplane.services.organizations.tables import MembershipRow, OrganizationRow

__all__ = ["add_member", "remove_member"]


def add_member(ctx: Any, org: OrganizationRow, account_id: str, joined_method: str) -> MembershipRow:
    """Place an account under the root with the default policies of each enabled type."""
    membership = MembershipRow(account_id=account_id, org_id=org.id, parent_id=org.root_id, path=f"{org.root_id}/",
                               joined_method=joined_method, joined_at=ctx.now())
    repo.put(ctx.session, membership)
    attach_defaults(ctx, org, account_id, "ACCOUNT")
    return membership


def remove_member(ctx: Any, org: OrganizationRow, membership: MembershipRow) -> None:
    """The account becomes standalone: its attachments, tags and membership go away."""
    if repo.list_delegations_for_account(ctx.session, membership.account_id, None, 1):
        raise constraint("CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
                         "You cannot remove an account that is a delegated administrator for a service. "
                         "Deregister the account as a delegated administrator first.")
    repo.delete_attachments(ctx.session, org.id, target_id=membership.account_id)
    for tag in repo.list_tags(ctx.session, membership.account_id, limit=1000):
        repo.remove(ctx.session, tag)
    repo.remove(ctx.session, membership)
