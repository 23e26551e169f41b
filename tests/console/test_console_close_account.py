"""Closing the account from the account page: the account ID typed, refused for a management account that still
has members (as on AWS), and afterwards the account's credentials and its root's sign-in stop working."""

from __future__ import annotations

import datetime as _dt
import json
import time

import pytest
from browser_helpers import ROOT_EMAIL, ROOT_PASSWORD, register_mfa, sign_in_root

from harness import BOOT_ACCOUNT, error_of, start_server


@pytest.fixture
def server():
    """A server of its own per test: each one closes (or tries to close) the bootstrap account."""
    running = start_server(args=("--time-travel", "--root-password", ROOT_PASSWORD))
    yield running
    running.close()


def _stored_records(server, name: str) -> list[dict]:
    """CloudTrail records of one event name in the bootstrap account's Event history, read from the server's store
    (a closed account's credentials no longer call LookupEvents); polled until one is there."""
    from rootplane.schema import metadata
    from rootplane.services.cloudtrail import repo
    from rootplane.store.engine import Store, sqlite_url

    store = Store(sqlite_url(server.data_dir), metadata())
    far = _dt.timedelta(days=3650)  # the server runs with --time-travel: its clock is not this one
    now = _dt.datetime.now(_dt.timezone.utc)
    try:
        deadline = time.monotonic() + 10
        while True:
            with store.transaction(write=False) as session:
                rows = repo.list_events(session, BOOT_ACCOUNT, "us-east-1", attribute=("EventName", name),
                                        start=now - far, end=now + far, after=None, limit=50)
            if rows or time.monotonic() > deadline:
                return [json.loads(row.record) for row in rows]
            time.sleep(0.1)
    finally:
        store.dispose()


def _close(page, typed: str) -> None:
    page.goto("/console/account")
    page.fill("#confirm-account-id", typed)
    page.click("button:has-text('Close account')")


def test_management_account_with_members_cannot_close(server, page):
    organizations = server.client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    organizations.create_account(Email="member@example.com", AccountName="member")
    sign_in_root(page, ROOT_EMAIL, ROOT_PASSWORD)
    register_mfa(page, server)
    _close(page, "123456789012")
    assert f"type its account ID ({BOOT_ACCOUNT}) exactly" in page.inner_text("main")
    _close(page, BOOT_ACCOUNT)
    assert "still has member accounts" in page.inner_text("main")
    assert server.client("account").get_account_information()["AccountState"] == "ACTIVE"


def test_closed_account_signs_out_and_its_root_cannot_sign_in(server, page):
    sign_in_root(page, ROOT_EMAIL, ROOT_PASSWORD)
    register_mfa(page, server)
    _close(page, BOOT_ACCOUNT)
    assert "Your AWS account is closed." in page.inner_text("main")
    [record] = _stored_records(server, "CloseAccount")
    assert record["eventSource"] == "billingconsole.amazonaws.com" and record["eventType"] == "AwsApiCall"
    assert record["userIdentity"]["type"] == "Root" and record["userIdentity"]["accountId"] == BOOT_ACCOUNT
    assert record["sessionCredentialFromConsole"] == "true" and record["readOnly"] is False
    assert record["recipientAccountId"] == BOOT_ACCOUNT
    page.goto("/console/account")
    assert page.url.endswith("/console/signin")
    code, _, status = error_of(server.client("sts").get_caller_identity)
    assert (code, status) == ("InvalidClientTokenId", 403)
    sign_in_root(page, ROOT_EMAIL, ROOT_PASSWORD)
    assert "Your authentication information is incorrect" in page.inner_text("main")
