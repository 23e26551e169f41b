"""Contact information and alternate contacts."""

from __future__ import annotations

from typing import Any

from rootplane.services.accounts import repo as accounts
from rootplane.services.account import repo
from rootplane.services.account.contacts import contact_information, normalized_contact, store_contact_information
from rootplane.services.account.errors import not_found, validation
from rootplane.services.account.phone_ops import verification_status
from rootplane.services.account.tables import AlternateContactRow
from rootplane.services.account.scope import target_account
from rootplane.services.context import RequestContext

__all__ = ["ContactOperations"]

_NO_ALTERNATE = "No contact of the inputted alternate contact type found."


class ContactOperations:
    """Primary contact and BILLING/OPERATIONS/SECURITY contacts."""

    def get_contact_information(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        account_id = target_account(ctx, params)
        account = accounts.find_account(ctx.session, account_id)
        name = account.name if account is not None else account_id
        contact = contact_information(ctx.session, account_id, name)
        return {"ContactInformation": contact,
                "VerificationStatus": verification_status(ctx.session, account_id, contact["PhoneNumber"], ctx.now())}

    def put_contact_information(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        try:
            contact = normalized_contact(params["ContactInformation"])
        except ValueError as blank:
            raise validation(f"the argument {blank.args[0]} can not be empty") from None
        store_contact_information(ctx.session, target_account(ctx, params), contact)

    def get_alternate_contact(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = repo.find_alternate_contact(ctx.session, target_account(ctx, params), params["AlternateContactType"])
        if row is None:
            raise not_found(_NO_ALTERNATE)
        return {"AlternateContact": {
            "Name": row.name, "Title": row.title, "EmailAddress": row.email_address, "PhoneNumber": row.phone_number,
            "AlternateContactType": row.contact_type,
        }}

    def put_alternate_contact(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        account_id, contact_type = target_account(ctx, params), params["AlternateContactType"]
        row = repo.find_alternate_contact(ctx.session, account_id, contact_type)
        if row is None:
            row = AlternateContactRow(account_id=account_id, contact_type=contact_type)
            repo.put(ctx.session, row)
        # AWS keeps Name, Title and PhoneNumber as given and trims the e-mail address.
        row.name, row.title = params["Name"], params["Title"]
        row.email_address, row.phone_number = params["EmailAddress"].strip(), params["PhoneNumber"]

    def delete_alternate_contact(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = repo.find_alternate_contact(ctx.session, target_account(ctx, params), params["AlternateContactType"])
        if row is None:
            raise not_found(_NO_ALTERNATE)
        repo.remove(ctx.session, row)
