"""Page tokens: a listing resumes only from a token it issued (core/page_token.py)."""

from __future__ import annotations

import base64

import pytest

from rootplane.core import page_token


def test_a_token_gives_back_the_keys_it_was_issued_with():
    token = page_token.issue("iam", "a", "b/c")
    assert page_token.resume("iam", token, 2) == ("a", "b/c")
    assert "=" not in token and base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


@pytest.mark.parametrize("token", [
    "zzz",                                         # not base64
    "not base64!",                                 # characters outside the alphabet
    base64.b64encode(b"topic").decode(),           # base64 of text that is no token
    base64.b64encode(b"\xff\xfe").decode(),        # base64 of bytes that are no text
    page_token.issue("kms", "key"),                # another listing's token
    page_token.issue("iam", "a", "b"),             # a token of another shape
])
def test_a_token_the_listing_did_not_issue_resumes_nothing(token):
    assert page_token.resume("iam", token) is None
