"""Queries over Organizations rows. Lists take ``after`` (last key of the previous page) and ``limit``."""

from __future__ import annotations

import datetime as _dt
from typing import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from rootplane.services.accounts.tables import AccountRow
from rootplane.services.organizations.tables import (
    AttachmentRow, CreateAccountRequestRow, DelegatedAdminRow, HandshakeRow, MembershipRow, OrganizationRow,
    OrganizationalUnitRow, PolicyRow, ResourcePolicyRow, ServiceAccessRow, TagRow,
)
from rootplane.store.engine import locks_rows
from rootplane.store.paging import keyset_page

__all__ = [
    "lock_tree", "find_resource_policy",
    "put", "remove", "find_organization", "find_membership", "organization_of", "find_ou", "find_ou_by_name",
    "list_ous_for_parent", "count_ous", "count_children", "list_members", "list_members_for_parent",
    "count_members", "find_policy", "find_policy_by_name", "list_policies", "count_policies", "find_attachment",
    "list_attachments_for_target", "count_attachments_for_target", "list_attachments_for_policy",
    "count_attachments_for_policy", "attachments_for_targets", "delete_attachments", "find_request",
    "list_requests", "find_service_access", "list_service_access", "find_delegate", "list_delegates",
    "list_delegations_for_account", "count_delegates", "find_handshake", "list_handshakes",
    "list_tags", "count_closures_since", "count_quota_members", "count_open_invitations", "delete_org_rows", "delegated_account_ids", "member_ids_except", "find_account_by_email", "ou_ids",
    "invited_member_ids", "list_child_handshakes",
]


def put(session: Session, row: object) -> None:
    session.add(row)


def remove(session: Session, row: object) -> None:
    session.delete(row)


# ---------------------------------------------------------------------------------------- organization, OUs
def find_organization(session: Session, org_id: str) -> OrganizationRow | None:
    return session.get(OrganizationRow, org_id)


def lock_tree(session: Session, org: OrganizationRow) -> None:
    """Where the store needs it (``locks_rows``: PostgreSQL's writers), lock the organization's row until commit, so
    that changes to its tree and its policies' attachments (accounts created or moved; OUs created, renamed,
    deleted; policies attached, detached, deleted) take turns on every server: two CreateAccount calls for one email
    or CreateOrganizationalUnit calls for one name must not both find it free, nor a policy be attached to an OU or
    from a policy being deleted. Rows the request read before the lock (authorization reads the policy it names)
    are read again when next used."""
    if locks_rows(session):
        session.refresh(org, with_for_update=True)
        for row in list(session.identity_map.values()):
            if row is not org:
                session.expire(row)


def find_membership(session: Session, account_id: str) -> MembershipRow | None:
    return session.get(MembershipRow, account_id)


def organization_of(session: Session, account_id: str) -> tuple[OrganizationRow, MembershipRow] | None:
    """The organization an account belongs to, with its membership: two primary-key lookups, which the
    session's identity map answers without SQL when asked again in the same request."""
    membership = session.get(MembershipRow, account_id)
    if membership is None:
        return None
    organization = session.get(OrganizationRow, membership.org_id)
    return (organization, membership) if organization is not None else None


def find_ou(session: Session, ou_id: str) -> OrganizationalUnitRow | None:
    return session.get(OrganizationalUnitRow, ou_id)


def find_ou_by_name(session: Session, parent_id: str, name: str) -> OrganizationalUnitRow | None:
    query = select(OrganizationalUnitRow).where(OrganizationalUnitRow.parent_id == parent_id,
                                                OrganizationalUnitRow.name == name)
    return session.scalars(query.limit(1)).first()


def list_ous_for_parent(session: Session, parent_id: str, after: str | None, limit: int) -> list[OrganizationalUnitRow]:
    query = select(OrganizationalUnitRow).where(OrganizationalUnitRow.parent_id == parent_id)
    return keyset_page(session, query, OrganizationalUnitRow.id, after, limit)


def count_ous(session: Session, org_id: str) -> int:
    return int(session.scalar(select(func.count()).where(OrganizationalUnitRow.org_id == org_id)) or 0)


