"""What a signature covers, on the wire (issue #10, findings 10 and 11): the body outside S3, the credential
scope's region and service, every x-amz-* header (X-Amz-Target included), presigned URLs' headers, and the
trailing headers of S3 streaming uploads."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from xml.etree import ElementTree

import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness import error_of

CREDS = Credentials("test", "test")
EMPTY = hashlib.sha256(b"").hexdigest()
SIG_MSG = ("The request signature we calculated does not match the signature you provided. Check your AWS Secret "
           "Access Key and signing method. Consult the service documentation for details.")


def _send(request: AWSRequest, body: bytes | None = None, **extra_headers: str) -> tuple[int, bytes]:
    """Send a signed request as is, optionally with another body or added headers (the attacker's edits)."""
    prepared = request.prepare()
    headers = dict(prepared.headers.items())
    headers.update(extra_headers)
    data = prepared.body if body is None else body
    sent = urllib.request.Request(prepared.url, data=data or None, method=prepared.method, headers=headers)
    try:
        with urllib.request.urlopen(sent, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _query_error(body: bytes) -> tuple[str, str]:
    root = ElementTree.fromstring(body)
    namespace = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
    error = root.find(f".//{namespace}Error")
    return error.findtext(f"{namespace}Code"), error.findtext(f"{namespace}Message")


def _iam_request(server, action: str, region: str = "us-east-1", service: str = "iam", signer=SigV4Auth,
                 **params: str) -> AWSRequest:
    body = "&".join([f"Action={action}", "Version=2010-05-08", *(f"{k}={v}" for k, v in params.items())])
    request = AWSRequest(method="POST", url=server.endpoint + "/", data=body.encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    signer(CREDS, service, region).add_auth(request)
    return request


def _user_exists(server, name: str) -> bool:
    return any(user["UserName"] == name for user in server.client("iam").list_users()["Users"])


class _UnsignedPayloadSigner(SigV4Auth):
    """A SigV4 signer that claims UNSIGNED-PAYLOAD (header and canonical request) instead of hashing the body."""

    def payload(self, request) -> str:
        return "UNSIGNED-PAYLOAD"


# -------------------------------------------------------------------------------------- finding 11: non-S3


def test_iam_body_is_signed_even_when_unsigned_payload_is_claimed(server, unique):
    """A signed ListUsers whose body is swapped for CreateUser: AWS hashes the body outside S3, so it fails."""
    request = AWSRequest(method="POST", url=server.endpoint + "/", data=b"Action=ListUsers&Version=2010-05-08",
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                                  "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    _UnsignedPayloadSigner(CREDS, "iam", "us-east-1").add_auth(request)
    swapped = f"Action=CreateUser&UserName=mallory-{unique}&Version=2010-05-08".encode()
    status, body = _send(request, swapped)
    assert (status, _query_error(body)) == (403, ("SignatureDoesNotMatch", SIG_MSG))
    assert not _user_exists(server, f"mallory-{unique}")


def test_iam_scope_region_must_be_a_real_region(server):
    status, body = _send(_iam_request(server, "ListUsers", region="xx-evil-9"))
    assert (status, _query_error(body)) == (
        403, ("SignatureDoesNotMatch", "Credential should be scoped to a valid region, not 'xx-evil-9'. "))


def test_real_regions_still_sign_iam_with_a_custom_endpoint(server):
    """botocore signs IAM with the client's region when endpoint_url is set (spec i.1 step 4): still accepted."""
    for region in ("eu-west-1", "ap-southeast-2"):
        assert server.client("iam", region=region).list_users()["ResponseMetadata"]["HTTPStatusCode"] == 200


def _sqs_request(server, service: str = "sqs") -> AWSRequest:
    request = AWSRequest(method="POST", url=server.endpoint + "/", data=b"{}", headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.ListQueues"})
    SigV4Auth(CREDS, service, "us-east-1").add_auth(request)
    return request


def test_sqs_scope_service_must_be_sqs(server):
    """X-Amz-Target routes to SQS; a scope naming another service (here s3) is refused."""
    status, body = _send(_sqs_request(server, service="s3"))
    error = json.loads(body)
    assert (status, error["__type"].rsplit("#", 1)[-1], error["message"]) == (
        400, "InvalidSignatureException", "Credential should be scoped to correct service: 'sqs'. ")
    assert _send(_sqs_request(server))[0] == 200


def test_x_amz_target_must_be_signed(server):
    request = _sqs_request(server)
    signed_headers = request.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0]
    without = ";".join(name for name in signed_headers.split(";") if name != "x-amz-target")
    request.headers.replace_header("Authorization", request.headers["Authorization"].replace(signed_headers, without))
    status, body = _send(request)
    error = json.loads(body)
    assert (status, error["__type"].rsplit("#", 1)[-1], error["message"]) == (
        400, "IncompleteSignatureException", "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.")


def test_unsigned_amz_header_refused_on_iam(server):
    status, body = _send(_iam_request(server, "ListUsers"), **{"X-Amz-Meta-Injected": "1"})
    assert (status, _query_error(body)) == (
        400, ("IncompleteSignature", "'X-Amz-Meta-Injected' must be a 'SignedHeader' in the AWS Authorization."))


# ---------------------------------------------------------------------------------------- finding 10: S3


@pytest.fixture(scope="module")
def bucket(server) -> str:
    s3 = server.client("s3")
    s3.create_bucket(Bucket="sigv4-integrity")
    s3.put_object(Bucket="sigv4-integrity", Key="k", Body=b"v")
    return "sigv4-integrity"


def _s3_error(body: bytes) -> dict[str, str]:
    return {child.tag: child.text for child in ElementTree.fromstring(body)}


def test_presigned_url_refuses_unsigned_amz_headers(server, bucket):
    request = AWSRequest(method="PUT", url=f"{server.endpoint}/{bucket}/presigned")
    S3SigV4QueryAuth(CREDS, "s3", "us-east-1", expires=300).add_auth(request)
    status, body = _send(request, b"data", **{"x-amz-acl": "public-read", "x-amz-meta-note": "unsigned"})
    error = _s3_error(body)
    assert (status, error["Code"], error["Message"], error["HeadersNotSigned"]) == (
        403, "AccessDenied", "There were headers present in the request which were not signed",
        "x-amz-acl, x-amz-meta-note")
    assert error_of(server.client("s3").head_object, Bucket=bucket, Key="presigned")[2] == 404
    assert _send(request, b"data")[0] == 200  # the same URL, as signed


def test_s3_header_auth_refuses_unsigned_amz_headers(server, bucket):
    request = AWSRequest(method="GET", url=f"{server.endpoint}/{bucket}/k")
    S3SigV4Auth(CREDS, "s3", "us-east-1").add_auth(request)
    status, body = _send(request, **{"x-amz-request-payer": "requester"})
    error = _s3_error(body)
    assert (status, error["Code"], error["HeadersNotSigned"]) == (403, "AccessDenied", "x-amz-request-payer")


def test_s3_scope_region_must_be_a_real_region(server, bucket):
    request = AWSRequest(method="GET", url=f"{server.endpoint}/{bucket}/k")
    S3SigV4Auth(CREDS, "s3", "xx-evil-9").add_auth(request)
    status, body = _send(request)
    error = _s3_error(body)
    assert (status, error["Code"], error["Region"]) == (400, "AuthorizationHeaderMalformed", "us-east-1")
    assert error["Message"] == (
        "The authorization header is malformed; the region 'xx-evil-9' is wrong; expecting 'us-east-1'")


def _signing_key(date: str) -> bytes:
    key = ("AWS4" + CREDS.secret_key).encode()
    for part in (date, "us-east-1", "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), "sha256").digest()
    return key


class _StreamingSigner(S3SigV4Auth):
    def payload(self, request) -> str:
        return "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"


def test_signed_stream_lines_after_last_chunk_are_not_headers(server, bucket):
    """STREAMING-AWS4-HMAC-SHA256-PAYLOAD has no trailer: lines appended after the final chunk (here a metadata
    header) are refused with MalformedTrailerError, and nothing is stored."""
    data = b"payload"
    url = f"{server.endpoint}/{bucket}/streamed"
    request = AWSRequest(method="PUT", url=url, headers={
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "content-encoding": "aws-chunked",
        "x-amz-decoded-content-length": str(len(data))})
    _StreamingSigner(CREDS, "s3", "us-east-1").add_auth(request)
    previous = request.headers["Authorization"].rsplit("Signature=", 1)[1]
    amz_date = request.headers["X-Amz-Date"]
    body = b""
    for chunk in (data, b""):
        sts = "\n".join(("AWS4-HMAC-SHA256-PAYLOAD", amz_date, f"{amz_date[:8]}/us-east-1/s3/aws4_request",
                         previous, EMPTY, hashlib.sha256(chunk).hexdigest()))
        previous = hmac.new(_signing_key(amz_date[:8]), sts.encode(), "sha256").hexdigest()
        body += b"%x;chunk-signature=%s\r\n%s" % (len(chunk), previous.encode(), chunk)
        body += b"\r\n" if chunk else b""
    injected = body + b"x-amz-meta-injected:yes\r\n\r\n"
    status, answer = _send(request, injected, **{"Content-Length": str(len(injected))})
    error = _s3_error(answer)
    assert (status, error["Code"]) == (400, "MalformedTrailerError")
    assert error_of(server.client("s3").head_object, Bucket=bucket, Key="streamed")[2] == 404
    honest = body + b"\r\n"
    assert _send(request, honest, **{"Content-Length": str(len(honest))})[0] == 200
    stored = server.client("s3").head_object(Bucket=bucket, Key="streamed")
    assert stored["ContentLength"] == len(data) and stored["Metadata"] == {}
