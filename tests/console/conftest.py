"""Browser tests of the console: Playwright for Python driving Debian's ``chromium`` (never a downloaded browser).

Without chromium the tests are skipped on a developer machine and fail in CI (``CI`` set), which must install it.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import urllib.request

import pyotp
import pytest

from harness import Server, start_server

ROOT_EMAIL = "root@example.com"
ROOT_PASSWORD = "Corr3ct-Horse!"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("ROOTPLANE_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed but CI must run the console browser tests "
                        "(apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server() -> Server:
    """A fresh server whose bootstrap root user has a console password; --time-travel moves TOTP time too."""
    running = start_server(args=("--time-travel", "--root-password", ROOT_PASSWORD))
    yield running
    running.close()


@pytest.fixture
def page(browser, server):
    """A fresh browser context (no cookies) and page."""
    context = browser.new_context(base_url=server.endpoint)
    context.set_default_timeout(15000)
    opened = context.new_page()
    yield opened
    context.close()


def server_now(server: Server) -> _dt.datetime:
    return _dt.datetime.fromisoformat(server.get_json("/_rootplane/clock")["now"])


def totp_code(server: Server, secret: str, steps_ahead: int = 0) -> str:
    """The code of ``secret`` at the server's (possibly advanced) time."""
    step = int(server_now(server).timestamp()) // 30 + steps_ahead
    return pyotp.TOTP(secret).generate_otp(step)


def outbox(server: Server, to: str) -> list[dict]:
    return server.get_json(f"/_rootplane/outbox?to={urllib.request.quote(to)}")


def sign_in_root(page, email: str, password: str) -> None:
    page.goto("/console/signin")
    page.fill("input[type=email]", email)
    page.click("button:has-text('Next')")
    page.fill("input[type=password]", password)
    page.click("button:has-text('Sign in')")


def register_mfa(page, server: Server) -> str:
    """On the forced registration page: read the secret, send two consecutive codes; returns the secret."""
    assert page.url.endswith("/console/mfa/register"), page.url
    secret = page.inner_text("#mfa-secret").strip()
    page.fill("#code1", totp_code(server, secret, -1))
    page.fill("#code2", totp_code(server, secret))
    page.click("button:has-text('Add MFA')")
    return secret


def sign_in_iam_user(page, account: str, user_name: str, password: str) -> None:
    page.goto("/console/signin/iam")
    page.fill("#account", account)
    page.fill("#user_name", user_name)
    page.fill("input[type=password]", password)
    page.click("button:has-text('Sign in')")


def console_logins(server: Server, account_client=None) -> list[dict]:
    """ConsoleLogin records in an account's Event history (newest first)."""
    cloudtrail = account_client or server.client("cloudtrail")
    events = cloudtrail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName",
                                                         "AttributeValue": "ConsoleLogin"}])["Events"]
    return [json.loads(event["CloudTrailEvent"]) for event in events]
