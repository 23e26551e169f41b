"""Rows of the Account service. The account name and root e-mail live on the shared ``AccountRow``."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rootplane.store.base import Base, UtcDateTime

__all__ = ["AccountPreferencesRow", "ContactInformationRow", "AlternateContactRow", "RegionOptRow", "PrimaryEmailUpdateRow", "PhoneVerificationRow"]


class ContactInformationRow(Base):
    """The primary contact of an account (``data``: the ContactInformation shape as JSON)."""

    __tablename__ = "account_contact_information"

    account_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    data: Mapped[str] = mapped_column(Text)


class AlternateContactRow(Base):
    """A BILLING, OPERATIONS or SECURITY contact."""

    __tablename__ = "account_alternate_contacts"

    account_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    contact_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(50))
    email_address: Mapped[str] = mapped_column(String(254))
    phone_number: Mapped[str] = mapped_column(String(25))


class RegionOptRow(Base):
    """An opt-in region moving to ``target`` (ENABLED or DISABLED); in transition until ``settles_at``."""

    __tablename__ = "account_region_opt"

    account_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    region_name: Mapped[str] = mapped_column(String(50), primary_key=True)
    target: Mapped[str] = mapped_column(String(10))
    settles_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class PrimaryEmailUpdateRow(Base):
    """A pending or finished change of an account's primary (root) e-mail address."""

    __tablename__ = "account_primary_email_updates"

    account_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    new_email: Mapped[str] = mapped_column(String(64))
    otp: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class PhoneVerificationRow(Base):
    """Verification of the primary contact's phone number: PENDING (an OTP was texted) or VERIFIED."""

    __tablename__ = "account_phone_verifications"

    account_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    phone_number: Mapped[str] = mapped_column(String(25))
    otp: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(10))
    expires_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())


class AccountPreferencesRow(Base):
    """Root-only console settings of an account: IAM access to Billing, and the AWS Support plan."""

    __tablename__ = "account_preferences"

    account_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    iam_billing_access: Mapped[bool] = mapped_column(Boolean, default=False)
    # BASIC | DEVELOPER | BUSINESS | ENTERPRISE
    support_plan: Mapped[str] = mapped_column(String(16), default="BUSINESS")
