"""The console's state lives in the store: a restart keeps console sessions (and their CSRF tokens), sign-in
back-off and password recovery links."""

from __future__ import annotations

import re

import pytest
from browser_helpers import ROOT_EMAIL, ROOT_PASSWORD, outbox, register_mfa, sign_in_root

from harness import drop_postgres_database, required_postgres_database, start_server


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


@pytest.fixture
def two_servers():
    """Two server processes on one PostgreSQL store (as ``--workers`` or replicas would be)."""
    url = required_postgres_database()
    first = start_server(database_url=url, args=("--root-password", ROOT_PASSWORD))
    second = start_server(database_url=url)
    yield first, second
    first.close()
    second.close()
    drop_postgres_database(url)


def test_two_server_processes_share_sessions_and_back_off(browser, two_servers):
    first, second = two_servers
    context = browser.new_context()  # cookies are per host, not per port: both servers get them
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        for server in (first, second, first, second, first):
            page.goto(f"{server.endpoint}/console/signin")
            page.fill("input[type=email]", ROOT_EMAIL)
            page.click("button:has-text('Next')")
            page.fill("input[type=password]", "Wrong-Passw0rd!")
            page.click("button:has-text('Sign in')")
            assert "Your authentication information is incorrect" in page.inner_text("main")
        page.goto(f"{second.endpoint}/console/signin")
        page.fill("input[type=email]", ROOT_EMAIL)
        page.click("button:has-text('Next')")
        page.fill("input[type=password]", ROOT_PASSWORD)
        page.click("button:has-text('Sign in')")
        assert "too many failed sign-in attempts" in page.inner_text("main")
    finally:
        context.close()


def test_a_session_opened_on_one_process_works_on_the_other(browser, two_servers):
    first, second = two_servers
    context = browser.new_context()
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        page.goto(f"{first.endpoint}/console/signin")
        page.fill("input[type=email]", ROOT_EMAIL)
        page.click("button:has-text('Next')")
        page.goto(f"{second.endpoint}/console/signin/password")  # the visitor's step is known there too
        page.fill("input[type=password]", ROOT_PASSWORD)
        page.click("button:has-text('Sign in')")
        register_mfa(page, second)
        page.goto(f"{first.endpoint}/console/account")
        page.fill("#name", "Shared store")
        page.click("button:has-text('Update name')")
        assert "Account name updated." in page.inner_text("main")
        page.goto(f"{second.endpoint}/console/account")
        assert page.inner_text("#account-name") == "Shared store"
        page.click("button:has-text('Sign out')")
        page.goto(f"{first.endpoint}/console/account")
        assert page.url.endswith("/console/signin")
    finally:
        context.close()
