"""Root and IAM-user sign-in in a real browser: forced MFA registration, MFA sign-in, lockout, CSRF, sign-out,
and what the API sees afterwards (root MFA device, PasswordLastUsed, ConsoleLogin records, EventBridge)."""

from __future__ import annotations

import json

import pytest
from browser_helpers import (
    ROOT_EMAIL, ROOT_PASSWORD, console_logins, register_mfa, sign_in_iam_user, sign_in_root, totp_code,
)

from harness import BOOT_ACCOUNT, error_of

ROOT_DEVICE = f"arn:aws:iam::{BOOT_ACCOUNT}:mfa/root-account-mfa-device"


@pytest.fixture(scope="module")
def root_secret(server, browser):
    """The root user's first sign-in: MFA registration is forced; returns the registered secret."""
    context = browser.new_context(base_url=server.endpoint)
    page = context.new_page()
    sign_in_root(page, ROOT_EMAIL, ROOT_PASSWORD)
    assert page.url.endswith("/console/mfa/register")
    assert page.locator("img.qr").get_attribute("src").startswith("data:image/png;base64,")
    # No console session exists before the device is registered.
    page.goto("/console/account")
    assert page.url.endswith("/console/signin")
    page.go_back()
    page.goto("/console/mfa/register")
    secret = register_mfa(page, server)
    assert page.url.endswith("/console/"), page.url
    assert "Root user of account" in page.inner_text("main")
    context.close()
    return secret


def test_first_root_sign_in_forces_mfa_registration(server, root_secret):
    iam = server.client("iam")
    devices = iam.list_mfa_devices()["MFADevices"]
    assert [device["SerialNumber"] for device in devices] == [ROOT_DEVICE]
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1
    assert "PasswordLastUsed" in iam.get_user()["User"]
    report_row = _root_report_row(server)
    assert report_row["password_last_used"] not in ("no_information", "N/A")
    assert report_row["mfa_active"] == "true"
    # The registration codes are used up: the device works for STS with a later code only.
    server.advance_clock(30)
    credentials = server.client("sts").get_session_token(SerialNumber=ROOT_DEVICE,
                                                         TokenCode=totp_code(server, root_secret))["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")


def _root_report_row(server) -> dict:
    import csv
    import io
    import time

    iam = server.client("iam")
    while iam.generate_credential_report()["State"] != "COMPLETE":
        time.sleep(0.1)
    rows = csv.DictReader(io.StringIO(iam.get_credential_report()["Content"].decode()))
    return next(row for row in rows if row["user"] == "<root_account>")


def test_console_login_records_and_eventbridge(server, root_secret):
    records = console_logins(server)
    success = next(r for r in records if r["responseElements"] == {"ConsoleLogin": "Success"})
    assert success["userIdentity"]["type"] == "Root"
    assert success["userIdentity"]["arn"] == f"arn:aws:iam::{BOOT_ACCOUNT}:root"
    assert success["eventSource"] == "signin.amazonaws.com"
    assert success["eventType"] == "AwsConsoleSignIn"
    assert success["awsRegion"] == "us-east-1"
    assert success["requestParameters"] is None
    assert success["additionalEventData"]["MFAUsed"] == "Yes"
    assert "errorMessage" not in success


def test_sign_in_with_mfa_and_sign_out(server, root_secret, page):
    sqs = server.client("sqs")
    queue = sqs.create_queue(QueueName="console-sign-ins")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events = server.client("events")
    rule_arn = events.put_rule(Name="console-sign-ins", EventPattern=json.dumps(
        {"detail-type": ["AWS Console Sign In via CloudTrail"]}))["RuleArn"]
    events.put_targets(Rule="console-sign-ins", Targets=[{"Id": "q", "Arn": arn}])
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": arn, "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}}}]})})

    server.advance_clock(60)
    sign_in_root(page, ROOT_EMAIL, ROOT_PASSWORD)
    assert page.url.endswith("/console/signin/mfa")
    code = totp_code(server, root_secret)
    page.fill("#code", code)
    page.click("button:has-text('Submit')")
    assert page.url.endswith("/console/"), page.inner_text("main")
    cookie = next(c for c in page.context.cookies() if c["name"] == "rp_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["secure"]

    # Pages act through the API as a console session: CloudTrail says so.
    page.goto("/console/account")
    assert "root-account-mfa-device" in page.inner_text("main")
    page.click("button:has-text('Sign out')")
    assert page.url.endswith("/console/signin")
    page.goto("/console/account")
    assert page.url.endswith("/console/signin")

    # The same code cannot sign in twice.
    sign_in_root(page, ROOT_EMAIL, ROOT_PASSWORD)
    page.fill("#code", code)
    page.click("button:has-text('Submit')")
    assert "The MFA code is not valid" in page.inner_text("main")

    server.client("cloudtrail").lookup_events(MaxResults=1)  # flushes pending records and their deliveries
    message = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5)["Messages"][0]
    event = json.loads(message["Body"])
    assert event["detail-type"] == "AWS Console Sign In via CloudTrail"
    assert event["source"] == "aws.signin"
    assert event["detail"]["eventName"] == "ConsoleLogin"


