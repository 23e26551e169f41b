"""The account page's forms: each action returns ``(error, done)`` (one of them empty) for the flash message.

Settings with an API (account name, contacts, root access keys, signing certificates) go through the API as the
console session, so the API sees the same state and CloudTrail records the calls; root-only settings without one
(Billing access, Support plan, root password and e-mail, closing the account) are written here and recorded as AWS
records them (console/events.py).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import hmac
import re
import secrets
from collections.abc import Callable

from rootplane.console import events, signin
from rootplane.console.page import Page
from rootplane.services.account import closure, preferences
from rootplane.services.mail import outbox
from rootplane.services.signin import repo as signin_repo

__all__ = ["ACTIONS", "ROOT_ACTIONS", "CONTACT_FIELDS", "CONTACT_TYPES", "close_account"]

Result = tuple[str, str]
CONTACT_TYPES = ("BILLING", "OPERATIONS", "SECURITY")
# ContactInformation members the form edits: (member, label, required).
CONTACT_FIELDS = (
    ("FullName", "Full name", True), ("CompanyName", "Company name", False),
    ("AddressLine1", "Address line 1", True), ("AddressLine2", "Address line 2", False),
    ("City", "City", True), ("StateOrRegion", "State or region", False), ("PostalCode", "Postal code", True),
    ("CountryCode", "Country code", True), ("PhoneNumber", "Phone number", True),
    ("WebsiteUrl", "Website URL", False),
)
EMAIL_CODE_LIFETIME = _dt.timedelta(minutes=10)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SIGNIN = "signin.amazonaws.com"


def _sinks(page: Page):
    return page.console.audit_sinks()


def _record_setting(page: Page, event_source: str, name: str, request_parameters: dict | None) -> None:
    principal = page.session_principal()
    if principal is not None:
        events.console_setting_changed(_sinks(page), principal, page.event_origin, page.now, event_source, name,
                                       request_parameters)


def _record_root_credential(page: Page, name: str) -> None:
    principal = page.session_principal()
    if principal is not None:
        events.root_credential_changed(_sinks(page), principal, page.event_origin, page.now, name)


# -- for anyone the API allows -----------------------------------------------------------------------------------
def account_name(page: Page) -> Result:
    _, error = page.attempt(page.api("account").put_account_name, AccountName=page.form.get("name", ""))
    return error, "Account name updated."


def contact_information(page: Page) -> Result:
    contact = {member: page.form.get(member, "").strip() for member, _, _ in CONTACT_FIELDS}
    contact = {member: value for member, value in contact.items() if value}
    _, error = page.attempt(page.api("account").put_contact_information, ContactInformation=contact)
    return error, "Contact information updated."


def alternate_contact(page: Page) -> Result:
    form = page.form
    kind = form.get("type", "")
    _, error = page.attempt(page.api("account").put_alternate_contact, AlternateContactType=kind,
                            Name=form.get("name", "").strip(), Title=form.get("title", "").strip(),
                            EmailAddress=form.get("email", "").strip(), PhoneNumber=form.get("phone", "").strip())
    return error, f"{kind.title()} contact updated."


def delete_alternate_contact(page: Page) -> Result:
    kind = page.form.get("type", "")
    _, error = page.attempt(page.api("account").delete_alternate_contact, AlternateContactType=kind)
    return error, f"{kind.title()} contact removed."


# -- root only ---------------------------------------------------------------------------------------------------
def create_access_key(page: Page) -> Result:
    created, error = page.attempt(page.api("iam").create_access_key)
    if not created:
        return error, ""
    key = created["AccessKey"]
    return "", f"Created access key {key['AccessKeyId']}. Secret access key (shown only now): {key['SecretAccessKey']}"


def upload_certificate(page: Page) -> Result:
    body = page.form.get("certificate", "").strip()
    if not body:
        return "Paste the certificate body (PEM).", ""
    uploaded, error = page.attempt(page.api("iam").upload_signing_certificate, CertificateBody=body)
    return error, f"Uploaded signing certificate {uploaded['Certificate']['CertificateId']}." if uploaded else ""


def _credential_action(label: str, field: str, id_param: str, operation: str, outcome: str,
                       **params: str) -> Callable[[Page], Result]:
    """An action on the root credential (access key, signing certificate) whose id the form's ``field`` holds: the IAM
    ``operation`` with that id as ``id_param`` and ``params``; on success the message is "<label> <id> <outcome>."."""
    def action(page: Page) -> Result:
        credential_id = page.form.get(field, "")
        _, error = page.attempt(getattr(page.api("iam"), operation), **{id_param: credential_id}, **params)
        return error, f"{label} {credential_id} {outcome}."
    return action


_access_key = functools.partial(_credential_action, "Access key", "key", "AccessKeyId")
_certificate = functools.partial(_credential_action, "Signing certificate", "certificate_id", "CertificateId")


def delete_passkey(page: Page) -> Result:
    serial = page.form.get("serial", "")
    with page.console.store.transaction() as session:
        deleted = signin_repo.delete_passkey(session, page.identity.account_id, serial)
    if not deleted:
        return "There is no such passkey.", ""
    principal = page.session_principal()
    if principal is not None:
        events.mfa_enabled(_sinks(page), principal, page.event_origin, page.now, serial, "DeactivateMFADevice")
    return "", f"Passkey {serial} removed."


def billing_access(page: Page) -> Result:
    enabled = page.form.get("enabled") == "on"
    with page.console.store.transaction() as session:
        preferences.set_iam_billing_access(session, page.identity.account_id, enabled)
    _record_setting(page, "billingconsole.amazonaws.com", "UpdateIAMAccessPreference",
                    {"iamAccessPreference": "ENABLED" if enabled else "DISABLED"})
    return "", f"IAM user and role access to Billing information is {'on' if enabled else 'off'}."


def support_plan(page: Page) -> Result:
    plan = page.form.get("plan", "")
    if plan not in preferences.SUPPORT_PLANS:
        return "Choose a support plan.", ""
    with page.console.store.transaction() as session:
        preferences.set_support_plan(session, page.identity.account_id, plan)
    _record_setting(page, "supportplans.amazonaws.com", "CreateSupportPlanSchedule", {"supportLevel": plan.lower()})
    return "", f"Support plan: {plan.title()}."


def _current_password_ok(page: Page, session) -> bool:
    identity = page.identity
    attempt = signin.check_root(session, identity.email, page.form.get("current_password", ""))
    return attempt.identity is not None and attempt.identity.account_id == identity.account_id


def change_password(page: Page) -> Result:
    """Root password change (console only on AWS): the current password, then AWS's root password rules."""
    form = page.form
    if form.get("new_password", "") != form.get("confirm", ""):
        return "The new passwords do not match.", ""
    with page.console.store.transaction() as session:
        if not _current_password_ok(page, session):
            return "The current password is incorrect.", ""
        error = signin.set_root_password(session, page.identity.account_id, form.get("new_password", ""), page.now)
    if not error:
        _record_root_credential(page, "PasswordUpdated")
    return error, "Your password was changed."


