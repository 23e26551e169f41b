"""The centralized-root-access switches of an organization and where they are in force.

Organizations facts (membership, feature set, trusted access, delegated administrators) come from
``rootplane.services.organizations.api``; the switches themselves live in this package's table.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from sqlalchemy.orm import Session

from rootplane.services.organizations import api as organizations
from rootplane.services.rootaccess import repo
from rootplane.services.rootaccess.tables import OrganizationFeaturesRow

__all__ = [
    "ROOT_CREDENTIALS_MANAGEMENT", "ROOT_SESSIONS", "IAM_SERVICE_PRINCIPAL", "ALL_FEATURES",
    "organization_of", "trusted_access_enabled", "is_delegated_admin", "enabled_features", "set_feature",
    "features_in_force",
]

ROOT_CREDENTIALS_MANAGEMENT = "RootCredentialsManagement"
ROOT_SESSIONS = "RootSessions"
IAM_SERVICE_PRINCIPAL = "iam.amazonaws.com"
ALL_FEATURES = "ALL"


def organization_of(session: Session, account_id: str) -> Any | None:
    """The organization ``account_id`` belongs to (``.id``, ``.feature_set``, ``.management_account_id``), or None."""
    return organizations.find_organization_of(session, account_id)


def trusted_access_enabled(session: Session, organization_id: str) -> bool:
    return organizations.is_service_access_enabled(session, organization_id, IAM_SERVICE_PRINCIPAL)


def is_delegated_admin(session: Session, organization_id: str, account_id: str) -> bool:
    """True when ``account_id`` is the organization's registered delegated administrator for IAM."""
    return account_id in set(organizations.delegated_admin_accounts(session, organization_id, IAM_SERVICE_PRINCIPAL))


def enabled_features(session: Session, organization_id: str) -> list[str]:
    """The switched-on features in AWS's order: ``RootSessions`` before ``RootCredentialsManagement``."""
    row = repo.find_features(session, organization_id)
    if row is None:
        return []
    return [name for name, on in ((ROOT_SESSIONS, row.root_sessions),
                                  (ROOT_CREDENTIALS_MANAGEMENT, row.root_credentials_management)) if on]


def set_feature(session: Session, organization_id: str, feature: str, enabled: bool, now: _dt.datetime) -> list[str]:
    """Switch one feature on or off (idempotent) and return the resulting feature list."""
    row = repo.find_features(session, organization_id)
    if row is None:
        row = repo.put_features(session, OrganizationFeaturesRow(
            organization_id=organization_id, root_credentials_management=False, root_sessions=False, updated_at=now,
        ))
    if feature == ROOT_SESSIONS:
        row.root_sessions = enabled
    else:
        row.root_credentials_management = enabled
    row.updated_at = now
    return enabled_features(session, organization_id)


def features_in_force(session: Session, account_id: str) -> frozenset[str]:
    """Features that govern ``account_id`` as a member: its organization's switches, when that organization
    has all features and trusted access for IAM (without it the switches are hidden, not erased)."""
    organization = organization_of(session, account_id)
    if organization is None or organization.feature_set != ALL_FEATURES:
        return frozenset()
    if organization.management_account_id == account_id or not trusted_access_enabled(session, organization.id):
        return frozenset()
    return frozenset(enabled_features(session, organization.id))
