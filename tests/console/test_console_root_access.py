"""Root access management and root password recovery in a real browser.

The management account's IAM administrator uses the root access page (every action an AssumeRoot session); the
member's root inbox owner recovers the password through the outbox link once recovery is allowed. The organization
and its administrator are the module's; each test has a member account of its own and sets the organization's
features it needs, so any test runs alone or in any order.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from browser_helpers import outbox, register_mfa, sign_in_iam_user, sign_in_root

from e2e.root_access_org import ADMIN_POLICY, CREATE_PASSWORD, OrgWorld
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
    return world


@pytest.fixture
def member(org) -> tuple[str, str]:
    """A new member account of the organization: its ID and its root user's email address."""
    account_id = org.create_account("console-member")
    return account_id, org.root("organizations").describe_account(AccountId=account_id)["Account"]["Email"]


def _set_features(server, enabled: bool) -> None:
    """Centralized root access's two features on or off (IAM's API; idempotent, as on AWS)."""
    iam = server.client("iam")
    if enabled:
        iam.enable_organizations_root_credentials_management()
        iam.enable_organizations_root_sessions()
    else:
        iam.disable_organizations_root_sessions()
        iam.disable_organizations_root_credentials_management()


@pytest.fixture
def features(server, org) -> None:
    _set_features(server, enabled=True)


@pytest.fixture
def admin_page(page, org, member):
    """The root access page, signed in as the administrator (after ``member`` exists: its row is on the page)."""
    sign_in_iam_user(page, BOOT_ACCOUNT, ADMIN, ADMIN_PASSWORD)
    assert page.url.endswith("/console/"), page.inner_text("main")
    page.goto("/console/root-access")
    return page


def _row(page, account_id: str):
    return page.locator(f"#account-{account_id}")


def _reset_links(server, email: str) -> list[str]:
    return [match.group(1) for message in outbox(server, email) for match in [LINK.search(message["body"])] if match]


def test_enable_features_and_see_member_root_status(server, member, admin_page):
    _set_features(server, enabled=False)
    page = admin_page
    page.reload()
    page.click("button[value='enable:RootCredentialsManagement']")
    assert "RootCredentialsManagement enabled." in page.inner_text("main")
    page.click("button[value='enable:RootSessions']")
    assert "RootSessions enabled." in page.inner_text("main")
    assert server.client("iam").list_organizations_features()["EnabledFeatures"] == [
        "RootCredentialsManagement", "RootSessions"] or set(
        server.client("iam").list_organizations_features()["EnabledFeatures"]) == {"RootCredentialsManagement",
                                                                                   "RootSessions"}
    row = _row(page, member[0])
    assert row.locator(".status-password").inner_text() == "Not present"
    assert row.locator(".status-keys").inner_text() == "0"
    directory = os.environ.get("ROOTPLANE_SCREENSHOTS")
    if directory:
        page.set_viewport_size({"width": 1200, "height": 800})
        page.screenshot(path=os.path.join(directory, "root-access.png"), full_page=True)


def test_recovery_refused_while_not_allowed(server, member, page):
    _, email = member
    page.goto("/console/forgot")
    page.fill("input[type=email]", email)
    page.click("button:has-text('Send reset link')")
    assert "If that email address belongs to a root user" in page.inner_text("#recovery-sent")
    assert _reset_links(server, email) == []
    sign_in_root(page, email, NEW_ROOT_PASSWORD)
    assert "Your authentication information is incorrect" in page.inner_text("main")


def test_allowed_member_root_recovers_through_single_use_link(server, member, features, admin_page, browser):
    account_id, email = member
    admin_page.reload()
    admin_page.click(f"#account-{account_id} button[value='allow-recovery']")
    assert "Password recovery is allowed" in admin_page.inner_text("main")
    assert _row(admin_page, account_id).locator(".status-password").inner_text() == "Present"
    records = _assume_root_records(server, "IAMCreateRootUserPassword")
    assert records and records[0]["sessionCredentialFromConsole"] == "true"

    context = browser.new_context(base_url=server.endpoint)
    page = context.new_page()
    link = _reset_link(server, page, email)
    _reset_password(page, link, "short")
    assert "8 to 128 characters" in page.inner_text("main")
    _reset_password(page, link, NEW_ROOT_PASSWORD)
    assert "Your password was changed" in page.inner_text("main")

    page.goto(link)  # used links do nothing
    assert "This link is not valid" in page.inner_text("main")
    assert page.locator("#password").count() == 0

    sign_in_root(page, email, NEW_ROOT_PASSWORD)
    register_mfa(page, server)  # no MFA came back with the password: registration is forced
    assert page.url.endswith("/console/"), page.inner_text("main")
    assert account_id in page.inner_text("main")
    context.close()


