"""Round trips with botocore's real signers: whatever botocore 1.44.8 signs, ``rootplane.auth.sigv4`` accepts, and
any change to a signed part is rejected.

Requests are signed with the signer classes directly (``SigV4Auth``, ``S3SigV4Auth``, ``SigV4QueryAuth``,
``S3SigV4QueryAuth``, ``HmacV1Auth``, ``HmacV1QueryAuth``) over ``AWSRequest`` objects, and also produced by real
boto3 clients: a ``before-send`` handler captures the fully prepared request and aborts the call (nothing is
sent, nothing is faked), and ``generate_presigned_url`` gives presigned URLs.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.auth import (
    HmacV1Auth,
    HmacV1QueryAuth,
    S3SigV4Auth,
    S3SigV4QueryAuth,
    SigV4Auth,
    SigV4QueryAuth,
)
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from rootplane.auth import sigv4
from rootplane.auth.sigv4.signed import fmt_amz
from rootplane.core.errors import AwsError
from rootplane.wire.http import HttpRequest

AKID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEPT//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+abc/def=="
ENDPOINT = "http://127.0.0.1:4566"

LONG = Credentials(AKID, SECRET)
TEMP = Credentials("ASIAIOSFODNN7EXAMPLE", SECRET, TOKEN)
CREDS = pytest.mark.parametrize("creds", [LONG, TEMP], ids=["long-term", "session"])


def _now() -> datetime:
    return datetime.now(timezone.utc)


def to_http(method: str, url: str, headers, body) -> HttpRequest:
    """A prepared botocore request as our HTTP layer would receive it (urllib3 adds Host from the URL)."""
    parts = urlsplit(url)
    lowered: dict[str, str] = {}
    for name, value in headers.items():
        value = value.decode("utf-8") if isinstance(value, bytes) else value
        key = name.lower()
        lowered[key] = lowered[key] + "," + value if key in lowered else value
    lowered.setdefault("host", parts.netloc)
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, bytes):
        body = body.read()
    return HttpRequest(method=method, path=parts.path or "/", query_string=parts.query, headers=lowered, body=body)


def sign(signer, method: str, url: str, *, data=b"", headers=None, params=None) -> HttpRequest:
    request = AWSRequest(method=method, url=url, data=data, headers=headers or {}, params=params or {})
    signer.add_auth(request)
    prepared = request.prepare()
    return to_http(prepared.method, prepared.url, prepared.headers, prepared.body)


def check(request: HttpRequest, family: str, *, creds=LONG, now: datetime | None = None, **kw) -> sigv4.SignedRequest:
    signed = sigv4.extract(request, family)
    assert signed is not None
    sigv4.verify(request, signed, creds.secret_key, now or _now(), family, **kw)
    assert signed.access_key_id == creds.access_key
    assert signed.session_token == creds.token
    return signed


def reject(request: HttpRequest, family: str, code: str, *, creds=LONG, now: datetime | None = None) -> AwsError:
    signed = sigv4.extract(request, family)
    assert signed is not None
    with pytest.raises(AwsError) as info:
        sigv4.verify(request, signed, creds.secret_key, now or _now(), family)
    assert info.value.code == code
    return info.value


# ------------------------------------------------------------------------------------------- header signing


@CREDS
def test_query_protocol_post(creds) -> None:
    body = "Action=ListUsers&Version=2010-05-08&PathPrefix=%2Fdivision_abc%2F&MaxItems=10"
    request = sign(
        SigV4Auth(creds, "iam", "eu-west-1"), "POST", ENDPOINT + "/", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    signed = check(request, "query", creds=creds)
    assert (signed.region, signed.service) == ("eu-west-1", "iam")
    assert set(signed.signed_headers) >= {"content-type", "host", "x-amz-date"}
    assert ("x-amz-security-token" in signed.signed_headers) == (creds.token is not None)
    request.body = body.replace("10", "11").encode()
    reject(request, "query", "SignatureDoesNotMatch", creds=creds)


@CREDS
def test_json_post_with_target(creds) -> None:
    body = json.dumps({"MaxResults": 5, "NextToken": "a+b/c=="}).encode()
    request = sign(
        SigV4Auth(creds, "organizations", "us-east-1"), "POST", ENDPOINT + "/", data=body,
        headers={"Content-Type": "application/x-amz-json-1.1",
                 "X-Amz-Target": "AWSOrganizationsV20161128.ListAccounts"},
    )
    signed = check(request, "json", creds=creds)
    assert "x-amz-target" in signed.signed_headers
    request.headers["x-amz-target"] = "AWSOrganizationsV20161128.CloseAccount"
    err = reject(request, "json", "InvalidSignatureException", creds=creds)
    assert err.status == 400


def test_rest_json_path_is_double_encoded() -> None:
    # Account-style rest-json with an encoded path segment: botocore signs quote('/a%20b') == '/a%2520b'
    request = sign(SigV4Auth(LONG, "account", "us-east-1"), "POST", ENDPOINT + "/getContactInformation/x%20y%2Fz",
                   data=b"{}", headers={"Content-Type": "application/json"})
    signed = check(request, "rest-json")
    assert sigv4.canonical_request(request, signed, "rest-json").split("\n")[1] == \
        "/getContactInformation/x%2520y%252Fz"
    request.path = "/getContactInformation/x%20y/z"
    assert reject(request, "rest-json", "InvalidSignatureException").status == 403


def test_query_string_params_signed_from_params() -> None:
    # params given separately (botocore encodes them into the URL at prepare time)
    request = sign(SigV4Auth(LONG, "sts", "us-east-1"), "GET", ENDPOINT + "/",
                   params={"Action": "GetCallerIdentity", "Version": "2011-06-15", "Odd": "a b+c/ü~*'"})
    check(request, "query")
    request.query_string = request.query_string.replace("Odd=", "Odd=x")
    reject(request, "query", "SignatureDoesNotMatch")


S3_KEYS = ["plain.txt", "with space.txt", "ünïcødé/ключ", "plus+sign", "percent%25literal%", "a//b/../c/./d",
           "~tilde!$&'()*,;=:@", "trailing/"]


@CREDS
@pytest.mark.parametrize("key", S3_KEYS)
def test_s3_put_and_get_odd_keys(creds, key) -> None:
    s3 = boto3.session.Session(
        aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key,
        aws_session_token=creds.token, region_name="us-west-2",
    ).client("s3", endpoint_url=ENDPOINT, config=Config(retries={"max_attempts": 1}))
    for method, kwargs in (
        ("put_object", {"Body": b"hello world", "ContentType": "text/plain"}),
        ("get_object", {"Range": "bytes=0-3"}),
        ("list_objects_v2", {"Prefix": key, "Delimiter": "/"}),
    ):
        if method == "list_objects_v2":
            kwargs["Bucket"] = "bucket"
        else:
            kwargs.update(Bucket="bucket", Key=key)
        request = _capture(s3, method, kwargs)
        signed = check(request, "s3", creds=creds)
        assert signed.payload_hash is not None and "x-amz-content-sha256" in signed.signed_headers
        tampered = HttpRequest(request.method, request.path + "x", request.query_string,
                               dict(request.headers), request.body)
        err = reject(tampered, "s3", "SignatureDoesNotMatch", creds=creds)
        assert err.status == 403 and err.fields["AWSAccessKeyId"] == creds.access_key
        assert "CanonicalRequest" in err.fields and "StringToSign" in err.fields
        assert creds.secret_key not in repr(err.fields)
        if request.body:
            request.body = request.body[::-1]
            err = reject(request, "s3", "XAmzContentSHA256Mismatch", creds=creds)
            assert err.status == 400


class _Captured(Exception):
    def __init__(self, request) -> None:
        super().__init__("captured")
        self.request = request


def _capture(client, method: str, kwargs: dict) -> HttpRequest:
    """Run a real boto3 call up to the wire and grab the prepared request; the call is aborted before sending."""

    def grab(request, **_):
        raise _Captured(request)

    client.meta.events.register_first("before-send", grab)
    try:
        getattr(client, method)(**kwargs)
    except _Captured as captured:
        prepared = captured.request
        return to_http(prepared.method, prepared.url, prepared.headers, prepared.body)
    finally:
        client.meta.events.unregister("before-send", grab)
    raise AssertionError("request was not captured")


@CREDS
@pytest.mark.parametrize(
    "service,method,kwargs,family",
    [
        ("sts", "get_caller_identity", {}, "query"),
        ("iam", "create_user", {"UserName": "alice+bob@x", "Path": "/a b/"}, "query"),
        ("organizations", "list_accounts", {}, "json"),
        ("cloudtrail", "lookup_events", {"MaxResults": 5}, "json"),
        ("events", "put_rule", {"Name": "r", "EventPattern": '{"source":["aws.s3"]}'}, "json"),
        ("sqs", "list_queues", {"QueueNamePrefix": "q"}, "json"),
        ("account", "get_contact_information", {}, "rest-json"),
        ("account", "get_alternate_contact", {"AlternateContactType": "BILLING"}, "rest-json"),
    ],
)
def test_boto3_clients(creds, service, method, kwargs, family) -> None:
    client = boto3.session.Session(
        aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key,
        aws_session_token=creds.token, region_name="ap-southeast-2",
    ).client(service, endpoint_url=ENDPOINT, config=Config(retries={"max_attempts": 1}))
    request = _capture(client, method, kwargs)
    signed = check(request, family, creds=creds)
    assert signed.region == "ap-southeast-2"
    request.headers["x-amz-date"] = fmt_amz(signed.date + timedelta(seconds=1))
    reject(request, family, "SignatureDoesNotMatch" if family == "query" else "InvalidSignatureException",
           creds=creds)


@CREDS
def test_aws_chunked_streaming_seed_and_unsigned_payload(creds) -> None:
    for payload in ("UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"):
        request = sign(S3SigV4Auth(creds, "s3", "us-east-1"), "PUT", ENDPOINT + "/bucket/k",
                       data=b"anything", headers={"X-Amz-Content-SHA256": payload})
        # S3SigV4Auth recomputes the header; emulate a client that chose an unsigned payload
        assert request.headers["x-amz-content-sha256"] != payload
    request = AWSRequest(method="PUT", url=ENDPOINT + "/bucket/k", data=b"body bytes")
    request.context["payload_signing_enabled"] = False
    SigV4Auth(creds, "s3", "us-east-1").add_auth(request)  # sets X-Amz-Content-SHA256: UNSIGNED-PAYLOAD
    prepared = request.prepare()
    http = to_http(prepared.method, prepared.url, prepared.headers, prepared.body)
    signed = check(http, "s3", creds=creds)
    assert signed.payload_hash == "UNSIGNED-PAYLOAD"
    http.body = b"other bytes"  # unsigned payload: body is not covered
    check(http, "s3", creds=creds)


def test_s3_sigv4_auth_direct() -> None:
    request = sign(S3SigV4Auth(LONG, "s3", "us-east-1"), "PUT", ENDPOINT + "/bucket/dir//x%2By.txt?tagging",
                   data=b"<Tagging/>", headers={"Content-Type": "application/xml"})
    signed = check(request, "s3")
    assert sigv4.canonical_request(request, signed, "s3").split("\n")[1] == "/bucket/dir//x%2By.txt"
    assert sigv4.canonical_request(request, signed, "s3").split("\n")[2] == "tagging="


# ----------------------------------------------------------------------------------------------- presigned


@CREDS
def test_sigv4_query_auth_sts(creds) -> None:
    request = sign(SigV4QueryAuth(creds, "sts", "us-east-1", expires=60), "GET",
                   ENDPOINT + "/?Action=GetCallerIdentity&Version=2011-06-15")
    signed = check(request, "query", creds=creds)
    assert signed.presigned and signed.expires_seconds == 60
    assert signed.expires_at == signed.date + timedelta(seconds=60)
    check(request, "query", creds=creds, now=signed.date + timedelta(seconds=60))
    err = reject(request, "query", "SignatureDoesNotMatch", creds=creds, now=signed.date + timedelta(seconds=61))
    assert err.message == "Request has expired" and err.status == 403
    request.query_string = request.query_string.replace("GetCallerIdentity", "GetSessionToken")
    reject(request, "query", "SignatureDoesNotMatch", creds=creds)


@CREDS
def test_boto3_presigned_sts_post_params_moved_to_url(creds) -> None:
    client = boto3.session.Session(
        aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key,
        aws_session_token=creds.token, region_name="eu-west-1",
    ).client("sts", endpoint_url=ENDPOINT)
    # botocore presigns with the operation's HTTP method (POST) unless HttpMethod is given
    url = client.generate_presigned_url("get_caller_identity", ExpiresIn=900)
    signed = check(to_http("POST", url, {}, b""), "query", creds=creds)
    assert signed.region == "eu-west-1" and signed.expires_seconds == 900
    reject(to_http("GET", url, {}, b""), "query", "SignatureDoesNotMatch", creds=creds)
    url = client.generate_presigned_url("get_caller_identity", ExpiresIn=900, HttpMethod="GET")
    check(to_http("GET", url, {}, b""), "query", creds=creds)


@CREDS
@pytest.mark.parametrize("key", S3_KEYS)
def test_s3_presigned_sigv4(creds, key) -> None:
    client = boto3.session.Session(
        aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key,
        aws_session_token=creds.token, region_name="us-east-1",
    ).client("s3", endpoint_url=ENDPOINT, config=Config(signature_version="s3v4"))
    url = client.generate_presigned_url("get_object", Params={"Bucket": "bkt", "Key": key,
                                                              "ResponseContentType": "text/plain"}, ExpiresIn=300)
    request = to_http("GET", url, {}, b"")
    signed = check(request, "s3", creds=creds)
    assert signed.presigned and signed.payload_hash == "UNSIGNED-PAYLOAD"
    err = reject(request, "s3", "AccessDenied", creds=creds, now=signed.date + timedelta(seconds=301))
    assert err.message == "Request has expired" and err.fields["X-Amz-Expires"] == "300"
    request.query_string = request.query_string.replace("text%2Fplain", "text%2Fhtml")
    reject(request, "s3", "SignatureDoesNotMatch", creds=creds)


@CREDS
def test_s3_sigv4_query_auth_direct_put(creds) -> None:
    request = sign(S3SigV4QueryAuth(creds, "s3", "us-east-1", expires=3600), "PUT",
                   ENDPOINT + "/bucket/a%20b%2Bc.txt")
    request.body = b"uploaded later by curl"  # unsigned payload
    check(request, "s3", creds=creds)


@CREDS
@pytest.mark.parametrize("key", S3_KEYS)
def test_s3_presigned_sigv2_default(creds, key) -> None:
    client = boto3.session.Session(
        aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key,
        aws_session_token=creds.token, region_name="us-east-1",
    ).client("s3", endpoint_url=ENDPOINT)
    url = client.generate_presigned_url("get_object", Params={"Bucket": "bkt", "Key": key,
                                                              "ResponseContentDisposition": "attachment"},
                                        ExpiresIn=120)
    assert "AWSAccessKeyId=" in url  # boto3's default S3 presigner is SigV2
    request = to_http("GET", url, {}, b"")
    signed = check(request, "s3", creds=creds)
    assert signed.signature_version == "v2" and signed.presigned
    err = reject(request, "s3", "AccessDenied", creds=creds, now=signed.expires_at + timedelta(seconds=1))
    assert err.message == "Request has expired"
    request.path = request.path + "x"
    reject(request, "s3", "SignatureDoesNotMatch", creds=creds)


@CREDS
def test_hmac_v1_query_auth_put_with_content_type(creds) -> None:
    request = sign(HmacV1QueryAuth(creds, expires=60), "PUT", ENDPOINT + "/bucket/k%20ey?uploadId=abc&partNumber=2",
                   headers={"Content-Type": "text/plain", "x-amz-acl": "private"})
    # a client using the URL sends the signed headers along
    request.headers.update({"content-type": "text/plain", "x-amz-acl": "private"})
    check(request, "s3", creds=creds)
    request.headers["x-amz-acl"] = "public-read"
    reject(request, "s3", "SignatureDoesNotMatch", creds=creds)


@CREDS
def test_hmac_v1_header_auth(creds) -> None:
    request = sign(HmacV1Auth(creds), "GET", ENDPOINT + "/bucket/key?acl",
                   headers={"x-amz-meta-a": "1"})
    assert request.headers["authorization"].startswith("AWS ")
    signed = check(request, "s3", creds=creds)
    assert signed.signature_version == "v2" and not signed.presigned
    err = reject(request, "s3", "RequestTimeTooSkewed", creds=creds, now=signed.date + timedelta(minutes=16))
    assert err.fields["MaxAllowedSkewMilliseconds"] == "900000"
    request.query_string = "policy"
    reject(request, "s3", "SignatureDoesNotMatch", creds=creds)
