"""IAM rows: users, groups, roles, instance profiles, managed/inline policies, attachments, login profiles,
MFA devices, signing certificates and account-level settings.

Entities are keyed by their IAM unique id (AIDA/AGPA/AROA/ANPA/AIPA...). Names are unique per account
case-insensitively (``name_key`` is the lower-cased name). Root-user credentials use the account id as owner id.
Tags are stored as an ordered JSON list of ``[key, value]`` pairs.
Children that must not outlive their parent reference its unique id with a foreign key (access keys, login
profiles and group memberships their user, memberships their group, versions their policy): the database refuses
an orphan even if two servers race (the handlers also lock the parent row; see entities.py).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from rootplane.store.base import Base, UtcDateTime

__all__ = [
    "UserRow", "GroupRow", "GroupMemberRow", "RoleRow", "InstanceProfileRow", "ManagedPolicyRow",
    "PolicyVersionRow", "AttachmentRow", "InlinePolicyRow", "LoginProfileRow", "MfaDeviceRow",
    "SigningCertificateRow", "AccountSettingsRow", "AccountAliasRow", "ServerCertificateRow", "SshPublicKeyRow",
    "OidcProviderRow", "SamlProviderRow", "ServiceCredentialRow", "PasswordHistoryRow", "AccessReportJobRow",
    "DeletionTaskRow", "OidcProviderConfigRow",
]


class _Tagged:
    """Mixin: an ordered tag list with a dict view."""

    tag_list: Mapped[list[Any]] = mapped_column(JSON, default=list)

    @property
    def tags(self) -> dict[str, str]:
        return {key: value for key, value in (self.tag_list or [])}


def _boundary_index(table: str) -> Index:
    """The index of the entities a permissions boundary is set on; on SQLite only over those that have one (most have
    none: a CreateUser or CreateRole then writes one index page fewer, a quarter of its commit's WAL frames). Not on
    PostgreSQL: a ``postgresql_where`` loads SQLAlchemy's PostgreSQL dialect with the IAM tables, 2 MiB more RSS for a
    server on SQLite."""
    return Index(f"ix_{table}_boundary_arn", "boundary_arn", sqlite_where=text("boundary_arn IS NOT NULL"))


def user_arn(account_id: str, path: str, user_name: str) -> str:
    """The ARN of an IAM user."""
    return f"arn:aws:iam::{account_id}:user{path}{user_name}"


class UserRow(_Tagged, Base):
    __tablename__ = "iam_users"
    __table_args__ = (UniqueConstraint("account_id", "name_key"), _boundary_index("iam_users"))

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    user_name: Mapped[str] = mapped_column(String(64))
    name_key: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(512), default="/")
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    password_last_used: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    boundary_arn: Mapped[str | None] = mapped_column(String(2048), nullable=True)

    @property
    def arn(self) -> str:
        return user_arn(self.account_id, self.path, self.user_name)


class GroupRow(Base):
    __tablename__ = "iam_groups"
    __table_args__ = (UniqueConstraint("account_id", "name_key"),)

    group_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    group_name: Mapped[str] = mapped_column(String(128))
    name_key: Mapped[str] = mapped_column(String(128))
    path: Mapped[str] = mapped_column(String(512), default="/")
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:group{self.path}{self.group_name}"


class GroupMemberRow(Base):
    __tablename__ = "iam_group_members"
    __table_args__ = (Index("ix_iam_group_members_user", "user_id", "group_key"),)

    group_id: Mapped[str] = mapped_column(String(32), ForeignKey("iam_groups.group_id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), ForeignKey("iam_users.user_id"), primary_key=True)
    group_key: Mapped[str] = mapped_column(String(128))  # group name_key: ListGroupsForUser order/marker
    user_key: Mapped[str] = mapped_column(String(64))    # user name_key: GetGroup order/marker


class RoleRow(_Tagged, Base):
    __tablename__ = "iam_roles"
    __table_args__ = (UniqueConstraint("account_id", "name_key"), _boundary_index("iam_roles"))

    role_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    role_name: Mapped[str] = mapped_column(String(64))
    name_key: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(512), default="/")
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    trust_policy: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    max_session_duration: Mapped[int] = mapped_column(Integer, default=3600)
    boundary_arn: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    last_used_at: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_used_region: Mapped[str | None] = mapped_column(String(32), nullable=True)

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:role{self.path}{self.role_name}"


class InstanceProfileRow(_Tagged, Base):
    __tablename__ = "iam_instance_profiles"
    __table_args__ = (UniqueConstraint("account_id", "name_key"),)

    profile_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    profile_name: Mapped[str] = mapped_column(String(128))
    name_key: Mapped[str] = mapped_column(String(128))
    path: Mapped[str] = mapped_column(String(512), default="/")
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    role_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:instance-profile{self.path}{self.profile_name}"


class ManagedPolicyRow(_Tagged, Base):
    """A customer managed policy (AWS managed policies are shipped as data, never stored)."""

    __tablename__ = "iam_managed_policies"
    __table_args__ = (UniqueConstraint("account_id", "name_key"),)

    policy_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    arn: Mapped[str] = mapped_column(String(2048), unique=True)
    policy_name: Mapped[str] = mapped_column(String(128))
    name_key: Mapped[str] = mapped_column(String(128))
    path: Mapped[str] = mapped_column(String(512), default="/")
    description: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    default_version_id: Mapped[str] = mapped_column(String(16), default="v1")
    next_version: Mapped[int] = mapped_column(Integer, default=2)
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class PolicyVersionRow(Base):
    __tablename__ = "iam_policy_versions"

    policy_id: Mapped[str] = mapped_column(String(32), ForeignKey("iam_managed_policies.policy_id"), primary_key=True)
    version_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    version_number: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(Text)
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class AttachmentRow(Base):
    """A managed policy (AWS or customer, by ARN) attached to a user, group or role."""

    __tablename__ = "iam_attachments"
    __table_args__ = (Index("ix_iam_attachments_policy", "account_id", "policy_arn", "entity_type", "entity_key"),)

    entity_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    policy_arn: Mapped[str] = mapped_column(String(2048), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    entity_type: Mapped[str] = mapped_column(String(8))  # User | Group | Role
    entity_key: Mapped[str] = mapped_column(String(128))  # the entity's name_key (ordering)
    entity_name: Mapped[str] = mapped_column(String(128))
    policy_name: Mapped[str] = mapped_column(String(128))


class InlinePolicyRow(Base):
    __tablename__ = "iam_inline_policies"

    entity_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    policy_name: Mapped[str] = mapped_column(String(128), primary_key=True)
    document: Mapped[str] = mapped_column(Text)


class LoginProfileRow(Base):
    """An IAM user's console password (the root password lives on AccountRow)."""

    __tablename__ = "iam_login_profiles"

    user_id: Mapped[str] = mapped_column(String(32), ForeignKey("iam_users.user_id"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    password_changed_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    password_reset_required: Mapped[bool] = mapped_column(Boolean, default=False)
    max_signin_session_duration: Mapped[int | None] = mapped_column(Integer, nullable=True)


class MfaDeviceRow(_Tagged, Base):
    """A virtual MFA device; ``owner_id`` is the user id it is enabled for, or the account id for the root user."""

    __tablename__ = "iam_mfa_devices"
    __table_args__ = (Index("ix_iam_mfa_devices_owner", "account_id", "owner_id", "serial_number"),)

    serial_number: Mapped[str] = mapped_column(String(512), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), index=True)
    seed: Mapped[str] = mapped_column(String(128))  # base32 TOTP secret (never logged)
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    owner_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    enabled_at: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    drift: Mapped[int] = mapped_column(Integer, default=0)  # steps between server time and the device (resync)
    # Revision 0005 (services/iam/mfa_check.py); sort_order keeps them after tag_list, where the migration adds them.
    used_steps: Mapped[list[int]] = mapped_column(JSON, default=list, sort_order=1)  # recent TOTP steps accepted
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0, sort_order=1)  # consecutive wrong codes
    locked_until: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True, sort_order=1)