def test_console_pages_call_the_api_with_console_credentials(server, root_secret):
    cloudtrail = server.client("cloudtrail")
    events = cloudtrail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName",
                                                         "AttributeValue": "ListMFADevices"}])["Events"]
    records = [json.loads(event["CloudTrailEvent"]) for event in events]
    console = [r for r in records if r.get("sessionCredentialFromConsole") == "true"]
    assert console, records
    assert console[0]["userIdentity"]["type"] == "Root"
    assert console[0]["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"] == "true"


def test_lockout_after_failures(server, root_secret, page):
    server.advance_clock(16 * 60)  # earlier failures (a reused MFA code) are forgotten
    for _ in range(5):
        sign_in_root(page, ROOT_EMAIL, "Wrong-Passw0rd!")
        assert "Your authentication information is incorrect" in page.inner_text("main")
    sign_in_root(page, ROOT_EMAIL, ROOT_PASSWORD)
    assert "too many failed sign-in attempts" in page.inner_text("main")
    assert page.url.endswith("/console/signin/password")
    failures = [r for r in console_logins(server) if r["responseElements"] == {"ConsoleLogin": "Failure"}]
    assert len(failures) >= 6
    assert failures[0]["errorMessage"] == "Failed authentication"
    assert failures[0]["additionalEventData"]["MFAUsed"] == "No"
    server.advance_clock(3600)  # the back-off ends
    sign_in_root(page, ROOT_EMAIL, ROOT_PASSWORD)
    assert page.url.endswith("/console/signin/mfa")


def test_csrf_refusal(server, page):
    page.goto("/console/signin")
    page.evaluate("document.querySelector('input[name=csrf_token]').value = 'forged'")
    page.fill("input[type=email]", ROOT_EMAIL)
    page.click("button:has-text('Next')")
    assert "CSRF check failed" in page.inner_text("main")
    response = page.request.post(f"{server.endpoint}/console/signin", form={"email": ROOT_EMAIL})
    assert response.status == 403


def test_iam_user_sign_in_records_iam_user(server, page):
    iam = server.client("iam")
    iam.create_user(UserName="console-alice")
    iam.create_login_profile(UserName="console-alice", Password="Alice-Passw0rd!")
    iam.create_account_alias(AccountAlias="console-tests")
    sign_in_iam_user(page, "console-tests", "console-alice", "nope")
    assert "Your authentication information is incorrect" in page.inner_text("main")
    sign_in_iam_user(page, BOOT_ACCOUNT, "console-alice", "Alice-Passw0rd!")
    assert page.url.endswith("/console/"), page.inner_text("main")
    assert "console-alice" in page.inner_text("header")
    assert iam.get_user(UserName="console-alice")["User"]["PasswordLastUsed"]
    records = [r for r in console_logins(server) if r["userIdentity"]["type"] == "IAMUser"]
    assert records[0]["userIdentity"]["userName"] == "console-alice"
    assert records[0]["responseElements"] == {"ConsoleLogin": "Success"}
    assert records[1]["responseElements"] == {"ConsoleLogin": "Failure"}
    server.advance_clock(31 * 60)  # idle expiry
    page.goto("/console/account")
    assert page.url.endswith("/console/signin")
    sign_in_iam_user(page, BOOT_ACCOUNT, "nobody-here", "x")
    hidden = [r for r in console_logins(server) if r["userIdentity"].get("userName") == "HIDDEN_DUE_TO_SECURITY_REASONS"]
    assert hidden and hidden[0]["responseElements"] == {"ConsoleLogin": "Failure"}


def test_root_without_password_cannot_sign_in(server, page):
    code, _, status = error_of(server.client("iam").get_login_profile, UserName="missing-user")
    assert (code, status) == ("NoSuchEntity", 404)
    sign_in_root(page, "nobody@example.com", ROOT_PASSWORD)
    assert "Your authentication information is incorrect" in page.inner_text("main")
