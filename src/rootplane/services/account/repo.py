"""Queries over Account service rows."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rootplane.services.account.tables import (
    AlternateContactRow, ContactInformationRow, PhoneVerificationRow, PrimaryEmailUpdateRow, RegionOptRow,
)

__all__ = [
    "put", "remove", "find_contact_information", "find_alternate_contact", "find_region_opt", "list_region_opts",
    "find_email_update", "find_phone_verification",
]


def put(session: Session, row: object) -> None:
    session.add(row)


def remove(session: Session, row: object) -> None:
    session.delete(row)


def find_contact_information(session: Session, account_id: str) -> ContactInformationRow | None:
    return session.get(ContactInformationRow, account_id)


def find_alternate_contact(session: Session, account_id: str, contact_type: str) -> AlternateContactRow | None:
    return session.get(AlternateContactRow, (account_id, contact_type))


def find_region_opt(session: Session, account_id: str, region_name: str) -> RegionOptRow | None:
    return session.get(RegionOptRow, (account_id, region_name))


def list_region_opts(session: Session, account_id: str) -> list[RegionOptRow]:
    """The account's opt-in region choices (at most one per opt-in region: a bounded set)."""
    return list(session.scalars(select(RegionOptRow).where(RegionOptRow.account_id == account_id)))


def find_email_update(session: Session, account_id: str) -> PrimaryEmailUpdateRow | None:
    return session.get(PrimaryEmailUpdateRow, account_id)


def find_phone_verification(session: Session, account_id: str) -> PhoneVerificationRow | None:
    return session.get(PhoneVerificationRow, account_id)
