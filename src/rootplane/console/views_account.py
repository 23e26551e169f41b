"""Home, the account page (contacts, regions, name; root-only settings shown only to root) and Billing."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hmac
import re
import secrets

from starlette.responses import Response

from rootplane.authz.authorizer import decide
from rootplane.authz.checks import AuthzCheck
from rootplane.console import signin
from rootplane.console.page import Page, View
from rootplane.services.account import preferences
from rootplane.services.context import RequestContext
from rootplane.services.mail import outbox

__all__ = ["VIEWS"]

CONTACT_TYPES = ("BILLING", "OPERATIONS", "SECURITY")
EMAIL_CODE_LIFETIME = _dt.timedelta(minutes=10)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def home(page: Page) -> Response:
    identity = page.identity
    with page.console.store.transaction(write=False) as session:
        serials = signin.mfa_serials_of(session, identity)
    return page.render("home.html", title="Home", mfa_serials=serials)


def _root_settings(page: Page) -> dict:
    iam = page.api("iam")
    keys, keys_error = page.attempt(iam.list_access_keys)
    devices, devices_error = page.attempt(iam.list_mfa_devices)
    certificates, certificates_error = page.attempt(iam.list_signing_certificates)
    account_id = page.identity.account_id
    with page.console.store.transaction(write=False) as session:
        billing = preferences.iam_billing_access(session, account_id)
        plan = preferences.support_plan(session, account_id)
    return {
        "access_keys": (keys or {}).get("AccessKeyMetadata", []), "access_keys_error": keys_error,
        "mfa_devices": (devices or {}).get("MFADevices", []), "mfa_devices_error": devices_error,
        "certificates": (certificates or {}).get("Certificates", []), "certificates_error": certificates_error,
        "billing_access": billing, "support_plan": plan, "support_plans": preferences.SUPPORT_PLANS,
    }


def account(page: Page) -> Response:
    if page.method == "POST":
        return _account_action(page)
    api = page.api("account")
    info, info_error = page.attempt(api.get_account_information)
    contact, contact_error = page.attempt(api.get_contact_information)
    alternates = {}
    for kind in CONTACT_TYPES:
        found, error = page.attempt(api.get_alternate_contact, AlternateContactType=kind)
        alternates[kind] = (found or {}).get("AlternateContact") or error
    regions, regions_error = page.attempt(api.list_regions)
    values = {
        "info": info or {}, "info_error": info_error,
        "contact": (contact or {}).get("ContactInformation"), "contact_error": contact_error,
        "alternates": alternates, "regions": (regions or {}).get("Regions", []), "regions_error": regions_error,
    }
    if page.identity.is_root:
        values.update(_root_settings(page))
        values["email_change"] = page.session.email_change
    return page.render("account.html", title="Account", **values)


def _root_only(page: Page) -> bool:
    if not page.identity.is_root:
        page.flash("error", "Only the root user can change this setting.")
        return False
    return True


def _account_action(page: Page) -> Response:
    form, action = page.form, page.form.get("action", "")
    iam = page.api("iam")
    done = ""
    if action == "account-name":
        _, error = page.attempt(page.api("account").put_account_name, AccountName=form.get("name", ""))
        done = "Account name updated."
    elif not _root_only(page):
        return page.redirect("/console/account")
    elif action == "create-access-key":
        created, error = page.attempt(iam.create_access_key)
        if created:
            key = created["AccessKey"]
            done = (f"Created access key {key['AccessKeyId']}. Secret access key (shown only now): "
                    f"{key['SecretAccessKey']}")
    elif action in ("activate-access-key", "deactivate-access-key"):
        status = "Active" if action == "activate-access-key" else "Inactive"
        _, error = page.attempt(iam.update_access_key, AccessKeyId=form.get("key", ""), Status=status)
        done = f"Access key {form.get('key', '')} is now {status.lower()}."
    elif action == "delete-access-key":
        _, error = page.attempt(iam.delete_access_key, AccessKeyId=form.get("key", ""))
        done = f"Access key {form.get('key', '')} deleted."
    elif action == "billing-access":
        enabled = form.get("enabled") == "on"
        with page.console.store.transaction() as session:
            preferences.set_iam_billing_access(session, page.identity.account_id, enabled)
        error, done = "", f"IAM user and role access to Billing information is {'on' if enabled else 'off'}."
    elif action == "support-plan":
        plan = form.get("plan", "")
        error = "" if plan in preferences.SUPPORT_PLANS else "Choose a support plan."
        if not error:
            with page.console.store.transaction() as session:
                preferences.set_support_plan(session, page.identity.account_id, plan)
            done = f"Support plan: {plan.title()}."
    elif action == "change-password":
        error = _change_root_password(page)
        done = "Your password was changed."
    elif action == "change-email":
        error = _start_email_change(page)
        done = f"We sent a verification code to {form.get('new_email', '').strip()}. Enter it to finish."
    elif action == "confirm-email":
        error = _finish_email_change(page)
        done = f"The root user email address is now {page.identity.email}."
    else:
        error = "Unknown action."
    page.flash("error", error) if error else page.flash("success", done)
    return page.redirect("/console/account")


def _change_root_password(page: Page) -> str:
    """Root password change (console only on AWS): the current password, then AWS's root password rules."""
    form, identity = page.form, page.identity
    if form.get("new_password", "") != form.get("confirm", ""):
        return "The new passwords do not match."
    with page.console.store.transaction() as session:
        attempt = signin.check_root(session, identity.email, form.get("current_password", ""))
        if attempt.identity is None or attempt.identity.account_id != identity.account_id:
            return "The current password is incorrect."
        return signin.set_root_password(session, identity.account_id, form.get("new_password", ""), page.now)


