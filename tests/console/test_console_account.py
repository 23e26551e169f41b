"""The account page's root-only settings in a real browser: IAM access to Billing, Support plan, root email."""

from __future__ import annotations

import re

from browser_helpers import ROOT_EMAIL, ROOT_PASSWORD, outbox, records_named, sign_in_iam_user, sign_in_root

from harness import BOOT_ACCOUNT

USER = "billing-bob"
USER_PASSWORD = "B0b-Passw0rd!"


def test_iam_user_denied_billing_until_root_turns_access_on(server, root, page):
    iam = server.client("iam")
    iam.create_user(UserName=USER)
    iam.attach_user_policy(UserName=USER, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.create_login_profile(UserName=USER, Password=USER_PASSWORD)
    sign_in_iam_user(page, BOOT_ACCOUNT, USER, USER_PASSWORD)
    page.goto("/console/billing")
    assert "You don't have permission to access billing information" in page.inner_text("main")
    page.goto("/console/account")
    assert "Root user settings" not in page.inner_text("main")  # root-only settings are shown only to root

    root.goto("/console/account")
    root.check("#billing-enabled")
    root.click("form:has(#billing-enabled) button")
    assert "IAM user and role access to Billing information is on." in root.inner_text("main")
    root.select_option("#plan", "BUSINESS")
    root.click("button:has-text('Change plan')")
    assert "Support plan: Business." in root.inner_text("main")

    page.goto("/console/billing")
    assert page.inner_text("#support-plan") == "Business"


def test_root_email_change_with_code_sent_to_the_new_address(server, root):
    root.goto("/console/account")
    root.fill("#new_email", "new-root@example.com")
    root.fill("#email_password", "not-the-password")
    root.click("button:has-text('Send verification code')")
    assert "The current password is incorrect." in root.inner_text("main")
    assert outbox(server, "new-root@example.com") == []
    root.fill("#new_email", "new-root@example.com")
    root.fill("#email_password", ROOT_PASSWORD)
    root.click("button:has-text('Send verification code')")
    code = re.search(r"code is (\d{6})", outbox(server, "new-root@example.com")[-1]["body"]).group(1)
    root.fill("#email-code", code)
    root.click("button:has-text('Verify and change email')")
    assert "The root user email address is now new-root@example.com." in root.inner_text("main")
    record = records_named(server, "EmailUpdated")[0]
    assert (record["eventSource"], record["eventType"]) == ("signin.amazonaws.com", "AwsConsoleSignIn")
    assert record["responseElements"] == {"EmailUpdated": "Success"} and code not in str(record)
    root.click("button:has-text('Sign out')")
    sign_in_root(root, ROOT_EMAIL, ROOT_PASSWORD)
    assert "Your authentication information is incorrect" in root.inner_text("main")
    sign_in_root(root, "new-root@example.com", ROOT_PASSWORD)
    assert root.url.endswith("/console/signin/mfa")

