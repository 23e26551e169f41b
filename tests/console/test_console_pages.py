"""IAM pages, the policy simulator, root activity and the home page in a real browser.

With ``ROOTPLANE_SCREENSHOTS=<dir>`` the test also saves the screenshots used by the README (docs/screenshots).
"""

from __future__ import annotations

import json

import pytest
from browser_helpers import ROOT_EMAIL, ROOT_PASSWORD, register_mfa, screenshot, sign_in_root

POLICY = {"Version": "2012-10-17", "Statement": [{"Sid": "ReadReports", "Effect": "Allow", "Action": "s3:GetObject",
                                                  "Resource": "arn:aws:s3:::reports/*"}]}


@pytest.fixture(scope="module")
def root_page(server, browser):
    page = browser.new_context(base_url=server.endpoint, viewport={"width": 1200, "height": 800}).new_page()
    sign_in_root(page, ROOT_EMAIL, ROOT_PASSWORD)
    screenshot(page, "register-mfa")
    register_mfa(page, server)
    yield page
    page.context.close()


def test_sign_in_page_is_labelled(page):
    page.goto("/console/signin")
    assert page.get_by_label("Root user email address").get_attribute("type") == "email"
    assert page.evaluate("document.activeElement.id") == "email"  # the first field has the focus
    page.keyboard.type(ROOT_EMAIL)
    page.keyboard.press("Enter")  # the keyboard alone signs in
    page.wait_for_url("**/console/signin/password")
    assert page.evaluate("document.activeElement.type") == "password"
    page.goto("/console/signin")
    screenshot(page, "sign-in")


def test_iam_pages_and_policy_simulator(server, root_page):
    page = root_page
    screenshot(page, "home")
    page.goto("/console/iam")
    page.fill("#create-user-name", "carol")
    page.click("form:has(#create-user-name) button")
    assert "Done: create user carol." in page.inner_text("main")
    page.fill("#policy-name", "ReadReports")
    page.fill("#policy-document", json.dumps(POLICY))
    page.click("button:has-text('Create policy')")
    page.click("a:has-text('ReadReports')")
    assert '"Sid": "ReadReports"' in page.input_value("#document")
    iam = server.client("iam")
    arn = next(p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"] if p["PolicyName"] == "ReadReports")

    page.goto("/console/iam/simulator")
    page.select_option("#principal", label="arn:aws:iam::000000000000:user/carol")
    page.fill("#actions", "s3:GetObject")
    page.fill("#resources", "arn:aws:s3:::reports/q1.csv")
    page.click("button:has-text('Run simulation')")
    assert "implicitDeny" in page.inner_text("#results")
    iam.attach_user_policy(UserName="carol", PolicyArn=arn)
    page.click("button:has-text('Run simulation')")
    results = page.inner_text("#results")
    assert "allowed" in results and "ReadReports (user-managed), line 1" in results
    screenshot(page, "policy-simulator")
    page.goto("/console/iam")
    screenshot(page, "iam")


def test_root_activity_lists_root_events(root_page):
    page = root_page
    page.goto("/console/activity?event_name=ConsoleLogin&hours=24")
    rows = page.inner_text("#events")
    assert "ConsoleLogin" in rows and "CreateUser" not in rows
    page.goto("/console/activity")
    assert "CreateUser" in page.inner_text("#events")
    screenshot(page, "root-activity")
    page.goto("/console/account")
    screenshot(page, "account")
