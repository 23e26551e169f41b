"""The account page's root-only settings in a real browser: IAM access to Billing and the Support plan."""

from __future__ import annotations

from conftest import ROOT_EMAIL, ROOT_PASSWORD, register_mfa, sign_in_iam_user, sign_in_root

from harness import BOOT_ACCOUNT

USER = "billing-bob"
USER_PASSWORD = "B0b-Passw0rd!"


def test_iam_user_denied_billing_until_root_turns_access_on(server, browser, page):
    iam = server.client("iam")
    iam.create_user(UserName=USER)
    iam.attach_user_policy(UserName=USER, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.create_login_profile(UserName=USER, Password=USER_PASSWORD)
    sign_in_iam_user(page, BOOT_ACCOUNT, USER, USER_PASSWORD)
    page.goto("/console/billing")
    assert "You don't have permission to access billing information" in page.inner_text("main")
    page.goto("/console/account")
    assert "Root user settings" not in page.inner_text("main")  # root-only settings are shown only to root

    root = browser.new_context(base_url=server.endpoint).new_page()
    sign_in_root(root, ROOT_EMAIL, ROOT_PASSWORD)
    register_mfa(root, server)
    root.goto("/console/account")
    root.check("#billing-enabled")
    root.click("form:has(#billing-enabled) button")
    assert "IAM user and role access to Billing information is on." in root.inner_text("main")
    root.select_option("#plan", "BUSINESS")
    root.click("button:has-text('Change plan')")
    assert "Support plan: Business." in root.inner_text("main")

    page.goto("/console/billing")
    assert page.inner_text("#support-plan") == "Business"
    root.context.close()

