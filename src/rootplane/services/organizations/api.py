"""Read-only Organizations facts for other services (IAM centralized root access, STS AssumeRoot, Account)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rootplane.services.organizations import repo
from rootplane.services.organizations.tables import OrganizationRow

__all__ = ["find_organization_of", "is_service_access_enabled", "delegated_admin_accounts", "member_account_ids"]


def find_organization_of(session: Session, account_id: str) -> OrganizationRow | None:
    """The organization ``account_id`` belongs to (rows have .id, .feature_set, .management_account_id)."""
    found = repo.organization_of(session, account_id)
    return found[0] if found is not None else None


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
