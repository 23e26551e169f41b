"""Phone number verification of the primary contact: an OTP texted (kept in the outbox) and submitted back."""

from __future__ import annotations

import datetime as _dt
import hmac
from typing import Any

from rootplane.core.ids import secret_string
from rootplane.services.account import repo
from rootplane.services.account.contacts import contact_information
from rootplane.services.account.errors import not_found, validation
from rootplane.services.account.scope import target_account
from rootplane.services.account.tables import PhoneVerificationRow
from rootplane.services.accounts import repo as accounts
from rootplane.services.context import RequestContext
from rootplane.services.mail.outbox import send_text_message

__all__ = ["PhoneOperations", "verification_status", "OTP_LIFETIME"]

OTP_LIFETIME = _dt.timedelta(minutes=10)


def _phone_number(ctx: RequestContext, account_id: str) -> str:
    account = accounts.find_account(ctx.session, account_id)
    if account is None:
        raise not_found("The specified account could not be found.")
    return contact_information(ctx.session, account_id, account.name)["PhoneNumber"]


def verification_status(session: Any, account_id: str, phone_number: str, now: _dt.datetime) -> str:
    """VERIFIED/PENDING for the current number; a changed number or a lapsed OTP is UNVERIFIED."""
    row = repo.find_phone_verification(session, account_id)
    if row is None or row.phone_number != phone_number:
        return "UNVERIFIED"
    if row.status == "PENDING" and now >= row.expires_at:
        return "UNVERIFIED"
    return row.status


class PhoneOperations:
    """SendPhoneNumberVerification and VerifyPhoneNumber."""

    def send_phone_number_verification(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        account_id = target_account(ctx, params)
        phone_number, now = _phone_number(ctx, account_id), ctx.now()
        if verification_status(ctx.session, account_id, phone_number, now) == "VERIFIED":
            return {"Status": "VERIFIED"}
        row = repo.find_phone_verification(ctx.session, account_id)
        if row is None:
            row = PhoneVerificationRow(account_id=account_id)
            repo.put(ctx.session, row)
        row.phone_number, row.otp, row.status = phone_number, secret_string(6), "PENDING"
        row.expires_at = now + OTP_LIFETIME
        send_text_message(ctx, phone_number, f"Your AWS account {account_id} verification code: {row.otp}")
        return {"Status": "PENDING"}

    def verify_phone_number(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        account_id = target_account(ctx, params)
        phone_number, now = _phone_number(ctx, account_id), ctx.now()
        status = verification_status(ctx.session, account_id, phone_number, now)
        if status == "VERIFIED":
            return {"Status": "VERIFIED"}
        row = repo.find_phone_verification(ctx.session, account_id)
        if status != "PENDING" or row is None:
            raise not_found("No pending phone number verification was found for this account.")
        if not hmac.compare_digest(row.otp, params["Otp"]):
            raise validation("The one-time passcode (OTP) is incorrect.", "fieldValidationFailed", "Otp")
        row.status = "VERIFIED"
        return {"Status": "VERIFIED"}
