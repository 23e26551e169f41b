"""Recovery of a KMS key whose policy locks everyone out: AWS Support resets it to the default key policy once the
account's root user confirms a one-time code texted to the primary contact's phone number.

- ``start_recovery``: a case about the KMS service naming one of the account's keys texts the code (outbox, channel
  ``sms``) and asks the root user to confirm it; with no phone number on file, the case says it cannot proceed.
- ``confirm_recovery``: the console's case page, and AddCommunicationToCase signed by the root user whose body is the
  code, call it. Only the account's root user (long-term credentials) with the current, unexpired code succeeds;
  anything else changes nothing and counts as a failure; after ``MAX_FAILURES`` the code is void and the case asks
  for a new one (``request_new_code``, or a communication saying ``send new code``).
"""

from __future__ import annotations

import datetime as _dt
import hmac
import re
from typing import Any

from rootplane.auth.principal import ROOT, Principal
from rootplane.core.ids import secret_string
from rootplane.services.account.contacts import contact_information
from rootplane.services.accounts import repo as accounts
from rootplane.services.kms import repo as kms
from rootplane.services.kms.authz import key_resources
from rootplane.services.kms.keys import is_gone
from rootplane.services.kms.policy import default_policy
from rootplane.services.kms.tables import KeyRow
from rootplane.services.mail.outbox import send_text_message
from rootplane.services.support import repo
from rootplane.services.support.tables import CaseRow, CommunicationRow, KeyRecoveryRow

__all__ = [
    "start_recovery", "confirm_recovery", "request_new_code", "handle_communication", "looks_like_code",
    "SUPPORT_SENDER", "MAX_FAILURES", "OTP_LIFETIME", "NEW_CODE_REQUEST",
]

SUPPORT_SENDER = "Amazon Web Services"
MAX_FAILURES = 5
OTP_LIFETIME = _dt.timedelta(minutes=15)
NEW_CODE_REQUEST = "send new code"
AWAITING, VOID, NO_PHONE, CONFIRMED = "AWAITING_CONFIRMATION", "VOID", "NO_PHONE", "CONFIRMED"
_KEY_ID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
_CODE = re.compile(r"^\s*(\d{6})\s*$")


def looks_like_code(body: str) -> bool:
    return _CODE.match(body) is not None


def _reply(ctx: Any, case: CaseRow, body: str) -> None:
    repo.put(ctx.session, CommunicationRow(case_id=case.case_id, body=body, submitted_by=SUPPORT_SENDER,
                                           created_at=ctx.now()))


def _named_key(ctx: Any, account_id: str, text: str) -> KeyRow | None:
    """The first key of ``account_id`` whose id the text names (alone or in a key ARN)."""
    for key_id in _KEY_ID.findall(text):
        key = kms.find_key(ctx.session, key_id)
        if key is not None and key.account_id == account_id and not is_gone(key, ctx.now()):
            return key
    return None


def _phone_number(ctx: Any, account_id: str) -> str | None:
    account = accounts.find_account(ctx.session, account_id)
    if account is None:
        return None
    return (contact_information(ctx.session, account_id, account.name).get("PhoneNumber") or "").strip() or None


def _send_code(ctx: Any, case: CaseRow, recovery: KeyRecoveryRow) -> None:
    phone = _phone_number(ctx, case.account_id)
    recovery.phone_number, recovery.failures = phone, 0
    if phone is None:
        recovery.status, recovery.otp, recovery.expires_at = NO_PHONE, None, None
        _reply(ctx, case, f"We cannot proceed with the recovery of KMS key {recovery.key_id}: the account has no "
                          "phone number in its contact information, so we cannot send the verification code to the "
                          "root user. Add the phone number to the account's contact information, then reply "
                          f"'{NEW_CODE_REQUEST}' to this case.")
        case.status = "pending-customer-action"
        return
    recovery.status, recovery.otp = AWAITING, secret_string(6)
    recovery.expires_at = ctx.now() + OTP_LIFETIME
    send_text_message(ctx, phone, f"AWS Support: {recovery.otp} is your code to authorize the recovery of KMS key "
                                  f"{recovery.key_id} (case {case.display_id}). It expires in 15 minutes.")
    _reply(ctx, case, f"To authorize the recovery of KMS key {recovery.key_id}, the root user of account "
                      f"{case.account_id} must confirm the code we sent by SMS to the phone number ending in "
                      f"{phone[-4:]}: on this case's page in the console, or by replying to this case with the code "
                      "while signed in as the root user. Once confirmed, the key policy is reset to the default key "
                      "policy.")
    case.status = "pending-customer-action"


