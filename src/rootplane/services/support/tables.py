"""Rows: support plans, cases, their communications, and KMS key recoveries awaiting the root user's OTP."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rootplane.store.base import Base, UtcDateTime

__all__ = ["CaseRow", "CommunicationRow", "KeyRecoveryRow"]



class CaseRow(Base):
    """A support case. ``status``: opened | pending-customer-action | resolved."""

    __tablename__ = "support_cases"
    __table_args__ = (Index("ix_support_cases_account", "account_id", "created_at"),)

    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_id: Mapped[str] = mapped_column(String(16), unique=True)
    account_id: Mapped[str] = mapped_column(String(12))
    subject: Mapped[str] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(32))
    service_code: Mapped[str] = mapped_column(String(128))
    category_code: Mapped[str] = mapped_column(String(128))
    severity_code: Mapped[str] = mapped_column(String(16))
    issue_type: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    submitted_by: Mapped[str] = mapped_column(String(2048))
    cc_json: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class CommunicationRow(Base):
    """One message on a case, from the customer or from AWS Support."""

    __tablename__ = "support_communications"
    __table_args__ = (Index("ix_support_communications_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(String(2048))
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class KeyRecoveryRow(Base):
    """The recovery of an unmanageable KMS key a case asked for.

    ``status``: AWAITING_CONFIRMATION (an OTP was texted to the root user's phone), VOID (too many failed
    confirmations: a new code must be asked for), NO_PHONE (nothing to text), CONFIRMED (the key policy was reset).
    """

    __tablename__ = "support_key_recoveries"

    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12))
    key_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(32))
    phone_number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    otp: Mapped[str | None] = mapped_column(String(6), nullable=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[_dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
