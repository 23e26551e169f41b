"""Organization trails' administrators: the management account and CloudTrail's delegated administrators.

CloudTrail User Guide, "Organization delegated administrator": the management account registers up to three member
accounts (RegisterOrganizationDelegatedAdmin); they manage the organization trails, which the management account
keeps owning (a trail a delegated administrator creates is the management account's, and is named by its ARN).
The registrations are Organizations' own (ListDelegatedAdministrators for cloudtrail.amazonaws.com shows them).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, NamedTuple

from rootplane.authz.gather import source
from rootplane.core.errors import AwsError

__all__ = ["SERVICE", "Administered", "administered", "management_of", "trail_organization", "register", "deregister"]

SERVICE = "cloudtrail.amazonaws.com"


class Administered(NamedTuple):
    """The organization whose trails an account may manage, and the account that owns them."""

    org_id: str
    owner: str


def _error(code: str, message: str) -> AwsError:
    return AwsError(code, message, 400)


def _organizations() -> Any:
    return source("rootplane.services.organizations.api")


def _administered(organizations: Any, session: Any, org: Any, account_id: str) -> Administered | None:
    if org.management_account_id == account_id or account_id in organizations.delegated_admin_accounts(
            session, org.id, SERVICE):
        return Administered(org.id, org.management_account_id)
    return None


def administered(session: Any, account_id: str) -> Administered | None:
    """The organization ``account_id`` administers trails of: as its management account or a delegated admin."""
    organizations = _organizations()
    org = organizations.find_organization_of(session, account_id) if organizations is not None else None
    return _administered(organizations, session, org, account_id) if org is not None else None


def management_of(session: Any, account_id: str) -> str | None:
    """The management account of ``account_id``'s organization (which owns its organization trails)."""
    organizations = _organizations()
    return organizations.management_account_of(session, account_id) if organizations is not None else None


def trail_organization(session: Any, account_id: str) -> Administered:
    """The organization an organization trail created by ``account_id`` belongs to."""
    organizations = _organizations()
    org = organizations.find_organization_of(session, account_id) if organizations is not None else None
    if org is None:
        raise _error("OrganizationsNotInUseException", "This account is not a member of an organization.")
    found = _administered(organizations, session, org, account_id)
    if found is None:
        raise _error("NotOrganizationMasterAccountException",
                     f"The request was rejected because the current account {account_id} is not the management "
                     "account of the organization.")
    return found


def _managed_organization(session: Any, account_id: str) -> tuple[Any, Any]:
    """(Organizations' facts, the organization) when ``account_id`` manages an all-features organization."""
    organizations = _organizations()
    org = organizations.find_organization_of(session, account_id) if organizations is not None else None
    if org is None:
        raise _error("OrganizationsNotInUseException", "This account is not a member of an organization.")
    if org.management_account_id != account_id:
        raise _error("NotOrganizationManagementAccountException",
                     f"The request was rejected because the current account {account_id} is not the management "
                     "account of the organization.")
    if org.feature_set != "ALL":
        raise _error("OrganizationNotInAllFeaturesModeException",
                     "All features must be enabled in AWS Organizations to register a delegated administrator.")
    return organizations, org


def _in_organization(organizations: Any, session: Any, org: Any, member_id: str) -> None:
    if member_id != org.management_account_id and member_id not in organizations.member_account_ids(session, org.id):
        raise _error("AccountNotFoundException", f"Account {member_id} is not found in the organization.")


def _trusted(organizations: Any, session: Any, org: Any) -> None:
    if not organizations.is_service_access_enabled(session, org.id, SERVICE):
        raise _error("CloudTrailAccessNotEnabledException",
                     "Trusted access for CloudTrail is not enabled in AWS Organizations.")


def register(session: Any, account_id: str, member_id: str, now: _dt.datetime) -> None:
    """RegisterOrganizationDelegatedAdmin: the management account registers a member account."""
    organizations, org = _managed_organization(session, account_id)
    if member_id == org.management_account_id:
        raise _error("CannotDelegateManagementAccountException",
                     "You cannot register the management account of an organization as the CloudTrail delegated "
                     "administrator.")
    _in_organization(organizations, session, org, member_id)
    _trusted(organizations, session, org)
    delegates = organizations.delegated_admin_accounts(session, org.id, SERVICE)
    if member_id in delegates:
        raise _error("AccountRegisteredException",
                     f"Account {member_id} is already registered as the CloudTrail delegated administrator.")
    if len(delegates) >= organizations.delegate_limit(SERVICE):
        raise _error("DelegatedAdminAccountLimitExceededException",
                     "The maximum number of CloudTrail delegated administrators for the organization is reached.")
    organizations.add_delegate(session, org.id, SERVICE, member_id, now)


def deregister(session: Any, account_id: str, member_id: str) -> None:
    """DeregisterOrganizationDelegatedAdmin: the management account removes a registered delegated administrator."""
    organizations, org = _managed_organization(session, account_id)
    _in_organization(organizations, session, org, member_id)
    _trusted(organizations, session, org)
    if not organizations.remove_delegate(session, org.id, SERVICE, member_id):
        raise _error("AccountNotRegisteredException",
                     f"Account {member_id} is not registered as the CloudTrail delegated administrator.")
