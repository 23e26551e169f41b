"""The accounts-per-organization quota (a server setting: ``--max-accounts-per-organization``, AWS default 10).

As AWS counts it (Organizations User Guide, "Quotas and service limits"): member accounts, closed ones too until
they are permanently closed, and invitations sent that are still open (a declined, canceled or expired invitation
gives its place back).
"""

from __future__ import annotations

from typing import Any

from rootplane.services.organizations import repo
from rootplane.services.organizations.shapes import POST_CLOSURE_PERIOD
from rootplane.services.organizations.tables import HandshakeRow, OrganizationRow

__all__ = ["organization_full", "LIMIT_MESSAGE", "HANDSHAKE_LIMIT_MESSAGE"]

LIMIT_MESSAGE = "You have reached the maximum number of accounts in your organization."
# HandshakeConstraintViolationException's, as AWS answered an InviteAccountToOrganization past the quota (quoted in
# awslabs/compliant-framework-for-federal-and-dod-workloads-in-aws-govcloud-us issue #12)
HANDSHAKE_LIMIT_MESSAGE = "You have exceeded the allowed number of AWS accounts"


def organization_full(ctx: Any, org: OrganizationRow, accepting: HandshakeRow | None = None) -> bool:
    """True when one more account would exceed the organization's account quota; ``accepting``: the invitation
    being accepted, whose place is the one the account takes."""
    now = ctx.now()
    members = repo.count_quota_members(ctx.session, org.id, now - POST_CLOSURE_PERIOD)
    invitations = repo.count_open_invitations(ctx.session, org.id, now,
                                              accepting.id if accepting is not None else None)
    return members + invitations >= ctx.config.max_accounts_per_organization
