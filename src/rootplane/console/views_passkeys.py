"""Registering a passkey for the root user (the account page lists and removes them)."""

from __future__ import annotations

from starlette.responses import Response

from rootplane.console import events, passkeys
from rootplane.console.page import Page, View

__all__ = ["VIEWS"]


def register_passkey(page: Page) -> Response:
    identity = page.identity
    if not identity.is_root:
        page.flash("error", "Only the root user can change this setting.")
        return page.redirect("/console/account")
    rp_id = page.request.url.hostname or ""
    if page.method == "POST":
        challenge, page.session.passkey_challenge = page.session.passkey_challenge, ""  # answered once
        with page.console.store.transaction() as session:
            serial = passkeys.register(session, identity.account_id, page.form.get("passkey_response", ""),
                                       challenge, page.base_url, rp_id, page.now)
        if serial is None:
            page.flash("error", "The passkey could not be registered. Try again.")
            return page.redirect("/console/passkeys/register")
        principal = page.session_principal()
        if principal is not None:
            events.mfa_enabled(page.console.audit_sinks(), principal, page.event_origin, page.now, serial)
        page.flash("success", f"Passkey {serial} is now an MFA device of the root user.")
        return page.redirect("/console/account")
    with page.console.store.transaction(write=False) as session:
        options, page.session.passkey_challenge = passkeys.registration_options(
            session, identity.account_id, identity.email, rp_id)
    return page.render("passkey_register.html", title="Add a passkey", passkey_options=options)


VIEWS = [View("/console/passkeys/register", register_passkey, ("GET", "POST"))]
