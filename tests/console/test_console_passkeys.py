"""Passkeys as the root user's second kind of MFA: registered on the account page and used at sign-in, with
Chromium's virtual authenticator (WebAuthn over the DevTools protocol). WebAuthn needs a domain name as relying party
id, so the browser opens the console at ``localhost``."""

from __future__ import annotations

import pytest
from browser_helpers import ROOT_EMAIL, ROOT_PASSWORD, console_logins, records_named, register_mfa, sign_in_root

from harness import BOOT_ACCOUNT


@pytest.fixture
def passkey_page(browser, server):
    """A page at http://localhost:<port> with a virtual platform authenticator (user verification on)."""
    context = browser.new_context(base_url=f"http://localhost:{server.port}")
    context.set_default_timeout(15000)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})["authenticatorId"]
    page.virtual_credentials = lambda: cdp.send("WebAuthn.getCredentials",
                                                {"authenticatorId": authenticator})["credentials"]
    yield page
    context.close()


def test_root_registers_a_passkey_and_signs_in_with_it(server, passkey_page):
    page = passkey_page
    sign_in_root(page, ROOT_EMAIL, ROOT_PASSWORD)
    register_mfa(page, server)
    page.goto("/console/account")
    page.click("a:has-text('Add a passkey')")
    page.click("button:has-text('Create passkey')")
    page.wait_for_url("**/console/account")
    assert "is now an MFA device of the root user" in page.inner_text("main"), page.inner_text("main")
    [credential] = page.virtual_credentials()
    serial = page.inner_text("#passkeys code")
    assert serial.startswith(f"arn:aws:iam::{BOOT_ACCOUNT}:u2f/root/passkey-")
    enabled = records_named(server, "EnableMFADevice")[0]
    assert enabled["requestParameters"] == {"serialNumber": serial}
    assert enabled["sessionCredentialFromConsole"] == "true"

    page.click("button:has-text('Sign out')")
    sign_in_root(page, ROOT_EMAIL, ROOT_PASSWORD)
    page.wait_for_url("**/console/signin/mfa")
    # A forged answer does nothing.
    page.evaluate("""() => { const form = document.querySelector('form[data-passkey]');
        form.querySelector('input[name=passkey_response]').value = JSON.stringify({id: 'AAAA', type: 'public-key'});
        form.submit(); }""")
    page.wait_for_load_state()
    assert "The passkey was not accepted" in page.inner_text("main")
    page.click("button:has-text('Sign in with a passkey')")
    page.wait_for_url("**/console/")
    assert "Root user of account" in page.inner_text("main")
    assert page.virtual_credentials()[0]["signCount"] > credential["signCount"]
    login = console_logins(server)[0]
    assert login["responseElements"] == {"ConsoleLogin": "Success"}
    assert login["additionalEventData"]["MFAUsed"] == "Yes"

    page.goto("/console/account")
    page.click(f"button[aria-label='Remove passkey {serial}']")
    assert f"Passkey {serial} removed." in page.inner_text("main")
    assert page.inner_text("#passkeys") == "None"
    assert records_named(server, "DeactivateMFADevice")[0]["requestParameters"] == {"serialNumber": serial}
