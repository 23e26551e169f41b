"""Browser tests of the console: Playwright for Python driving Debian's ``chromium`` (never a downloaded browser).

Without chromium the tests are skipped on a developer machine and fail in CI (``CI`` set), which must install it.
"""

from __future__ import annotations

import os
import shutil

import pytest

from browser_helpers import ROOT_EMAIL, ROOT_PASSWORD, register_mfa, sign_in_root
from harness import Server, start_server

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("ROOTPLANE_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module: Playwright's event loop stops with it, so later modules in the same worker
    may run their own."""
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


@pytest.fixture(scope="module")
def root(server, browser):
    """A page of the bootstrap root user signed in (its first sign-in registers MFA), for the whole module."""
    context = browser.new_context(base_url=server.endpoint)
    context.set_default_timeout(15000)
    page = context.new_page()
    sign_in_root(page, ROOT_EMAIL, ROOT_PASSWORD)
    register_mfa(page, server)
    yield page
    context.close()
