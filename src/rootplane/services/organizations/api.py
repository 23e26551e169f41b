"""Organizations facts for other services (IAM centralized root access, STS AssumeRoot, Account), and the delegated
administrators a service registers itself (CloudTrail's RegisterOrganizationDelegatedAdmin)."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy.orm import Session

from rootplane.services.organizations import repo
from rootplane.services.organizations.org_views import caller_organization
from rootplane.services.organizations.tables import DelegatedAdminRow, OrganizationRow

__all__ = ["find_organization_of", "management_account_of", "is_service_access_enabled", "delegated_admin_accounts", "member_account_ids",
           "delegate_limit", "add_delegate", "remove_delegate"]

# Services that accept a single delegated administrator; CloudTrail accepts three (CloudTrail User Guide,
# "Organization delegated administrator"); the others five.
_SINGLE_DELEGATE = frozenset({"iam.amazonaws.com", "account.amazonaws.com", "guardduty.amazonaws.com",
                              "securityhub.amazonaws.com", "macie.amazonaws.com", "detective.amazonaws.com"})
_DELEGATE_LIMITS = {"cloudtrail.amazonaws.com": 3}
_MAX_DELEGATES = 5


def find_organization_of(session: Session, account_id: str) -> OrganizationRow | None:
    """The organization ``account_id`` belongs to (rows have .id, .feature_set, .management_account_id)."""
    found = repo.organization_of(session, account_id)
    return found[0] if found is not None else None


def management_account_of(session: Session, account_id: str) -> str | None:
    """The management account of ``account_id``'s organization, from Organizations' cache of callers (org_views)."""
    found = caller_organization(session, account_id)
    return found.organization.management_account_id if found is not None else None


def is_service_access_enabled(session: Session, org_id: str, service_principal: str) -> bool:
    """Trusted access is enabled for ``service_principal`` (e.g. ``iam.amazonaws.com``)."""
    return repo.find_service_access(session, org_id, service_principal) is not None


def delegated_admin_accounts(session: Session, org_id: str, service_principal: str) -> list[str]:
    """Account ids registered as delegated administrators for ``service_principal``."""
    return repo.delegated_account_ids(session, org_id, service_principal)


def member_account_ids(session: Session, org_id: str) -> list[str]:
    """Every account of the organization except the management account, ordered by id."""
    organization = repo.find_organization(session, org_id)
    if organization is None:
        return []
    return repo.member_ids_except(session, org_id, organization.management_account_id)


def delegate_limit(service_principal: str) -> int:
    """How many delegated administrators ``service_principal`` accepts."""
    if service_principal in _SINGLE_DELEGATE:
        return 1
    return _DELEGATE_LIMITS.get(service_principal, _MAX_DELEGATES)


def add_delegate(session: Session, org_id: str, service_principal: str, account_id: str, now: _dt.datetime) -> None:
    """Register ``account_id`` as a delegated administrator (the caller checked eligibility and the limit)."""
    repo.put(session, DelegatedAdminRow(org_id=org_id, service_principal=service_principal, account_id=account_id,
                                        enabled_at=now))


def remove_delegate(session: Session, org_id: str, service_principal: str, account_id: str) -> bool:
    """Deregister a delegated administrator; False when ``account_id`` was not one."""
    row = repo.find_delegate(session, org_id, service_principal, account_id)
    if row is not None:
        repo.remove(session, row)
    return row is not None