def test_delete_member_root_credentials_from_root_access_page(server, org, member, features, admin_page, browser):
    account_id, email = member
    _allow_recovery(org, account_id)
    _recover_root(server, browser, email)
    admin_page.reload()
    row = _row(admin_page, account_id)
    assert row.locator(".status-password").inner_text() == "Present"
    assert row.locator(".status-mfa").inner_text() == "1"
    admin_page.click(f"#account-{account_id} button[value='delete-credentials']")
    text = admin_page.inner_text("main")
    assert f"Deleted the root credentials of {account_id}: password" in text
    assert row.locator(".status-password").inner_text() == "Not present"
    assert row.locator(".status-mfa").inner_text() == "0"
    records = _assume_root_records(server, "IAMDeleteRootUserCredentials")
    assert records and records[0]["userIdentity"]["userName"] == ADMIN
    # The member's root can no longer sign in or recover its password.
    admin_page.click("button:has-text('Sign out')")
    sign_in_root(admin_page, email, NEW_ROOT_PASSWORD)
    assert "Your authentication information is incorrect" in admin_page.inner_text("main")


def test_unlock_bucket_policy_from_root_access_page(server, org, member, features, admin_page):
    account_id, _ = member
    member_admin = server.client_for(org.member_admin(org.admin_key, account_id), "s3")
    bucket = f"console-locked-{account_id}"
    member_admin.create_bucket(Bucket=bucket)
    member_admin.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}]}))
    code, _, _ = error_of(member_admin.get_bucket_policy, Bucket=bucket)
    assert code == "AccessDenied"
    admin_page.fill(f"#bucket-{account_id}", bucket)
    admin_page.click(f"#account-{account_id} button[value='unlock-bucket']")
    assert f"Deleted the bucket policy of {bucket}" in admin_page.inner_text("main")
    code, _, _ = error_of(member_admin.get_bucket_policy, Bucket=bucket)
    assert code == "NoSuchBucketPolicy"
    assert _assume_root_records(server, "S3UnlockBucketPolicy")


def _reset_link(server, page, email: str) -> str:
    """Ask for a reset link on the sign-in page's "Forgot password?" form; the one link the outbox then holds."""
    page.goto("/console/forgot")
    page.fill("input[type=email]", email)
    page.click("button:has-text('Send reset link')")
    links = _reset_links(server, email)
    assert len(links) == 1
    return links[0]


def _reset_password(page, link: str, password: str) -> None:
    page.goto(link)
    page.fill("#password", password)
    page.fill("#confirm", password)
    page.click("button:has-text('Reset password')")


def _allow_recovery(org, account_id: str) -> None:
    """What the page's "Allow password recovery" does, through the API: a password for the member's root, made in
    an AssumeRoot session (task IAMCreateRootUserPassword)."""
    session = org.assume_root(org.admin_key, account_id, CREATE_PASSWORD)
    org.server.client_for(session, "iam").create_login_profile()


def _recover_root(server, browser, email: str) -> None:
    """The member's root, recovery allowed, sets its password through the emailed link, signs in and registers its
    MFA device, in a browser context of its own."""
    context = browser.new_context(base_url=server.endpoint)
    page = context.new_page()
    _reset_password(page, _reset_link(server, page, email), NEW_ROOT_PASSWORD)
    assert "Your password was changed" in page.inner_text("main")
    sign_in_root(page, email, NEW_ROOT_PASSWORD)
    register_mfa(page, server)
    context.close()


def _assume_root_records(server, task: str) -> list[dict]:
    events = server.client("cloudtrail").lookup_events(LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "AssumeRoot"}])["Events"]
    records = [json.loads(event["CloudTrailEvent"]) for event in events]
    return [r for r in records if r["requestParameters"]["taskPolicyArn"]["arn"].endswith(task)]
