"""S3 streaming uploads against the live server: aws-chunked bodies with chunk signatures (verified one by one),
unsigned trailers, and SigV2 on a virtual-hosted-style request."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.error
import urllib.request
import zlib

import pytest
from botocore.auth import HmacV1Auth, S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness import error_of

CREDS = Credentials("test", "test")
EMPTY = hashlib.sha256(b"").hexdigest()


class _StreamingSigner(S3SigV4Auth):
    """botocore's S3 signer with a streaming ``x-amz-content-sha256`` literal instead of the body's hash."""

    def __init__(self, literal: str) -> None:
        super().__init__(CREDS, "s3", "us-east-1")
        self.literal = literal

    def payload(self, request) -> str:
        return self.literal


def _send(url: str, headers: dict[str, str], body: bytes, method: str = "PUT") -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body or None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _signing_key(date: str) -> bytes:
    key = ("AWS4" + CREDS.secret_key).encode()
    for part in (date, "us-east-1", "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), "sha256").digest()
    return key


def _streaming_put(server, bucket: str, key: str, data: bytes, *, tamper: bool = False) -> tuple[int, bytes]:
    chunks = [data[i : i + 8192] for i in range(0, len(data), 8192)] + [b""]
    size = sum(len(b"%x;chunk-signature=%s\r\n\r\n" % (len(c), b"0" * 64)) + len(c) for c in chunks)
    url = f"{server.endpoint}/{bucket}/{key}"
    request = AWSRequest(method="PUT", url=url, headers={
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "content-encoding": "aws-chunked",
        "x-amz-decoded-content-length": str(len(data)), "content-length": str(size)})
    _StreamingSigner("STREAMING-AWS4-HMAC-SHA256-PAYLOAD").add_auth(request)
    headers = dict(request.headers.items())
    previous = headers["Authorization"].rsplit("Signature=", 1)[1]
    amz_date = headers["X-Amz-Date"]
    scope = f"{amz_date[:8]}/us-east-1/s3/aws4_request"
    body = b""
    for chunk in chunks:
        sts = "\n".join(("AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous, EMPTY, hashlib.sha256(chunk).hexdigest()))
        previous = hmac.new(_signing_key(amz_date[:8]), sts.encode(), "sha256").hexdigest()
        sent = chunk[:-1] + b"!" if tamper and chunk else chunk
        body += b"%x;chunk-signature=%s\r\n%s\r\n" % (len(chunk), previous.encode(), sent)
    return _send(url, headers, body)


@pytest.fixture(scope="module")
def bucket(server) -> str:
    server.client("s3").create_bucket(Bucket="wire-streaming")
    return "wire-streaming"


def test_signed_chunked_upload_is_stored_decoded(server, bucket) -> None:
    data = bytes(range(256)) * 100
    status, body = _streaming_put(server, bucket, "chunked.bin", data)
    assert status == 200, body
    stored = server.client("s3").get_object(Bucket=bucket, Key="chunked.bin")
    assert stored["Body"].read() == data
    assert stored.get("ContentEncoding") in (None, "")


def test_tampered_chunk_is_refused(server, bucket) -> None:
    status, body = _streaming_put(server, bucket, "tampered.bin", b"z" * 20000, tamper=True)
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body
    assert error_of(server.client("s3").head_object, Bucket=bucket, Key="tampered.bin")[0::2] == ("404", 404)


def test_unsigned_trailer_upload_carries_its_checksum(server, bucket) -> None:
    data = b"trailing checksum" * 1000
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    body = b"%x\r\n%s\r\n0\r\nx-amz-checksum-crc32:%s\r\n\r\n" % (len(data), data, crc.encode())
    url = f"{server.endpoint}/{bucket}/trailer.bin"
    request = AWSRequest(method="PUT", url=url, headers={
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "content-encoding": "aws-chunked",
        "x-amz-trailer": "x-amz-checksum-crc32", "x-amz-decoded-content-length": str(len(data))})
    _StreamingSigner("STREAMING-UNSIGNED-PAYLOAD-TRAILER").add_auth(request)
    status, answer = _send(url, dict(request.headers.items()), body)
    assert status == 200, answer
    stored = server.client("s3").get_object(Bucket=bucket, Key="trailer.bin", ChecksumMode="ENABLED")
    assert stored["Body"].read() == data
    assert stored.get("ChecksumCRC32") == crc


def test_sigv2_virtual_hosted_request(server, bucket) -> None:
    server.client("s3").put_object(Bucket=bucket, Key="v2.txt", Body=b"v2")
    port = server.endpoint.rsplit(":", 1)[1]
    request = AWSRequest(method="GET", url=f"http://{bucket}.localhost:{port}/v2.txt")
    request.auth_path = f"/{bucket}/v2.txt"
    HmacV1Auth(CREDS).add_auth(request)
    headers = dict(request.headers.items())
    headers["Host"] = f"{bucket}.localhost:{port}"
    status, body = _send(f"{server.endpoint}/v2.txt", headers, b"", method="GET")
    assert (status, body) == (200, b"v2"), body.decode()
