"""Every console page a person reaches: each form field has a label, each POST form carries the CSRF token, and a
page is used with the keyboard alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

SIGNED_IN_PAGES = ("/console/", "/console/account", "/console/billing", "/console/iam", "/console/iam/simulator",
                   "/console/root-access", "/console/activity", "/console/support")
PUBLIC_PAGES = ("/console/signin", "/console/signin/iam", "/console/forgot")

_PROBLEMS = """() => {
  const problems = [];
  for (const field of document.querySelectorAll('input, select, textarea')) {
    if (field.type === 'hidden') continue;
    const named = field.labels.length > 0 || field.getAttribute('aria-label') || field.getAttribute('aria-labelledby');
    if (!named) problems.push('no label: ' + (field.id || field.name));
  }
  for (const form of document.querySelectorAll('form')) {
    if (form.method.toLowerCase() !== 'post') continue;
    const token = form.querySelector('input[type=hidden][name=csrf_token]');
    if (!token || !token.value) problems.push('no CSRF token: ' + form.action);
  }
  for (const button of document.querySelectorAll('button')) {
    if (!button.textContent.trim() && !button.getAttribute('aria-label')) problems.push('unnamed button');
  }
  return problems;
}"""


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_pages_label_every_field_and_protect_every_form(root, path):
    root.goto(path)
    assert root.evaluate(_PROBLEMS) == []
    assert root.locator("h1").count() == 1


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_label_every_field_and_protect_every_form(page, path):
    page.goto(path)
    assert page.evaluate(_PROBLEMS) == []


def test_account_settings_with_the_keyboard_alone(server, root):
    root.goto("/console/account")
    root.focus("#name")
    root.keyboard.press("Control+A")
    root.keyboard.type("Keyboard only")
    with root.expect_navigation():  # the form posts and the page comes back (its URL never changes)
        root.keyboard.press("Enter")
    expect(root.locator("#account-name")).to_have_text("Keyboard only")
    root.focus("summary:has-text('Edit billing contact')")
    root.keyboard.press("Enter")  # a <details> opens from the keyboard
    assert root.locator("#alt-billing-name").is_visible()
