"""Rows: KMS keys (material sealed under the server master key), aliases and grants."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import Boolean, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rootplane.store.base import Base, UtcDateTime

__all__ = ["KeyRow", "KeyMaterialRow", "AliasRow", "GrantRow", "ImportTokenRow"]


class KeyRow(Base):
    """A KMS key of one account and region. ``state``: Enabled | Disabled | PendingDeletion | PendingImport.

    ``sealed_material`` is the key material (AES key, PKCS#8 private key or HMAC key) encrypted under the server
    master key (services/kms/master.py); it never leaves this module in clear except to the crypto functions.
    Empty while a key of ``origin`` EXTERNAL waits for its material; ``material_digest`` (SHA-256) then tells a
    re-import of the same material from another. A multi-Region key (``mrk-`` id) has one row per Region with the
    same ``key_id`` and material; ``primary_region`` names its primary on every row (None: single-Region key).
    While ``rotation_enabled``, automatic rotation falls every ``rotation_period_days`` from ``rotation_started_at``
    (when it was enabled); both are None for keys whose rotation was enabled before they were recorded (365 days
    from the key's creation then). Automatic rotations falling after ``rotation_checked_at`` (or after the start)
    are not yet stored: they are applied when the key is next used (services/kms/rotation.py).
    ``current_material_id`` names the ``KeyMaterialRow`` Encrypt uses (None: the first material, here).
    ``key_manager``: CUSTOMER, or AWS for an AWS managed key (services/kms/managed.py).
    """

    __tablename__ = "kms_keys"
    __table_args__ = (Index("ix_kms_keys_account_region", "account_id", "region", "key_id"),)

    key_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32), primary_key=True)
    arn: Mapped[str] = mapped_column(String(128))
    key_spec: Mapped[str] = mapped_column(String(32))
    key_usage: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(String(8192), default="")
    policy: Mapped[str] = mapped_column(Text)
    sealed_material: Mapped[bytes] = mapped_column(LargeBinary)
    rotation_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    tags_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    deletion_date: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    pending_window_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    origin: Mapped[str] = mapped_column(String(16), default="AWS_KMS", server_default="AWS_KMS")
    primary_region: Mapped[str | None] = mapped_column(String(32), nullable=True)
    material_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    valid_to: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    expiration_model: Mapped[str | None] = mapped_column(String(32), nullable=True)
    rotation_period_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rotation_started_at: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    rotation_checked_at: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    current_material_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    key_manager: Mapped[str] = mapped_column(String(16), default="CUSTOMER", server_default="CUSTOMER")


class KeyMaterialRow(Base):
    """Key material a rotation added to a symmetric encryption key (the first material stays in ``KeyRow``), sealed
    under the server master key. Shared by every Region's row of a multi-Region key; ``seq`` orders the rotations
    (1 is the first), ``rotation_type`` is AUTOMATIC or ON_DEMAND."""

    __tablename__ = "kms_key_materials"
    __table_args__ = (Index("ix_kms_key_materials_key", "key_id", "seq"),)

    key_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    material_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    sealed_material: Mapped[bytes] = mapped_column(LargeBinary)
    rotation_type: Mapped[str] = mapped_column(String(16))
    rotation_date: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class AliasRow(Base):
    """An alias (``alias/<name>``) pointing at a key of the same account and region."""

    __tablename__ = "kms_aliases"
    __table_args__ = (UniqueConstraint("account_id", "region", "name"), Index("ix_kms_aliases_key", "key_id"))

    alias_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(12))
    region: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(256))
    key_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class GrantRow(Base):
    """A grant: the grantee may perform ``operations_json`` on the key in ``region``, within the encryption-context
    constraints. Each Region's key of a multi-Region key has its own grants, as in AWS; ``region`` is None only for
    grants made before it was recorded, which apply in every Region of their key (as they did then)."""

    __tablename__ = "kms_grants"
    __table_args__ = (
        Index("ix_kms_grants_key", "key_id", "grant_id"),
        Index("ix_kms_grants_retiring", "retiring_principal"),
    )

    grant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(36))
    token: Mapped[str] = mapped_column(String(128), unique=True)
    name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    grantee_principal: Mapped[str] = mapped_column(String(256))
    retiring_principal: Mapped[str | None] = mapped_column(String(256), nullable=True)
    issuing_account: Mapped[str] = mapped_column(String(64))
    operations_json: Mapped[str] = mapped_column(Text)
    constraints_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    region: Mapped[str | None] = mapped_column(String(32), nullable=True)


class ImportTokenRow(Base):
    """GetParametersForImport's answer: the RSA wrapping key pair (private key sealed under the server master key)
    that ImportKeyMaterial unwraps the key material with, for one key, until ``expires_at`` (24 hours)."""

    __tablename__ = "kms_import_tokens"
    __table_args__ = (Index("ix_kms_import_tokens_key", "key_id", "region"),)

    token_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(36))
    region: Mapped[str] = mapped_column(String(32))
    wrapping_algorithm: Mapped[str] = mapped_column(String(32))
    sealed_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