def count_children(session: Session, parent_id: str) -> int:
    ous = session.scalar(select(func.count()).where(OrganizationalUnitRow.parent_id == parent_id)) or 0
    members = session.scalar(select(func.count()).where(MembershipRow.parent_id == parent_id)) or 0
    return int(ous) + int(members)


# ----------------------------------------------------------------------------------------------- members
def _members(query, after: str | None, limit: int):
    if after:
        query = query.where(MembershipRow.account_id > after)
    return query.order_by(MembershipRow.account_id).limit(limit)


def list_members(session: Session, org_id: str, after: str | None, limit: int) -> list[tuple[MembershipRow, AccountRow]]:
    query = (select(MembershipRow, AccountRow).join(AccountRow, AccountRow.account_id == MembershipRow.account_id)
             .where(MembershipRow.org_id == org_id))
    return [(m, a) for m, a in session.execute(_members(query, after, limit))]


def list_members_for_parent(session: Session, parent_id: str, after: str | None,
                            limit: int) -> list[tuple[MembershipRow, AccountRow]]:
    query = (select(MembershipRow, AccountRow).join(AccountRow, AccountRow.account_id == MembershipRow.account_id)
             .where(MembershipRow.parent_id == parent_id))
    return [(m, a) for m, a in session.execute(_members(query, after, limit))]


def count_members(session: Session, org_id: str) -> int:
    return int(session.scalar(select(func.count()).where(MembershipRow.org_id == org_id)) or 0)


def count_quota_members(session: Session, org_id: str, closed_before: _dt.datetime) -> int:
    """Members that count against the accounts quota: all but those closed before ``closed_before`` (permanently
    closed by now)."""
    query = (select(func.count()).select_from(MembershipRow)
             .join(AccountRow, AccountRow.account_id == MembershipRow.account_id)
             .where(MembershipRow.org_id == org_id,
                    AccountRow.closed_at.is_(None) | (AccountRow.closed_at > closed_before)))
    return int(session.scalar(query) or 0)


def count_closures_since(session: Session, org_id: str, since: _dt.datetime) -> int:
    query = (select(func.count()).select_from(MembershipRow)
             .join(AccountRow, AccountRow.account_id == MembershipRow.account_id)
             .where(MembershipRow.org_id == org_id, AccountRow.closed_at.is_not(None), AccountRow.closed_at >= since))
    return int(session.scalar(query) or 0)


# ---------------------------------------------------------------------------------------------- policies
def find_policy(session: Session, policy_id: str) -> PolicyRow | None:
    return session.get(PolicyRow, policy_id)


def find_policy_by_name(session: Session, org_id: str, name: str, policy_type: str) -> PolicyRow | None:
    query = select(PolicyRow).where(PolicyRow.org_id == org_id, PolicyRow.name == name, PolicyRow.type == policy_type)
    return session.scalars(query.limit(1)).first()


def list_policies(session: Session, org_id: str, policy_type: str, after: str | None, limit: int) -> list[PolicyRow]:
    query = select(PolicyRow).where(PolicyRow.org_id == org_id, PolicyRow.type == policy_type)
    return keyset_page(session, query, PolicyRow.id, after, limit)


def count_policies(session: Session, org_id: str, policy_type: str) -> int:
    query = select(func.count()).where(PolicyRow.org_id == org_id, PolicyRow.type == policy_type)
    return int(session.scalar(query) or 0)


# ------------------------------------------------------------------------------------------- attachments
def find_attachment(session: Session, policy_id: str, target_id: str) -> AttachmentRow | None:
    return session.get(AttachmentRow, (policy_id, target_id))


def list_attachments_for_target(session: Session, target_id: str, policy_type: str, after: str | None,
                                limit: int) -> list[AttachmentRow]:
    query = select(AttachmentRow).where(AttachmentRow.target_id == target_id, AttachmentRow.policy_type == policy_type)
    return keyset_page(session, query, AttachmentRow.policy_id, after, limit)


def count_attachments_for_target(session: Session, target_id: str, policy_type: str) -> int:
    query = select(func.count()).where(AttachmentRow.target_id == target_id, AttachmentRow.policy_type == policy_type)
    return int(session.scalar(query) or 0)


