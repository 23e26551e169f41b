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


def test_after_is_none_without_a_token_and_raises_the_listing_refusal_for_a_foreign_one():
    class Refused(Exception):
        pass

    assert page_token.after("sqs", None, Refused) is None and page_token.after("sqs", "", Refused) is None
    assert page_token.after("sqs", page_token.issue("sqs", "queue-1"), Refused) == "queue-1"
    with pytest.raises(Refused):
        page_token.after("sqs", page_token.issue("sns", "queue-1"), Refused)
