"""Rows: accounts (with their root user), access keys, temporary sessions."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rootplane.services.iam import tables as _iam_tables  # noqa: F401 - maps iam_users (access_keys.user_id)
from rootplane.store.base import Base, UtcDateTime

__all__ = ["AccountRow", "AccessKeyRow", "TemporarySessionRow"]


class AccountRow(Base):
    """An AWS account and its root user (email, password, state)."""

    __tablename__ = "accounts"

    account_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    email: Mapped[str] = mapped_column(String(64), index=True)
    # ACTIVE | PENDING_CLOSURE | SUSPENDED (Organizations' Status); State mirrors it in newer APIs.
    status: Mapped[str] = mapped_column(String(20), default="ACTIVE")
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # Root user's console password (argon2 hash); None = the root user has no password.
    root_password_hash: Mapped[str | None] = mapped_column(Text, nullable=True)
    root_password_changed_at: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # Set when an IAMCreateRootUserPassword session allowed password recovery for a credential-less root.
    root_password_recovery_allowed_at: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    root_last_used_at: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class AccessKeyRow(Base):
    """A long-term access key of a root user (``user_name`` is None) or of an IAM user."""

    __tablename__ = "access_keys"
    __table_args__ = (Index("ix_access_keys_owner", "account_id", "user_name", "created_at"),)

    access_key_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    secret_access_key: Mapped[str] = mapped_column(String(128))
    account_id: Mapped[str] = mapped_column(String(12), ForeignKey("accounts.account_id", ondelete="CASCADE"))
    user_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The IAM user's unique id (None for the root user): a key cannot outlive its user, nor pass to a new user
    # of the same name.
    user_id: Mapped[str | None] = mapped_column(String(128), ForeignKey("iam_users.user_id"), nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="Active")
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    last_used_at: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_used_service: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_used_region: Mapped[str | None] = mapped_column(String(32), nullable=True)


class TemporarySessionRow(Base):
    """Temporary credentials issued by STS (GetSessionToken, AssumeRole, AssumeRoot)."""

    __tablename__ = "temporary_sessions"

    access_key_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    secret_access_key: Mapped[str] = mapped_column(String(128))
    # SHA-256 of the session token (services/accounts/session_tokens.py): the token itself is never stored.
    session_token_sha256: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[str] = mapped_column(String(12), index=True)
    # The serialized Principal (rootplane.auth.principal.Principal.to_json()).
    principal: Mapped[str] = mapped_column(Text)
    source_access_key_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime(), index=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
