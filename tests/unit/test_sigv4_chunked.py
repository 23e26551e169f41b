"""aws-chunked streaming uploads: AWS's documented example (64 KiB + 1 KiB of 'a'), tampering, trailers."""

from __future__ import annotations

import hashlib
import hmac
import zlib
import base64
from datetime import datetime, timezone

import pytest

from rootplane.auth.sigv4.streaming import decode_aws_chunked, unchunk_request
from rootplane.auth.sigv4 import SignedRequest, signing_key
from rootplane.core.errors import AwsError
from rootplane.wire.http import HttpRequest

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
# AWS docs, "Signature Calculations for the Authorization Header: Transferring Payload in Multiple Chunks"
DOC_SIGNATURES = (
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
)
EMPTY = hashlib.sha256(b"").hexdigest()


def _signed(payload: str) -> SignedRequest:
    return SignedRequest(
        access_key_id="AKIAIOSFODNN7EXAMPLE", date=datetime(2013, 5, 24, tzinfo=timezone.utc), scope_date="20130524",
        region="us-east-1", service="s3", signed_headers=("host",), signature=SEED, session_token=None,
        presigned=False, expires_seconds=None, payload_hash=payload, amz_date="20130524T000000Z",
    )


def _chunk_signature(previous: str, chunk: bytes) -> str:
    sts = "\n".join(("AWS4-HMAC-SHA256-PAYLOAD", "20130524T000000Z", "20130524/us-east-1/s3/aws4_request", previous,
                     EMPTY, hashlib.sha256(chunk).hexdigest()))
    return hmac.new(signing_key(SECRET, "20130524", "us-east-1", "s3"), sts.encode(), "sha256").hexdigest()


def _body(chunks: list[bytes], signatures: list[str]) -> bytes:
    return b"".join(b"%x;chunk-signature=%s\r\n%s\r\n" % (len(c), s.encode(), c) for c, s in zip(chunks, signatures))


def _request(body: bytes, payload: str, decoded: int, **headers: str) -> HttpRequest:
    return HttpRequest("PUT", "/examplebucket/chunkObject.txt", "", {
        "host": "s3.amazonaws.com", "content-encoding": "aws-chunked", "x-amz-content-sha256": payload,
        "x-amz-decoded-content-length": str(decoded), **headers}, body)


CHUNKS = [b"a" * 65536, b"a" * 1024, b""]


