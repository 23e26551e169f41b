"""Home, the account page (contacts, regions, name; root-only settings shown only to root) and Billing."""

from __future__ import annotations

from starlette.responses import Response

from rootplane.authz.authorizer import decide
from rootplane.authz.checks import AuthzCheck
from rootplane.console import account_actions, signin
from rootplane.console.passkeys import is_passkey
from rootplane.console.views_signin import end_session
from rootplane.console.page import Page, View
from rootplane.services.account import preferences
from rootplane.services.context import RequestContext
from rootplane.services.signin import repo as signin_repo

__all__ = ["VIEWS"]


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
        passkeys = [(row.serial_number, row.created_at) for row in signin_repo.list_passkeys(session, account_id)]
    return {
        "access_keys": (keys or {}).get("AccessKeyMetadata", []), "access_keys_error": keys_error,
        "mfa_devices": [device for device in (devices or {}).get("MFADevices", [])  # passkeys: listed below
                        if not is_passkey(device["SerialNumber"])],
        "mfa_devices_error": devices_error,
        "certificates": (certificates or {}).get("Certificates", []), "certificates_error": certificates_error,
        "billing_access": billing, "support_plan": plan, "support_plans": preferences.SUPPORT_PLANS,
        "passkeys": passkeys,
    }


def account(page: Page) -> Response:
    if page.method == "POST":
        return _account_action(page)
    api = page.api("account")
    info, info_error = page.attempt(api.get_account_information)
    contact, contact_error = page.attempt(api.get_contact_information)
    alternates = {}
    for kind in account_actions.CONTACT_TYPES:
        found, error = page.attempt(api.get_alternate_contact, AlternateContactType=kind)
        alternates[kind] = (found or {}).get("AlternateContact") or error
    regions, regions_error = page.attempt(api.list_regions)
    values = {
        "info": info or {}, "info_error": info_error,
        "contact": (contact or {}).get("ContactInformation"), "contact_error": contact_error,
        "alternates": alternates, "regions": (regions or {}).get("Regions", []), "regions_error": regions_error,
        "contact_fields": account_actions.CONTACT_FIELDS,
    }
    if page.identity.is_root:
        values.update(_root_settings(page))
        values["email_change"] = page.session.email_change
    return page.render("account.html", title="Account", **values)


def _account_action(page: Page) -> Response:
    action = page.form.get("action", "")
    if action in account_actions.ACTIONS:
        error, done = account_actions.ACTIONS[action](page)
    elif action not in account_actions.ROOT_ACTIONS and action != "close-account":
        error, done = "Unknown action.", ""
    elif not page.identity.is_root:
        error, done = "Only the root user can change this setting.", ""
    elif action == "close-account":
        return _close_account(page)
    else:
        error, done = account_actions.ROOT_ACTIONS[action](page)
    page.flash("error", error) if error else page.flash("success", done)
    return page.redirect("/console/account")


def _close_account(page: Page) -> Response:
    error, done = account_actions.close_account(page)
    if error:
        page.flash("error", error)
        return page.redirect("/console/account")
    end_session(page)
    return page.render("error.html", title="Account closed", message=f"{done} You have been signed out.")


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
