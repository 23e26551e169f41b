"""Primary contact information: stored as JSON, seeded for new member accounts from the management account."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from rootplane.services.account import repo
from rootplane.services.account.tables import ContactInformationRow

__all__ = ["contact_information", "store_contact_information", "seed_member_contact", "normalized_contact"]

_PLACEHOLDER = {
    "AddressLine1": "410 Terry Ave N", "City": "Seattle", "StateOrRegion": "WA", "PostalCode": "98109",
    "CountryCode": "US", "PhoneNumber": "+12065550100",
}


def contact_information(session: Session, account_id: str, account_name: str) -> dict[str, Any]:
    """The stored contact, or a placeholder address under the account's name (every AWS account has one)."""
    row = repo.find_contact_information(session, account_id)
    if row is not None:
        return json.loads(row.data)
    return {"FullName": account_name, **_PLACEHOLDER}


def store_contact_information(session: Session, account_id: str, contact: dict[str, Any]) -> None:
    row = repo.find_contact_information(session, account_id)
    data = json.dumps(contact, sort_keys=True)
    if row is None:
        repo.put(session, ContactInformationRow(account_id=account_id, data=data))
    else:
        row.data = data


def seed_member_contact(session: Session, management_account_id: str, account_id: str, account_name: str) -> None:
    """A member created by Organizations gets the management account's address with its own name as FullName."""
    contact = contact_information(session, management_account_id, account_name)
    store_contact_information(session, account_id, {**contact, "FullName": account_name})


def normalized_contact(contact: dict[str, Any]) -> dict[str, Any]:
    """AWS trims every value, upper-cases CountryCode and rejects values that are blank once trimmed.

    Returns the contact to store or raises ValueError(field name) for a blank field.
    """
    result: dict[str, Any] = {}
    for name, value in contact.items():
        if not isinstance(value, str):
            continue
        trimmed = value.strip()
        if not trimmed:
            raise ValueError(name)
        result[name] = trimmed.upper() if name == "CountryCode" else trimmed
    return result