def list_attachments_for_policy(session: Session, org_id: str, policy_id: str, after: str | None,
                                limit: int) -> list[AttachmentRow]:
    query = select(AttachmentRow).where(AttachmentRow.org_id == org_id, AttachmentRow.policy_id == policy_id)
    return keyset_page(session, query, AttachmentRow.target_id, after, limit)


def count_attachments_for_policy(session: Session, org_id: str, policy_id: str) -> int:
    query = select(func.count()).where(AttachmentRow.org_id == org_id, AttachmentRow.policy_id == policy_id)
    return int(session.scalar(query) or 0)


def attachments_for_targets(session: Session, target_ids: Iterable[str],
                            policy_type: str) -> list[tuple[str, str, str | None]]:
    """(target_id, policy_id, customer content or None for AWS-managed) for every attachment on the targets."""
    query = (select(AttachmentRow.target_id, AttachmentRow.policy_id, PolicyRow.content)
             .outerjoin(PolicyRow, PolicyRow.id == AttachmentRow.policy_id)
             .where(AttachmentRow.target_id.in_(list(target_ids)), AttachmentRow.policy_type == policy_type)
             .order_by(AttachmentRow.policy_id))
    return [(t, p, c) for t, p, c in session.execute(query)]


def delete_attachments(session: Session, org_id: str, policy_type: str | None = None,
                       target_id: str | None = None) -> None:
    statement = delete(AttachmentRow).where(AttachmentRow.org_id == org_id)
    if policy_type is not None:
        statement = statement.where(AttachmentRow.policy_type == policy_type)
    if target_id is not None:
        statement = statement.where(AttachmentRow.target_id == target_id)
    session.execute(statement)


# -------------------------------------------------------------------------------- create-account requests
def find_request(session: Session, request_id: str) -> CreateAccountRequestRow | None:
    return session.get(CreateAccountRequestRow, request_id)


def list_requests(session: Session, org_id: str, after: str | None, limit: int) -> list[CreateAccountRequestRow]:
    query = select(CreateAccountRequestRow).where(CreateAccountRequestRow.org_id == org_id)
    return keyset_page(session, query, CreateAccountRequestRow.id, after, limit)


# ------------------------------------------------------------------------- trusted access, delegated admins
def find_service_access(session: Session, org_id: str, service_principal: str) -> ServiceAccessRow | None:
    return session.get(ServiceAccessRow, (org_id, service_principal))


def list_service_access(session: Session, org_id: str, after: str | None, limit: int) -> list[ServiceAccessRow]:
    query = select(ServiceAccessRow).where(ServiceAccessRow.org_id == org_id)
    return keyset_page(session, query, ServiceAccessRow.service_principal, after, limit)


def find_delegate(session: Session, org_id: str, service_principal: str, account_id: str) -> DelegatedAdminRow | None:
    return session.get(DelegatedAdminRow, (org_id, service_principal, account_id))


def list_delegates(session: Session, org_id: str, service_principal: str | None, after: str | None,
                   limit: int) -> list[DelegatedAdminRow]:
    """Delegations ordered by (account, service); ``after`` is ``<account>|<service>``."""
    query = select(DelegatedAdminRow).where(DelegatedAdminRow.org_id == org_id)
    if service_principal:
        query = query.where(DelegatedAdminRow.service_principal == service_principal)
    if after:
        account_id, _, service = after.partition("|")
        query = query.where((DelegatedAdminRow.account_id > account_id) | (
            (DelegatedAdminRow.account_id == account_id) & (DelegatedAdminRow.service_principal > service)))
    order = (DelegatedAdminRow.account_id, DelegatedAdminRow.service_principal)
    return list(session.scalars(query.order_by(*order).limit(limit)))


def count_delegates(session: Session, org_id: str, service_principal: str) -> int:
    query = select(func.count()).where(DelegatedAdminRow.org_id == org_id,
                                       DelegatedAdminRow.service_principal == service_principal)
    return int(session.scalar(query) or 0)


def list_delegations_for_account(session: Session, account_id: str, after: str | None,
                                 limit: int) -> list[DelegatedAdminRow]:
    query = select(DelegatedAdminRow).where(DelegatedAdminRow.account_id == account_id)
    return keyset_page(session, query, DelegatedAdminRow.service_principal, after, limit)


# ------------------------------------------------------------------------------------------- handshakes
def find_handshake(session: Session, handshake_id: str) -> HandshakeRow | None:
    return session.get(HandshakeRow, handshake_id)