def start_email_change(page: Page) -> Result:
    """Root e-mail change, step 1: the current password, then a one-time code to the new address (outbox)."""
    new_email = page.form.get("new_email", "").strip()
    if not _EMAIL.match(new_email) or len(new_email) > 64:
        return "Enter a valid email address.", ""
    with page.console.store.transaction() as session:
        if not _current_password_ok(page, session):
            return "The current password is incorrect.", ""
        code = f"{secrets.randbelow(10**6):06d}"
        outbox.send_message(session, new_email, "Verify your new root user email address",
                            f"Your verification code is {code}. It expires in 10 minutes.\n", page.now,
                            page.console.gateway.config.smtp_url)
    page.session.email_change = (new_email, code, page.now + EMAIL_CODE_LIFETIME)
    return "", f"We sent a verification code to {new_email}. Enter it to finish."


def finish_email_change(page: Page) -> Result:
    """Step 2: the code from the new address's inbox (once, before it expires) makes it the root e-mail."""
    pending, page.session.email_change = page.session.email_change, None
    if pending is None or page.now >= pending[2]:
        return "The verification code has expired. Start the email change again.", ""
    new_email, code, _ = pending
    if not hmac.compare_digest(code, page.form.get("code", "").strip()):
        return "The verification code is not correct. Start the email change again.", ""
    with page.console.store.transaction() as session:
        error = signin.set_root_email(session, page.identity.account_id, new_email)
    if error:
        return error, ""
    page.session.identity = dataclasses.replace(page.identity, email=new_email)
    _record_root_credential(page, "EmailUpdated")
    return "", f"The root user email address is now {new_email}."


def close_account(page: Page) -> Result:
    """Close the account once the person typed its id; the console session ends with it (the caller signs out)."""
    account_id = page.identity.account_id
    if page.form.get("confirm_account_id", "").strip() != account_id:
        return f"To close the account, type its account ID ({account_id}) exactly.", ""
    with page.console.store.transaction() as session:
        error = closure.close_account(session, account_id, page.now)
    if error:
        return error, ""
    _record_setting(page, "billingconsole.amazonaws.com", "CloseAccount", None)
    page.console.gateway.credentials.forget()  # every credential of the account stops working now
    return "", "Your AWS account is closed."


ACTIONS: dict[str, Callable[[Page], Result]] = {
    "account-name": account_name,
    "contact-information": contact_information,
    "alternate-contact": alternate_contact,
    "delete-alternate-contact": delete_alternate_contact,
}
ROOT_ACTIONS: dict[str, Callable[[Page], Result]] = {
    "create-access-key": create_access_key,
    "activate-access-key": _access_key("update_access_key", "is now active", Status="Active"),
    "deactivate-access-key": _access_key("update_access_key", "is now inactive", Status="Inactive"),
    "delete-access-key": _access_key("delete_access_key", "deleted"),
    "upload-certificate": upload_certificate,
    "activate-certificate": _certificate("update_signing_certificate", "is now active", Status="Active"),
    "deactivate-certificate": _certificate("update_signing_certificate", "is now inactive", Status="Inactive"),
    "delete-certificate": _certificate("delete_signing_certificate", "deleted"),
    "delete-passkey": delete_passkey,
    "billing-access": billing_access,
    "support-plan": support_plan,
    "change-password": change_password,
    "change-email": start_email_change,
    "confirm-email": finish_email_change,
}
