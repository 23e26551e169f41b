"""Helpers of the console's browser tests: the bootstrap root's console credentials, TOTP codes at the server's
time, the outbox, the sign-in steps and the ConsoleLogin records."""

from __future__ import annotations

import datetime as _dt
import json
import os
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
    """On the forced registration page: read the secret, send two consecutive codes and wait until the console
    session has opened; returns the secret."""
    assert page.url.endswith("/console/mfa/register"), page.url
    secret = page.inner_text("#mfa-secret").strip()
    step = int(server_now(server).timestamp()) // 30  # one reading: two would straddle a step now and then
    page.fill("#code1", pyotp.TOTP(secret).generate_otp(step - 1))
    page.fill("#code2", pyotp.TOTP(secret).generate_otp(step))
    page.click("button:has-text('Add MFA')")
    page.wait_for_url(lambda url: not url.endswith("/console/mfa/register"))
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


def records_named(server: Server, name: str) -> list[dict]:
    """CloudTrail records of one event name in the bootstrap account's Event history (newest first)."""
    events = server.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}])["Events"]
    return [json.loads(event["CloudTrailEvent"]) for event in events]


def self_signed_certificate() -> str:
    """A fresh self-signed X.509 certificate (PEM), as a person would upload as a signing certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rootplane console test")])
    now = _dt.datetime.now(_dt.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - _dt.timedelta(days=1))
                   .not_valid_after(now + _dt.timedelta(days=365)).sign(key, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def screenshot(page, name: str) -> None:
    """With ``ROOTPLANE_SCREENSHOTS=<dir>``, save the page as ``<dir>/<name>.png`` (the README's docs/screenshots)."""
    directory = os.environ.get("ROOTPLANE_SCREENSHOTS")
    if directory:
        page.screenshot(path=os.path.join(directory, f"{name}.png"), full_page=True)
