"""The accounts-per-organization quota (a server setting: ``--max-accounts-per-organization``, AWS default 10)."""

from __future__ import annotations

from typing import Any

from rootplane.services.organizations import repo
from rootplane.services.organizations.tables import OrganizationRow

__all__ = ["organization_full", "LIMIT_MESSAGE"]

LIMIT_MESSAGE = "You have reached the maximum number of accounts in your organization."


def organization_full(ctx: Any, org: OrganizationRow) -> bool:
    """True when one more account would exceed the organization's account quota."""
    return repo.count_members(ctx.session, org.id) >= ctx.config.max_accounts_per_organization