def list_handshakes(session: Session, *, org_id: str | None = None, target_ids: tuple[str, ...] = (),
                    action: str | None = None, parent_id: str | None = None, after: str | None = None,
                    limit: int = 20) -> list[HandshakeRow]:
    query = select(HandshakeRow)
    if org_id is not None:
        query = query.where(HandshakeRow.org_id == org_id)
    if target_ids:
        query = query.where(HandshakeRow.target_id.in_(target_ids))
    if action:
        query = query.where(HandshakeRow.action == action)
    if parent_id:
        query = query.where(HandshakeRow.parent_id == parent_id)
    if after:
        query = query.where(HandshakeRow.id > after)
    return list(session.scalars(query.order_by(HandshakeRow.id).limit(limit)))


def count_open_invitations(session: Session, org_id: str, now: _dt.datetime, excluded_id: str | None = None) -> int:
    """INVITE handshakes of the organization still waiting for an answer (OPEN and not expired)."""
    query = select(func.count()).where(HandshakeRow.org_id == org_id, HandshakeRow.action == "INVITE",
                                       HandshakeRow.state == "OPEN", HandshakeRow.expires_at > now)
    if excluded_id is not None:
        query = query.where(HandshakeRow.id != excluded_id)
    return int(session.scalar(query) or 0)


# ------------------------------------------------------------------------------------------------- tags
def list_tags(session: Session, resource_id: str, after: str | None = None, limit: int = 51) -> list[TagRow]:
    query = select(TagRow).where(TagRow.resource_id == resource_id)
    return keyset_page(session, query, TagRow.key, after, limit)


def delete_org_rows(session: Session, org_id: str) -> None:
    """Everything of a deleted organization."""
    for table in (OrganizationalUnitRow, MembershipRow, PolicyRow, AttachmentRow, CreateAccountRequestRow,
                  ServiceAccessRow, DelegatedAdminRow, HandshakeRow, ResourcePolicyRow):
        session.execute(delete(table).where(table.org_id == org_id))
    session.execute(delete(OrganizationRow).where(OrganizationRow.id == org_id))


def find_resource_policy(session: Session, org_id: str) -> ResourcePolicyRow | None:
    return session.get(ResourcePolicyRow, org_id)


def delegated_account_ids(session: Session, org_id: str, service_principal: str) -> list[str]:
    query = select(DelegatedAdminRow.account_id).where(
        DelegatedAdminRow.org_id == org_id, DelegatedAdminRow.service_principal == service_principal,
    ).order_by(DelegatedAdminRow.account_id)
    return list(session.scalars(query))


def member_ids_except(session: Session, org_id: str, excluded_account_id: str) -> list[str]:
    query = select(MembershipRow.account_id).where(
        MembershipRow.org_id == org_id, MembershipRow.account_id != excluded_account_id,
    ).order_by(MembershipRow.account_id)
    return list(session.scalars(query))


def find_account_by_email(session: Session, email: str) -> AccountRow | None:
    """Any account (in an org or not) whose root user has this e-mail address, case-insensitively."""
    query = select(AccountRow).where(func.lower(AccountRow.email) == email.strip().lower())
    return session.scalars(query.limit(1)).first()


def ou_ids(session: Session, org_id: str) -> list[str]:
    """Every OU of the organization (bulk changes such as enabling a policy type)."""
    return list(session.scalars(select(OrganizationalUnitRow.id).where(OrganizationalUnitRow.org_id == org_id)))


def invited_member_ids(session: Session, org_id: str) -> list[str]:
    """Members that joined by invitation (they must approve enabling all features)."""
    query = select(MembershipRow.account_id).where(MembershipRow.org_id == org_id,
                                                   MembershipRow.joined_method == "INVITED")
    return list(session.scalars(query.order_by(MembershipRow.account_id)))


def list_child_handshakes(session: Session, parent_id: str) -> list[HandshakeRow]:
    """The handshakes of one all-features request (members' approvals and the final APPROVE_ALL_FEATURES)."""
    return list(session.scalars(select(HandshakeRow).where(HandshakeRow.parent_id == parent_id)
                                .order_by(HandshakeRow.id)))