def start_recovery(ctx: Any, case: CaseRow, text: str) -> bool:
    """Start the recovery of the key a KMS case names; False when the case names none of the account's keys."""
    key = _named_key(ctx, case.account_id, text)
    if key is None:
        _reply(ctx, case, "We could not find a KMS key of this account in this case. To recover a key whose policy "
                          "makes it unmanageable, open a case naming its key ID or key ARN.")
        return False
    recovery = repo.put(ctx.session, KeyRecoveryRow(case_id=case.case_id, account_id=case.account_id,
                                                    key_id=key.key_id, status=AWAITING, failures=0))
    _send_code(ctx, case, recovery)
    ctx.audit["resources"] = key_resources([key.arn])
    ctx.audit["additional_event_data"] = {"kmsKeyRecovery": recovery.status}
    return True


def request_new_code(ctx: Any, case_id: str, account_id: str) -> bool:
    """Send a new code for a recovery whose code is void or expired, or that had no phone number; else False."""
    case = repo.find_case(ctx.session, account_id, case_id)
    recovery = repo.find_recovery(ctx.session, case_id)
    if case is None or recovery is None or recovery.status == CONFIRMED:
        return False
    expired = recovery.status == AWAITING and recovery.expires_at is not None and ctx.now() >= recovery.expires_at
    if recovery.status == AWAITING and not expired:
        return False
    _send_code(ctx, case, recovery)
    return True


def _fail(ctx: Any, case: CaseRow, recovery: KeyRecoveryRow) -> None:
    recovery.failures += 1
    if recovery.failures >= MAX_FAILURES:
        recovery.status, recovery.otp = VOID, None
        _reply(ctx, case, f"The verification code is void after {MAX_FAILURES} failed confirmations. Reply "
                          f"'{NEW_CODE_REQUEST}' to this case to receive a new code.")


def confirm_recovery(ctx: Any, case_id: str, otp: str, principal: Principal) -> bool:
    """Reset the key's policy if ``principal`` is the account's root user and ``otp`` the current code.

    ``ctx`` gives the open transaction (``session``), the clock (``now()``) and ``audit``; a request's context does.
    Any other attempt on an awaiting recovery changes nothing but counts as a failure; returns whether it succeeded.
    """
    recovery = repo.find_recovery(ctx.session, case_id)
    case = repo.find_case(ctx.session, recovery.account_id, case_id) if recovery is not None else None
    if recovery is None or case is None or recovery.status != AWAITING or recovery.otp is None:
        return False
    valid = (principal.kind == ROOT and principal.account_id == recovery.account_id
             and recovery.expires_at is not None and ctx.now() < recovery.expires_at)
    matches = hmac.compare_digest(otp.strip().encode(), recovery.otp.encode())
    if not (valid and matches):
        _fail(ctx, case, recovery)
        ctx.audit["additional_event_data"] = {"kmsKeyRecovery": "REJECTED" if recovery.status == AWAITING else VOID}
        return False
    key = kms.find_key(ctx.session, recovery.key_id)
    if key is not None:
        key.policy = default_policy(key.account_id)
        ctx.audit["resources"] = key_resources([key.arn])
    recovery.status, recovery.otp = CONFIRMED, None
    _reply(ctx, case, f"The root user confirmed the recovery. The key policy of KMS key {recovery.key_id} is now the "
                      "default key policy, which allows the account to manage the key with IAM policies. This case "
                      "is resolved.")
    case.status = "resolved"
    ctx.audit["additional_event_data"] = {"kmsKeyRecovery": CONFIRMED, "keyId": recovery.key_id}
    return True


def handle_communication(ctx: Any, case: CaseRow, body: str, principal: Principal) -> bool:
    """A reply to a recovery case: a code attempt or a request for a new code. True when it was one of those (the
    communication then is not kept as text: a code must not be readable by whoever reads the case)."""
    recovery = repo.find_recovery(ctx.session, case.case_id)
    if recovery is None or recovery.status == CONFIRMED:
        return False
    if body.strip().lower() == NEW_CODE_REQUEST:
        request_new_code(ctx, case.case_id, case.account_id)
        return False
    if looks_like_code(body):
        confirm_recovery(ctx, case.case_id, body, principal)
        return True
    return False
