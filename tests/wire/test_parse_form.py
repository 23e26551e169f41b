"""wire.http.parse_form decodes query strings and form bodies exactly as urllib's parse_qsl (blank values kept)."""

from __future__ import annotations

import random
from urllib.parse import parse_qsl

import pytest

from rootplane.wire.http import parse_form


@pytest.mark.parametrize("text", [
    "", "&", "&&a=1&&", "a", "a=", "=b", "=", "a=1&a=2", "a=b=c", "a+b=c+d", "a%20b=c%2Bd", "%3D=%26",
    "Action=GetUser&Version=2010-05-08&UserName=bob", "Arn=arn%3Aaws%3Aiam%3A%3A000000000000%3Auser%2Fbob",
    "bad=%ZZ&%E2%82%AC=%E2%82", "semi;colon=1;2", "x=%", "plus+%2B=+",
])
def test_examples_match_parse_qsl(text: str) -> None:
    assert parse_form(text) == parse_qsl(text, keep_blank_values=True)


def test_random_text_matches_parse_qsl() -> None:
    rng = random.Random(19)
    alphabet = "ab=&+%2B3Dé;E2 "
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
        assert parse_form(text) == parse_qsl(text, keep_blank_values=True), text