def test_aws_documented_example_verifies_and_decodes() -> None:
    signatures, previous = [], SEED
    for chunk in CHUNKS:
        previous = _chunk_signature(previous, chunk)
        signatures.append(previous)
    assert tuple(signatures) == DOC_SIGNATURES
    request = _request(_body(CHUNKS, signatures), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", 66560)
    assert decode_aws_chunked(request, _signed("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), SECRET).data == b"a" * 66560
    unchunk_request(request, _signed("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), SECRET)
    assert request.body == b"a" * 66560 and "content-encoding" not in request.headers
    assert request.headers["content-length"] == "66560"


@pytest.mark.parametrize("tamper", ["data", "signature", "order", "truncated", "length"])
def test_tampered_streams_are_refused(tamper: str) -> None:
    chunks, signatures = list(CHUNKS), list(DOC_SIGNATURES)
    decoded = 66560
    if tamper == "data":
        chunks[1] = b"b" * 1024
    elif tamper == "signature":
        signatures[2] = "0" * 64
    elif tamper == "order":
        chunks[0], chunks[1] = chunks[1], chunks[0]
        signatures[0], signatures[1] = signatures[1], signatures[0]
    elif tamper == "length":
        decoded = 5
    body = _body(chunks, signatures)
    if tamper == "truncated":
        body = body[:1000]
    with pytest.raises(AwsError) as caught:
        decode_aws_chunked(_request(body, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", decoded),
                           _signed("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), SECRET)
    expected = ("IncompleteBody", 400) if tamper in ("truncated", "length") else ("SignatureDoesNotMatch", 403)
    assert (caught.value.code, caught.value.status) == expected


def _crc32(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def test_signed_trailer_is_verified_and_becomes_a_header() -> None:
    payload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
    data = b"hello world"
    first = _chunk_signature(SEED, data)
    final = _chunk_signature(first, b"")
    trailer = f"x-amz-checksum-crc32:{_crc32(data)}\n"
    sts = "\n".join(("AWS4-HMAC-SHA256-TRAILER", "20130524T000000Z", "20130524/us-east-1/s3/aws4_request", final,
                     hashlib.sha256(trailer.encode()).hexdigest()))
    trailer_signature = hmac.new(signing_key(SECRET, "20130524", "us-east-1", "s3"), sts.encode(), "sha256").hexdigest()
    body = (b"%x;chunk-signature=%s\r\n%s\r\n0;chunk-signature=%s\r\n" % (len(data), first.encode(), data, final.encode())
            + trailer.replace("\n", "\r\n").encode() + f"x-amz-trailer-signature:{trailer_signature}\r\n\r\n".encode())
    request = _request(body, payload, len(data), **{"x-amz-trailer": "x-amz-checksum-crc32"})
    unchunk_request(request, _signed(payload), SECRET)
    assert request.body == data and request.headers["x-amz-checksum-crc32"] == _crc32(data)
    bad = _request(body.replace(trailer_signature.encode(), b"1" * 64), payload, len(data))
    with pytest.raises(AwsError, match="SignatureDoesNotMatch"):
        unchunk_request(bad, _signed(payload), SECRET)


def test_unsigned_trailer_body_decodes() -> None:
    payload = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    data = b"x" * 70000
    body = (b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n" % (65536, data[:65536], len(data) - 65536, data[65536:])
            + f"x-amz-checksum-crc32:{_crc32(data)}\r\n\r\n".encode())
    request = _request(body, payload, len(data),
                       **{"content-encoding": "gzip,aws-chunked", "x-amz-trailer": "x-amz-checksum-crc32"})
    unchunk_request(request, _signed(payload), SECRET)
    assert request.body == data
    assert request.headers["content-encoding"] == "gzip"
    assert request.headers["x-amz-checksum-crc32"] == _crc32(data)


_MALFORMED_TRAILER = ("MalformedTrailerError", 400,
                      "The request contained trailing data that was not well-formed or did not conform to our "
                      "published schema.")


@pytest.mark.parametrize("after_empty_line", [False, True])
def test_plain_signed_stream_carries_no_trailing_headers(after_empty_line) -> None:
    """STREAMING-AWS4-HMAC-SHA256-PAYLOAD has no trailer: unsigned lines after the last chunk are refused, never
    turned into headers."""
    payload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    body = _body(CHUNKS, list(DOC_SIGNATURES))
    if not after_empty_line:
        body = body[:-2]  # the final chunk's header line, then the injected lines
    request = _request(body + b"x-amz-acl:public-read\r\n\r\n", payload, 66560)
    with pytest.raises(AwsError) as caught:
        unchunk_request(request, _signed(payload), SECRET)
    assert (caught.value.code, caught.value.status, caught.value.message) == _MALFORMED_TRAILER
    assert "x-amz-acl" not in request.headers


@pytest.mark.parametrize("declared", [None, "x-amz-checksum-sha256", "x-amz-checksum-crc32,x-amz-checksum-sha1"])
def test_trailers_must_be_the_declared_ones(declared) -> None:
    payload = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    data = b"hello"
    body = b"%x\r\n%s\r\n0\r\n" % (len(data), data) + f"x-amz-checksum-crc32:{_crc32(data)}\r\n\r\n".encode()
    headers = {"x-amz-trailer": declared} if declared else {}
    with pytest.raises(AwsError) as caught:
        unchunk_request(_request(body, payload, len(data), **headers), _signed(payload), SECRET)
    assert (caught.value.code, caught.value.status, caught.value.message) == _MALFORMED_TRAILER