def _start_email_change(page: Page) -> str:
    """Root e-mail change, step 1: the current password, then a one-time code to the new address (outbox)."""
    form, identity = page.form, page.identity
    new_email = form.get("new_email", "").strip()
    if not _EMAIL.match(new_email) or len(new_email) > 64:
        return "Enter a valid email address."
    with page.console.store.transaction() as session:
        attempt = signin.check_root(session, identity.email, form.get("current_password", ""))
        if attempt.identity is None or attempt.identity.account_id != identity.account_id:
            return "The current password is incorrect."
        code = f"{secrets.randbelow(10**6):06d}"
        outbox.send_message(session, new_email, "Verify your new root user email address",
                            f"Your verification code is {code}. It expires in 10 minutes.\n", page.now,
                            page.console.gateway.config.smtp_url)
    page.session.email_change = (new_email, code, page.now + EMAIL_CODE_LIFETIME)
    return ""


def _finish_email_change(page: Page) -> str:
    """Step 2: the code from the new address's inbox (once, before it expires) makes it the root e-mail."""
    pending, page.session.email_change = page.session.email_change, None
    if pending is None or page.now >= pending[2]:
        return "The verification code has expired. Start the email change again."
    new_email, code, _ = pending
    if not hmac.compare_digest(code, page.form.get("code", "").strip()):
        return "The verification code is not correct. Start the email change again."
    with page.console.store.transaction() as session:
        error = signin.set_root_email(session, page.identity.account_id, new_email)
    if not error:
        page.session.identity = dataclasses.replace(page.identity, email=new_email)
    return error


def billing(page: Page) -> Response:
    """Billing: root always; IAM principals only with IAM access to Billing on and ``aws-portal:ViewBilling``."""
    identity = page.identity
    if not identity.is_root and not _may_view_billing(page):
        return page.render("error.html", status=403, title="Billing",
                           message="You don't have permission to access billing information for this account. "
                                   "Contact your administrator if you need access.")
    with page.console.store.transaction(write=False) as session:
        plan = preferences.support_plan(session, identity.account_id)
    return page.render("billing.html", title="Billing", support_plan=plan)


def _may_view_billing(page: Page) -> bool:
    """The authorizer's decision for ``aws-portal:ViewBilling`` by the console session's principal."""
    credential = page.console.gateway.resolve(page.session.credentials["AccessKeyId"])
    if credential is None:
        return False
    console = page.console
    with console.store.transaction(write=False) as session:
        ctx = RequestContext(request_id="", service="aws-portal", operation="ViewBilling", region="us-east-1",
                             principal=credential.principal, session=session, clock=console.clock,
                             config=console.gateway.config, source_ip=page.origin.source_ip,
                             user_agent=page.origin.user_agent, secure_transport=True)
        return decide(ctx, AuthzCheck(action="aws-portal:ViewBilling")).allowed


_BOTH = ("GET", "POST")
VIEWS = [
    View("/console/", home),
    View("/console/account", account, _BOTH),
    View("/console/billing", billing),
]
