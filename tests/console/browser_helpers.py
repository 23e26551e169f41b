"""Helpers of the console's browser tests: the bootstrap root's console credentials, TOTP codes at the server's
time, the outbox, the sign-in steps and the ConsoleLogin records."""

from __future__ import annotations

import datetime as _dt
import json
import urllib.request

import pyotp

from harness import Server

ROOT_EMAIL = "root@example.com"
ROOT_PASSWORD = "Corr3ct-Horse!"


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
