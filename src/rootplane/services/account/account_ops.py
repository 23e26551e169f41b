"""Account name and information, primary (root) e-mail address updates with an OTP mailed to the new address."""

from __future__ import annotations

import datetime as _dt
import hmac
import string
from typing import Any

from rootplane.core.ids import secret_string
from rootplane.services.account import repo
from rootplane.services.account.errors import conflict, not_found, validation
from rootplane.services.account.scope import target_account
from rootplane.services.account.tables import PrimaryEmailUpdateRow
from rootplane.services.accounts import repo as accounts
from rootplane.services.accounts.tables import AccountRow
from rootplane.services.context import RequestContext
from rootplane.services.mail.outbox import send
from rootplane.services.organizations.repo import find_account_by_email
from rootplane.services.organizations.shapes import POST_CLOSURE_PERIOD

__all__ = ["AccountOperations", "OTP_LIFETIME"]

OTP_LIFETIME = _dt.timedelta(hours=24)
_OTP_ALPHABET = string.ascii_uppercase + string.digits


def _account(ctx: RequestContext, params: dict[str, Any]) -> AccountRow:
    account = accounts.find_account(ctx.session, target_account(ctx, params))
    if account is None:
        raise not_found("The specified account could not be found.")
    return account


def _state(account: AccountRow, now: _dt.datetime) -> str:
    if account.status == "ACTIVE" or account.closed_at is None:
        return account.status
    return "CLOSED" if now >= account.closed_at + POST_CLOSURE_PERIOD else "SUSPENDED"


class AccountOperations:
    """Name, information, primary e-mail."""

    def get_account_information(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        account = _account(ctx, params)
        return {"AccountId": account.account_id, "AccountName": account.name,
                "AccountCreatedDate": account.created_at, "AccountState": _state(account, ctx.now())}

    def put_account_name(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        _account(ctx, params).name = params["AccountName"]

    def get_primary_email(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"PrimaryEmail": _account(ctx, params).email}

    def start_primary_email_update(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        account, new_email, now = _account(ctx, params), params["PrimaryEmail"].strip(), ctx.now()
        owner = find_account_by_email(ctx.session, new_email)
        if owner is not None:
            raise conflict("The provided email address is already associated with an AWS account.")
        otp = secret_string(6, _OTP_ALPHABET)
        update = repo.find_email_update(ctx.session, account.account_id)
        if update is None:
            update = PrimaryEmailUpdateRow(account_id=account.account_id)
            repo.put(ctx.session, update)
        update.new_email, update.otp, update.status = new_email, otp, "PENDING"
        update.updated_at, update.expires_at = now, now + OTP_LIFETIME
        send(ctx, new_email, "AWS account primary email address verification",
             f"Use this one-time password to confirm {new_email} as the primary email address of AWS account "
             f"{account.account_id}: {otp}\nIt expires in 24 hours.")
        return {"Status": "PENDING"}

    def accept_primary_email_update(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        account, now = _account(ctx, params), ctx.now()
        update = repo.find_email_update(ctx.session, account.account_id)
        if update is None or update.status != "PENDING" or now >= update.expires_at \
                or update.new_email.lower() != params["PrimaryEmail"].strip().lower():
            raise not_found("No pending primary email update was found for this account and email address.")
        if not hmac.compare_digest(update.otp.upper(), params["Otp"].upper()):
            raise validation("The one-time password (OTP) is incorrect.", "fieldValidationFailed", "Otp")
        account.email = update.new_email
        update.status, update.updated_at = "ACCEPTED", now
        return {"Status": "ACCEPTED"}

    def get_gov_cloud_account_information(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """No account here has a linked AWS GovCloud (US) account (Organizations' CreateGovCloudAccount is not served)."""
        raise not_found("The specified account does not have an associated AWS GovCloud (US) account.")

    def get_primary_email_update_status(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        update = repo.find_email_update(ctx.session, _account(ctx, params).account_id)
        if update is None:
            raise not_found("No primary email update was found for this account.")
        return {"Status": update.status, "UpdatedAt": update.updated_at}
