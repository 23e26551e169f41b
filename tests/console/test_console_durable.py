"""The console's state lives in the store: a restart keeps console sessions (and their CSRF tokens), sign-in
back-off and password recovery links."""

from __future__ import annotations

import re

import pytest
from browser_helpers import ROOT_EMAIL, ROOT_PASSWORD, outbox, register_mfa, sign_in_root

from harness import start_server


@pytest.fixture
def server():
    """A server of its own per test: each one restarts it."""
    running = start_server(args=("--time-travel", "--root-password", ROOT_PASSWORD))
    yield running
    running.close()


def test_console_session_and_its_csrf_token_survive_a_restart(server, page):
    sign_in_root(page, ROOT_EMAIL, ROOT_PASSWORD)
    register_mfa(page, server)
    page.goto("/console/account")
    server.restart()
    page.fill("#name", "After the restart")  # the form rendered before the restart: its CSRF token still holds
    page.click("button:has-text('Update name')")
    assert page.url.endswith("/console/account"), page.url
    assert page.inner_text("#account-name") == "After the restart"
    assert "Account name updated." in page.inner_text("main")
    assert server.client("account").get_account_information()["AccountName"] == "After the restart"


def test_sign_in_back_off_holds_across_a_restart(server, page):
    for _ in range(5):
        sign_in_root(page, ROOT_EMAIL, "Wrong-Passw0rd!")
        assert "Your authentication information is incorrect" in page.inner_text("main")
    server.restart()
    sign_in_root(page, ROOT_EMAIL, ROOT_PASSWORD)
    assert "too many failed sign-in attempts" in page.inner_text("main")
    assert page.url.endswith("/console/signin/password")


def test_recovery_link_sent_before_a_restart_works_after_it(server, page):
    page.goto("/console/forgot")
    page.fill("input[type=email]", ROOT_EMAIL)
    page.click("button:has-text('Send')")
    link = re.search(r"(/console/reset\?token=\S+)", outbox(server, ROOT_EMAIL)[-1]["body"]).group(1)
    server.restart()
    page.goto(link)
    page.fill("#password", "N3w-Root-Passw0rd!")
    page.fill("#confirm", "N3w-Root-Passw0rd!")
    page.click("button:has-text('Reset password')")
    assert "Your password was changed" in page.inner_text("main"), page.inner_text("main")
