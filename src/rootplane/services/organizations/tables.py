"""Rows of Organizations. Account name/email/status live on the shared ``AccountRow``."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rootplane.store.base import Base, UtcDateTime

__all__ = [
    "OrganizationRow", "OrganizationalUnitRow", "MembershipRow", "PolicyRow", "AttachmentRow",
    "CreateAccountRequestRow", "ServiceAccessRow", "DelegatedAdminRow", "HandshakeRow", "TagRow",
    "ResourcePolicyRow",
]


class OrganizationRow(Base):
    """An organization with its single root (``root_id``) and the policy types enabled on that root."""

    __tablename__ = "org_organizations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    management_account_id: Mapped[str] = mapped_column(String(12), unique=True)
    feature_set: Mapped[str] = mapped_column(String(24))
    root_id: Mapped[str] = mapped_column(String(40), unique=True)
    # Space-separated policy types enabled on the root, e.g. "SERVICE_CONTROL_POLICY RESOURCE_CONTROL_POLICY".
    policy_types: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())

    def enabled_types(self) -> list[str]:
        return self.policy_types.split()


class OrganizationalUnitRow(Base):
    """An OU; ``path`` lists the ids from the root down to it (``r-ab12/ou-ab12-x/ou-ab12-y/``)."""

    __tablename__ = "org_units"
    __table_args__ = (Index("ix_org_units_parent_name", "parent_id", "name"),
                      Index("ix_org_units_parent_id_id", "parent_id", "id"))

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(40), index=True)
    parent_id: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(128))
    depth: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(Text)
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class MembershipRow(Base):
    """An account in an organization (the management account too); ``path`` as for OUs, ending at the parent."""

    __tablename__ = "org_memberships"
    __table_args__ = (Index("ix_org_memberships_org_account", "org_id", "account_id"),
                      Index("ix_org_memberships_parent_account", "parent_id", "account_id"))

    account_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(40))
    parent_id: Mapped[str] = mapped_column(String(80))
    path: Mapped[str] = mapped_column(Text)
    joined_method: Mapped[str] = mapped_column(String(10))
    joined_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class PolicyRow(Base):
    """A customer-managed policy (AWS-managed ones are data: rootplane/data/organizations_policies)."""

    __tablename__ = "org_policies"
    __table_args__ = (Index("ix_org_policies_org_type_id", "org_id", "type", "id"),
                      Index("ix_org_policies_org_name", "org_id", "name"))

    id: Mapped[str] = mapped_column(String(140), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(String(512), default="")
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class AttachmentRow(Base):
    """A policy attached to a root, OU or account."""

    __tablename__ = "org_policy_attachments"
    __table_args__ = (Index("ix_org_policy_attachments_target_type", "target_id", "policy_type"),
                      Index("ix_org_policy_attachments_org_policy", "org_id", "policy_id", "target_id"))

    policy_id: Mapped[str] = mapped_column(String(140), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(40))
    policy_type: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(24))


class CreateAccountRequestRow(Base):
    """A CreateAccount request; reported IN_PROGRESS until ``completes_at``, then ``state``."""

    __tablename__ = "org_create_account_requests"
    __table_args__ = (Index("ix_org_create_account_requests_org_id", "org_id", "id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(40))
    account_name: Mapped[str] = mapped_column(String(50))
    account_id: Mapped[str | None] = mapped_column(String(12), nullable=True)
    state: Mapped[str] = mapped_column(String(12))
    failure_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    requested_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    completes_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class ServiceAccessRow(Base):
    """Trusted access enabled for an AWS service principal."""

    __tablename__ = "org_service_access"

    org_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    service_principal: Mapped[str] = mapped_column(String(128), primary_key=True)
    enabled_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class DelegatedAdminRow(Base):
    """A member account registered as delegated administrator for a service principal."""

    __tablename__ = "org_delegated_admins"
    __table_args__ = (Index("ix_org_delegated_admins_account", "account_id", "service_principal"),)

    org_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    service_principal: Mapped[str] = mapped_column(String(128), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    enabled_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class HandshakeRow(Base):
    """An invitation (INVITE) or a step of enabling all features (ENABLE_ALL_FEATURES, APPROVE_ALL_FEATURES).

    ``parent_id``: the management account's ENABLE_ALL_FEATURES request that a member's approval or the final
    APPROVE_ALL_FEATURES handshake belongs to.
    """

    __tablename__ = "org_handshakes"
    __table_args__ = (Index("ix_org_handshakes_org_id", "org_id", "id"),
                      Index("ix_org_handshakes_target", "target_id", "id"),
                      Index("ix_org_handshakes_parent", "parent_id", "state"))

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(12))
    target_id: Mapped[str] = mapped_column(String(320))
    target_type: Mapped[str] = mapped_column(String(12))
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    requested_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    parent_id: Mapped[str | None] = mapped_column(String(40), nullable=True)


class TagRow(Base):
    """A tag on an account, OU, root or policy."""

    __tablename__ = "org_tags"

    resource_id: Mapped[str] = mapped_column(String(140), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class ResourcePolicyRow(Base):
    """The organization's resource-based delegation policy (PutResourcePolicy): at most one per organization."""

    __tablename__ = "org_resource_policies"

    org_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    id: Mapped[str] = mapped_column(String(131), unique=True)
    content: Mapped[str] = mapped_column(Text)
