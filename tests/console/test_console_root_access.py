"""Root access management and root password recovery in a real browser.

The management account's IAM administrator uses the root access page (every action an AssumeRoot session); the
member's root inbox owner recovers the password through the outbox link once recovery is allowed.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from browser_helpers import outbox, register_mfa, sign_in_iam_user, sign_in_root

from e2e.root_access_org import ADMIN_POLICY, OrgWorld
from harness import BOOT_ACCOUNT, error_of

ADMIN = "console-admin"
ADMIN_PASSWORD = "Admin-Passw0rd!"
NEW_ROOT_PASSWORD = "Member-R00t-pass!"
LINK = re.compile(r"(/console/reset\?token=\S+)")


@pytest.fixture(scope="module")
def org(server):
    world = OrgWorld(server)
    world.create_organization()
    world.trust_iam()
    world.admin_key = world.user(ADMIN, managed=ADMIN_POLICY)
    server.client("iam").create_login_profile(UserName=ADMIN, Password=ADMIN_PASSWORD)
    world.member = world.create_account("console-member")
    world.member_email = world.root("organizations").describe_account(AccountId=world.member)["Account"]["Email"]
    return world


@pytest.fixture
def admin_page(page, org):
    sign_in_iam_user(page, BOOT_ACCOUNT, ADMIN, ADMIN_PASSWORD)
    assert page.url.endswith("/console/"), page.inner_text("main")
    page.goto("/console/root-access")
    return page


def _row(page, account_id: str):
    return page.locator(f"#account-{account_id}")


def _reset_links(server, email: str) -> list[str]:
    return [match.group(1) for message in outbox(server, email) for match in [LINK.search(message["body"])] if match]


def test_enable_features_and_see_member_root_status(server, org, admin_page):
    page = admin_page
    page.click("button[value='enable:RootCredentialsManagement']")
    assert "RootCredentialsManagement enabled." in page.inner_text("main")
    page.click("button[value='enable:RootSessions']")
    assert "RootSessions enabled." in page.inner_text("main")
    assert server.client("iam").list_organizations_features()["EnabledFeatures"] == [
        "RootCredentialsManagement", "RootSessions"] or set(
        server.client("iam").list_organizations_features()["EnabledFeatures"]) == {"RootCredentialsManagement",
                                                                                   "RootSessions"}
    row = _row(page, org.member)
    assert row.locator(".status-password").inner_text() == "Not present"
    assert row.locator(".status-keys").inner_text() == "0"
    directory = os.environ.get("ROOTPLANE_SCREENSHOTS")
    if directory:
        page.set_viewport_size({"width": 1200, "height": 800})
        page.screenshot(path=os.path.join(directory, "root-access.png"), full_page=True)


def test_recovery_refused_while_not_allowed(server, org, page):
    page.goto("/console/forgot")
    page.fill("input[type=email]", org.member_email)
    page.click("button:has-text('Send reset link')")
    assert "If that email address belongs to a root user" in page.inner_text("#recovery-sent")
    assert _reset_links(server, org.member_email) == []
    sign_in_root(page, org.member_email, NEW_ROOT_PASSWORD)
    assert "Your authentication information is incorrect" in page.inner_text("main")


def test_allowed_member_root_recovers_through_single_use_link(server, org, admin_page, browser):
    admin_page.click(f"#account-{org.member} button[value='allow-recovery']")
    assert "Password recovery is allowed" in admin_page.inner_text("main")
    assert _row(admin_page, org.member).locator(".status-password").inner_text() == "Present"
    records = _assume_root_records(server, "IAMCreateRootUserPassword")
    assert records and records[0]["sessionCredentialFromConsole"] == "true"

    context = browser.new_context(base_url=server.endpoint)
    page = context.new_page()
    page.goto("/console/forgot")
    page.fill("input[type=email]", org.member_email)
    page.click("button:has-text('Send reset link')")
    links = _reset_links(server, org.member_email)
    assert len(links) == 1
    page.goto(links[0])
    page.fill("#password", "short")
    page.fill("#confirm", "short")
    page.click("button:has-text('Reset password')")
    assert "8 to 128 characters" in page.inner_text("main")
    page.fill("#password", NEW_ROOT_PASSWORD)
    page.fill("#confirm", NEW_ROOT_PASSWORD)
    page.click("button:has-text('Reset password')")
    assert "Your password was changed" in page.inner_text("main")

    page.goto(links[0])  # used links do nothing
    assert "This link is not valid" in page.inner_text("main")
    assert page.locator("#password").count() == 0

    sign_in_root(page, org.member_email, NEW_ROOT_PASSWORD)
    register_mfa(page, server)  # no MFA came back with the password: registration is forced
    assert page.url.endswith("/console/"), page.inner_text("main")
    assert org.member in page.inner_text("main")
    context.close()


def test_delete_member_root_credentials_from_root_access_page(server, org, admin_page, page):
    row = _row(admin_page, org.member)
    assert row.locator(".status-password").inner_text() == "Present"
    assert row.locator(".status-mfa").inner_text() == "1"
    admin_page.click(f"#account-{org.member} button[value='delete-credentials']")
    text = admin_page.inner_text("main")
    assert f"Deleted the root credentials of {org.member}: password" in text
    assert row.locator(".status-password").inner_text() == "Not present"
    assert row.locator(".status-mfa").inner_text() == "0"
    records = _assume_root_records(server, "IAMDeleteRootUserCredentials")
    assert records and records[0]["userIdentity"]["userName"] == ADMIN
    # The member's root can no longer sign in or recover its password.
    admin_page.click("button:has-text('Sign out')")
    sign_in_root(admin_page, org.member_email, NEW_ROOT_PASSWORD)
    assert "Your authentication information is incorrect" in admin_page.inner_text("main")


def test_unlock_bucket_policy_from_root_access_page(server, org, admin_page):
    member_admin = server.client_for(org.member_admin(org.admin_key, org.member), "s3")
    member_admin.create_bucket(Bucket="console-locked-bucket")
    member_admin.put_bucket_policy(Bucket="console-locked-bucket", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                                "Resource": ["arn:aws:s3:::console-locked-bucket",
                                                             "arn:aws:s3:::console-locked-bucket/*"]}]}))
    code, _, _ = error_of(member_admin.get_bucket_policy, Bucket="console-locked-bucket")
    assert code == "AccessDenied"
    admin_page.fill(f"#bucket-{org.member}", "console-locked-bucket")
    admin_page.click(f"#account-{org.member} button[value='unlock-bucket']")
    assert "Deleted the bucket policy of console-locked-bucket" in admin_page.inner_text("main")
    code, _, _ = error_of(member_admin.get_bucket_policy, Bucket="console-locked-bucket")
    assert code == "NoSuchBucketPolicy"
    assert _assume_root_records(server, "S3UnlockBucketPolicy")


def _assume_root_records(server, task: str) -> list[dict]:
    events = server.client("cloudtrail").lookup_events(LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "AssumeRoot"}])["Events"]
    records = [json.loads(event["CloudTrailEvent"]) for event in events]
    return [r for r in records if r["requestParameters"]["taskPolicyArn"]["arn"].endswith(task)]
