"""S3 list helpers: key successors (prefix seeks), continuation tokens, url encoding."""

from __future__ import annotations

import pytest

from rootplane.core.errors import AwsError
from rootplane.services.s3.listing import decode_token, encode_token, url_encode
from rootplane.services.s3.repo import successor


def test_successor_bounds_every_key_with_the_prefix() -> None:
    for prefix in ("a/", "photos/2024/", "x", "é/"):
        upper = successor(prefix)
        assert prefix < upper
        assert prefix + "\U0010ffff" * 3 < upper


def test_tokens_round_trip_and_garbage_is_invalid_argument() -> None:
    assert decode_token(encode_token(("a/b", True))) == ("a/b", True)
    with pytest.raises(AwsError) as raised:
        decode_token("not-a-token")
    assert raised.value.code == "InvalidArgument"


def test_url_encoding_matches_what_botocore_decodes() -> None:
    assert url_encode("a b/c+d") == "a+b/c%2Bd"