class SigningCertificateRow(Base):
    __tablename__ = "iam_signing_certificates"
    __table_args__ = (Index("ix_iam_signing_certificates_owner", "account_id", "owner_id", "uploaded_at"),)

    certificate_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    owner_id: Mapped[str] = mapped_column(String(32))  # user id, or account id for the root user
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="Active")
    uploaded_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class AccountSettingsRow(Base):
    """Per-account IAM settings: password policy and the latest credential report."""

    __tablename__ = "iam_account_settings"

    account_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    password_policy: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    properties: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)  # PutAccountProperties
    sts_token_version: Mapped[int] = mapped_column(Integer, default=1)  # SetSecurityTokenServicePreferences
    report_generated_at: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    report_content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class AccountAliasRow(Base):
    __tablename__ = "iam_account_aliases"

    alias: Mapped[str] = mapped_column(String(63), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), unique=True)


class ServerCertificateRow(_Tagged, Base):
    """An SSL/TLS server certificate (the private key is checked on upload and never stored)."""

    __tablename__ = "iam_server_certificates"
    __table_args__ = (UniqueConstraint("account_id", "name_key"),)

    certificate_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    certificate_name: Mapped[str] = mapped_column(String(128))
    name_key: Mapped[str] = mapped_column(String(128))
    path: Mapped[str] = mapped_column(String(512), default="/")
    body: Mapped[str] = mapped_column(Text)
    chain: Mapped[str | None] = mapped_column(Text, nullable=True)
    uploaded_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:server-certificate{self.path}{self.certificate_name}"


class SshPublicKeyRow(Base):
    """An IAM user's SSH public key (CodeCommit)."""

    __tablename__ = "iam_ssh_public_keys"
    __table_args__ = (Index("ix_iam_ssh_public_keys_user", "user_id", "key_id"),)

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="Active")
    uploaded_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class OidcProviderRow(_Tagged, Base):
    __tablename__ = "iam_oidc_providers"
    __table_args__ = (Index("ix_iam_oidc_providers_account", "account_id", "arn"),)

    arn: Mapped[str] = mapped_column(String(2048), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    url: Mapped[str] = mapped_column(String(255))
    client_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    thumbprints: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class SamlProviderRow(_Tagged, Base):
    __tablename__ = "iam_saml_providers"
    __table_args__ = (Index("ix_iam_saml_providers_account", "account_id", "arn"),)

    arn: Mapped[str] = mapped_column(String(2048), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    provider_uuid: Mapped[str] = mapped_column(String(64))
    metadata_document: Mapped[str] = mapped_column(Text)
    assertion_encryption_mode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    valid_until: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ServiceCredentialRow(Base):
    """A service-specific credential (CodeCommit/Keyspaces user name + password, Bedrock API key); the secret is
    shown once at creation and never stored."""

    __tablename__ = "iam_service_credentials"
    __table_args__ = (Index("ix_iam_service_credentials_user", "user_id", "service_name", "created_at"),)

    credential_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[str] = mapped_column(String(32))
    service_name: Mapped[str] = mapped_column(String(64))
    service_user_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="Active")
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class PasswordHistoryRow(Base):
    """Argon2 hashes of an IAM user's previous passwords (PasswordReusePrevention, at most 24 kept)."""

    __tablename__ = "iam_password_history"
    __table_args__ = (Index("ix_iam_password_history_user", "user_id", "changed_at"),)

    entry_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    password_hash: Mapped[str] = mapped_column(Text)


class AccessReportJobRow(Base):
    """A last accessed report job (GenerateServiceLastAccessedDetails, GenerateOrganizationsAccessReport).

    The report is computed when the job is created; ``report`` is its JSON. Only ``created_by`` (the caller's ARN)
    may read it, as AWS requires of service last accessed jobs.
    """

    __tablename__ = "iam_access_report_jobs"

    job_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), index=True)
    job_kind: Mapped[str] = mapped_column(String(16))  # service | organizations
    subject: Mapped[str] = mapped_column(String(2048))  # the entity or policy ARN, or the Organizations entity path
    granularity: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_by: Mapped[str] = mapped_column(String(2048))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    report: Mapped[str] = mapped_column(Text)


class DeletionTaskRow(Base):
    """A service-linked role deletion task (DeleteServiceLinkedRole), for GetServiceLinkedRoleDeletionStatus."""

    __tablename__ = "iam_deletion_tasks"

    task_id: Mapped[str] = mapped_column(String(1000), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    role_arn: Mapped[str] = mapped_column(String(2048))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class OidcProviderConfigRow(Base):
    """An OIDC provider's trusted identity propagation settings (ContextProvider, IAM Identity Center instance)."""

    __tablename__ = "iam_oidc_provider_configs"

    arn: Mapped[str] = mapped_column(String(2048), primary_key=True)
    context_provider: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    identity_center_instance_arn: Mapped[str | None] = mapped_column(String(1224), nullable=True)
