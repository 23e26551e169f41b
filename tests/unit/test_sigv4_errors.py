"""Negative paths of rootplane.auth.sigv4: every error code/status/message per protocol family (spec i.1-i.3)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from rootplane.auth import sigv4
from rootplane.auth.sigv4.signed import fmt_iso
from rootplane.core.errors import AwsError
from rootplane.wire.http import HttpRequest


SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
CREDS = Credentials("AKIDEXAMPLE", SECRET)
T0 = datetime(2015, 8, 30, 12, 36, 0, tzinfo=timezone.utc)
GOOD_AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
             "SignedHeaders=host;x-amz-date, "
             "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
SIG_MSG = ("The request signature we calculated does not match the signature you provided. Check your AWS Secret "
           "Access Key and signing method. Consult the service documentation for details.")
BAD_SIG = {"query": ("SignatureDoesNotMatch", 403), "json": ("InvalidSignatureException", 400),
           "rest-json": ("InvalidSignatureException", 403)}
INCOMPLETE = {"query": "IncompleteSignature", "json": "IncompleteSignatureException",
              "rest-json": "IncompleteSignatureException"}
NON_S3 = ["query", "json", "rest-json"]


def to_http(method: str, url: str, headers, body) -> HttpRequest:
    parts = urlsplit(url)
    lowered = {name.lower(): (v.decode() if isinstance(v, bytes) else v) for name, v in headers.items()}
    lowered.setdefault("host", parts.netloc)
    body = body.encode() if isinstance(body, str) else (body or b"")
    return HttpRequest(method=method, path=parts.path or "/", query_string=parts.query, headers=lowered, body=body)


def with_query(request: HttpRequest, query: str) -> HttpRequest:
    """A fresh request (HttpRequest caches its parsed query) with another raw query string."""
    return HttpRequest(request.method, request.path, query, dict(request.headers), request.body)


def req(headers: dict[str, str] | None = None, query: str = "", method: str = "GET", path: str = "/",
        body: bytes = b"") -> HttpRequest:
    base = {"host": "example.amazonaws.com", "x-amz-date": "20150830T123600Z"}
    base.update(headers or {})
    return HttpRequest(method=method, path=path, query_string=query,
                       headers={k: v for k, v in base.items() if v is not None}, body=body)


def signed_at(when: datetime, service: str = "sts", s3: bool = False, **kw) -> HttpRequest:
    """A botocore-signed request whose X-Amz-Date is ``when`` (re-signed by hand with the same algorithm)."""
    request = AWSRequest(method=kw.get("method", "POST"), url=kw.get("url", "http://127.0.0.1:4566/"),
                         data=kw.get("data", b"Action=GetCallerIdentity&Version=2011-06-15"),
                         headers={"X-Amz-Date": when.strftime("%Y%m%dT%H%M%SZ")})
    signer = (S3SigV4Auth if s3 else SigV4Auth)(CREDS, service, "us-east-1")
    request.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
    signer._modify_request_before_signing(request)
    request.headers.replace_header("X-Amz-Date", request.context["timestamp"])
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    signer._inject_signature_to_request(request, signature)
    prepared = request.prepare()
    return to_http(prepared.method, prepared.url, prepared.headers, prepared.body)


def raises(request: HttpRequest, family: str, now: datetime = T0, secret: str = SECRET, **kw) -> AwsError:
    with pytest.raises(AwsError) as info:
        signed = sigv4.extract(request, family)
        assert signed is not None
        sigv4.verify(request, signed, secret, now, family, **kw)
    return info.value


# ------------------------------------------------------------------------------------------------- no auth


@pytest.mark.parametrize("family", NON_S3 + ["s3"])
def test_no_auth_returns_none(family) -> None:
    assert sigv4.extract(req(), family) is None
    assert sigv4.extract(req(query="Action=ListUsers&X-Amz-Foo=1"), family) is None
    assert sigv4.extract(req(query="Signature=abc"), "query") is None


def test_unknown_family() -> None:
    with pytest.raises(ValueError):
        sigv4.extract(req(), "xml")


# --------------------------------------------------------------------------------------------- malformed


@pytest.mark.parametrize("family", NON_S3)
@pytest.mark.parametrize(
    "authorization,fragment",
    [
        ("AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=abc", "requires 'Credential' parameter"),
        ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, Signature=abc",
         "requires 'SignedHeaders' parameter"),
        ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host",
         "requires 'Signature' parameter"),
        ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/aws4_request, SignedHeaders=host, Signature=a",
         "Credential must have exactly 5 slash-delimited elements"),
        ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws5_request, SignedHeaders=host, "
         "Signature=a", "valid terminator: 'aws4_request', not 'aws5_request'"),
        ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2015-08-30/us-east-1/service/aws4_request, SignedHeaders=host, "
         "Signature=a", "Credential should be scoped to a valid date"),
        ("AWS4-HMAC-SHA512 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host, "
         "Signature=a", "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'"),
        ("AWS AKIDEXAMPLE:abc", "Unsupported AWS 'algorithm': 'AWS'"),
        ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
         "SignedHeaders=x-amz-date, Signature=a", "'Host' or ':authority' must be a 'SignedHeader'"),
    ],
)
def test_malformed_authorization(family, authorization, fragment) -> None:
    err = raises(req({"authorization": authorization}), family)
    assert (err.code, err.status) == (INCOMPLETE[family], 400)
    assert fragment in err.message


@pytest.mark.parametrize("family", NON_S3)
def test_missing_and_bad_date(family) -> None:
    err = raises(req({"authorization": GOOD_AUTH, "x-amz-date": None}), family)
    assert (err.code, err.status) == (INCOMPLETE[family], 400)
    assert "requires existence of either a 'X-Amz-Date' or a 'Date' header" in err.message
    err = raises(req({"authorization": GOOD_AUTH, "x-amz-date": "2015-08-30T12:36:00Z"}), family)
    assert err.message.startswith("Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'.")


def test_date_header_instead_of_x_amz_date() -> None:
    request = req({"authorization": GOOD_AUTH, "x-amz-date": None, "date": "Sun, 30 Aug 2015 12:36:00 GMT"})
    signed = sigv4.extract(request, "query")
    assert signed is not None and signed.date == T0 and signed.amz_date == "20150830T123600Z"


def test_s3_malformed() -> None:
    err = raises(req({"authorization": "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/s3, "
                                       "SignedHeaders=host, Signature=a"}), "s3")
    assert (err.code, err.status) == ("AuthorizationHeaderMalformed", 400)
    assert "the Credential is mal-formed" in err.message
    err = raises(req({"authorization": "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/s3/aws4_request"}), "s3")
    assert err.code == "AuthorizationHeaderMalformed"
    err = raises(req({"authorization": "Bearer xyz"}), "s3")
    assert (err.code, err.status, err.message) == ("InvalidArgument", 400, "Unsupported Authorization Type")
    err = raises(req({"authorization": GOOD_AUTH.replace("service", "s3"), "x-amz-date": None}), "s3")
    assert (err.code, err.status) == ("AccessDenied", 403)
    assert err.message == "AWS authentication requires a valid Date or x-amz-date header"


def test_s3_unsigned_amz_headers_and_missing_content_sha() -> None:
    auth = GOOD_AUTH.replace("service", "s3")
    err = raises(req({"authorization": auth, "x-amz-acl": "public-read"}), "s3")
    assert (err.code, err.status, err.fields["HeadersNotSigned"]) == ("AccessDenied", 403, "x-amz-acl")
    err = raises(req({"authorization": auth}), "s3")
    assert (err.code, err.status) == ("InvalidRequest", 400)
    assert err.message == "Missing required header for this request: x-amz-content-sha256"
    auth = auth.replace("host;x-amz-date", "host;x-amz-content-sha256;x-amz-date")
    err = raises(req({"authorization": auth, "x-amz-content-sha256": "nope"}), "s3")
    assert (err.code, err.status) == ("InvalidArgument", 400)
    assert err.message.startswith("x-amz-content-sha256 must be UNSIGNED-PAYLOAD")


# ------------------------------------------------------------------------------------------ bad signature


@pytest.mark.parametrize("family", NON_S3)
def test_bad_signature_per_family(family) -> None:
    request = signed_at(T0)
    err = raises(request, family, secret="not-the-secret")
    assert (err.code, err.status) == BAD_SIG[family]
    assert err.message == SIG_MSG and err.fields == {}
    assert "not-the-secret" not in str(err)


def test_bad_signature_s3_fields() -> None:
    request = signed_at(T0, service="s3", s3=True, method="PUT", url="http://127.0.0.1:4566/b/k", data=b"x")
    err = raises(request, "s3", secret="not-the-secret")
    assert (err.code, err.status) == ("SignatureDoesNotMatch", 403)
    assert err.message == ("The request signature we calculated does not match the signature you provided. "
                           "Check your key and signing method.")
    assert set(err.fields) == {"AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes",
                               "CanonicalRequest", "CanonicalRequestBytes"}
    assert err.fields["AWSAccessKeyId"] == "AKIDEXAMPLE"
    assert err.fields["StringToSign"].startswith("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/s3/")
    assert err.fields["StringToSignBytes"].startswith("41 57 53 34 2d")
    assert err.fields["CanonicalRequest"].startswith("PUT\n/b/k\n\n")
    assert "not-the-secret" not in repr(err.fields)


def test_garbage_signature_is_rejected_not_crashing() -> None:
    request = signed_at(T0)
    request.headers["authorization"] = request.headers["authorization"].rsplit("=", 1)[0] + "=ünïcødé"
    assert raises(request, "query").code == "SignatureDoesNotMatch"


def test_body_hash_header_mismatch() -> None:
    request = signed_at(T0, service="s3", s3=True, method="PUT", url="http://127.0.0.1:4566/b/k", data=b"abc")
    request.body = b"abd"
    err = raises(request, "s3")
    assert (err.code, err.status) == ("XAmzContentSHA256Mismatch", 400)
    assert err.fields["ClientComputedContentSHA256"] != err.fields["S3ComputedContentSHA256"]
    # non-S3 with an x-amz-content-sha256 header: the body is no longer what was signed
    request = signed_at(T0, service="s3", s3=True, method="PUT", url="http://127.0.0.1:4566/b/k", data=b"abc")
    request.body = b"abd"
    assert raises(request, "json").code == "InvalidSignatureException"


# -------------------------------------------------------------------------------------------- clock skew


def test_skew_query_past_and_future() -> None:
    request = signed_at(T0)
    now = datetime(2015, 8, 30, 13, 1, 0, tzinfo=timezone.utc)
    err = raises(request, "query", now=now)
    assert (err.code, err.status) == ("SignatureDoesNotMatch", 403)
    assert err.message == ("Signature expired: 20150830T123600Z is now earlier than 20150830T124600Z "
                           "(20150830T130100Z - 15 min.)")
    err = raises(request, "query", now=T0 - timedelta(minutes=15, seconds=1))
    assert err.message == ("Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z "
                           "(20150830T122059Z + 15 min.)")
    # exactly at the edge is fine
    sigv4.verify(request, sigv4.extract(request, "query"), SECRET, T0 + timedelta(minutes=15), "query")


@pytest.mark.parametrize("family", ["json", "rest-json"])
def test_skew_json_five_minutes(family) -> None:
    request = signed_at(T0, service="organizations")
    sigv4.verify(request, sigv4.extract(request, family), SECRET, T0 + timedelta(minutes=5), family)
    err = raises(request, family, now=T0 + timedelta(minutes=5, seconds=25))
    assert (err.code, err.status) == BAD_SIG[family]
    assert err.message == ("Signature expired: 20150830T123600Z is now earlier than 20150830T123625Z "
                           "(20150830T124125Z - 5 min.)")


def test_skew_s3_and_override() -> None:
    request = signed_at(T0, service="s3", s3=True, method="GET", url="http://127.0.0.1:4566/b", data=b"")
    err = raises(request, "s3", now=T0 + timedelta(minutes=16))
    assert (err.code, err.status) == ("RequestTimeTooSkewed", 403)
    assert err.message == "The difference between the request time and the current time is too large."
    assert err.fields == {"RequestTime": "20150830T123600Z", "ServerTime": "2015-08-30T12:52:00Z",
                          "MaxAllowedSkewMilliseconds": "900000"}
    err = raises(request, "s3", now=T0 + timedelta(minutes=2), max_skew=timedelta(minutes=1))
    assert err.fields["MaxAllowedSkewMilliseconds"] == "60000"


# ---------------------------------------------------------------------------------------- scope date


@pytest.mark.parametrize("family", NON_S3)
def test_scope_date_mismatch(family) -> None:
    request = signed_at(T0)
    signed = sigv4.extract(request, family)
    with pytest.raises(AwsError) as info:
        sigv4.verify(request, signed._replace(scope_date="20150829"), SECRET, T0, family)
    err = info.value
    assert (err.code, err.status) == BAD_SIG[family]
    assert err.message == ("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
                           "HTTP: '20150829' != '20150830', from '20150830T123600Z'.")


def test_scope_date_mismatch_s3() -> None:
    request = signed_at(T0, service="s3", s3=True, method="GET", url="http://127.0.0.1:4566/b", data=b"")
    request.headers["authorization"] = request.headers["authorization"].replace("/20150830/", "/20150831/")
    err = raises(request, "s3")
    assert (err.code, err.status) == ("AuthorizationHeaderMalformed", 400)
    assert "Date is not the same as X-Amz-Date" in err.message


def test_any_region_accepted() -> None:
    for region in ("us-east-1", "eu-central-2", "ap-southeast-2"):
        request = AWSRequest(method="POST", url="http://127.0.0.1:4566/", data=b"Action=ListUsers")
        SigV4Auth(CREDS, "iam", region).add_auth(request)
        prepared = request.prepare()
        http = to_http(prepared.method, prepared.url, prepared.headers, prepared.body)
        signed = sigv4.extract(http, "query")
        sigv4.verify(http, signed, SECRET, signed.date, "query")
        assert signed.region == region


# ------------------------------------------------------------------------------------------------ presign


def _presigned(signer_cls, service: str, expires: int, url: str = "http://127.0.0.1:4566/b/k") -> HttpRequest:
    request = AWSRequest(method="GET", url=url)
    signer_cls(CREDS, service, "us-east-1", expires=expires).add_auth(request)
    return to_http("GET", request.prepare().url, {}, b"")


def test_presigned_expired_per_family() -> None:
    request = _presigned(S3SigV4QueryAuth, "s3", 60)
    signed = sigv4.extract(request, "s3")
    late = signed.date + timedelta(seconds=61)
    err = raises(request, "s3", now=late)
    assert (err.code, err.status, err.message) == ("AccessDenied", 403, "Request has expired")
    assert err.fields == {"X-Amz-Expires": "60", "Expires": fmt_iso(signed.date + timedelta(seconds=60)),
                          "ServerTime": fmt_iso(late)}
    request = _presigned(SigV4QueryAuth, "sts", 60, "http://127.0.0.1:4566/?Action=GetCallerIdentity")
    signed = sigv4.extract(request, "query")
    for family in NON_S3:
        err = raises(request, family, now=signed.date + timedelta(seconds=61))
        assert (err.code, err.status, err.message) == (*BAD_SIG[family], "Request has expired")


def test_presigned_not_yet_valid() -> None:
    request = _presigned(SigV4QueryAuth, "sts", 60, "http://127.0.0.1:4566/?Action=GetCallerIdentity")
    signed = sigv4.extract(request, "query")
    err = raises(request, "query", now=signed.date - timedelta(minutes=16))
    assert err.message.startswith("Signature not yet current:")


def test_presigned_expires_too_long_and_malformed() -> None:
    request = _presigned(S3SigV4QueryAuth, "s3", 604801)
    err = raises(request, "s3")
    assert (err.code, err.status) == ("AuthorizationQueryParametersError", 400)
    assert err.message == "X-Amz-Expires must be less than a week (in seconds) that is 604800"
    request = _presigned(SigV4QueryAuth, "sts", 604801, "http://127.0.0.1:4566/?Action=GetCallerIdentity")
    err = raises(request, "query")
    assert (err.code, err.status) == ("IncompleteSignature", 400)
    assert "604800" in err.message
    request = _presigned(S3SigV4QueryAuth, "s3", 604800)  # exactly a week is allowed
    assert sigv4.extract(request, "s3").expires_seconds == 604800
    request = _presigned(S3SigV4QueryAuth, "s3", 60)
    request = with_query(request, request.query_string.replace("X-Amz-Expires=60", "X-Amz-Expires=-1"))
    assert raises(request, "s3").message == "X-Amz-Expires must be non-negative"
    request = with_query(request, request.query_string.replace("X-Amz-Expires=-1&", ""))
    err = raises(request, "s3")
    assert err.code == "AuthorizationQueryParametersError" and "requires the X-Amz-Algorithm" in err.message
    request = _presigned(SigV4QueryAuth, "sts", 60, "http://127.0.0.1:4566/?Action=GetCallerIdentity")
    request = with_query(request, request.query_string.replace("X-Amz-Algorithm=AWS4-HMAC-SHA256&", ""))
    err = raises(request, "json")
    assert err.code == "IncompleteSignatureException"
    assert "AWS query-string parameters must include 'X-Amz-Algorithm'" in err.message


def test_presigned_scope_date_mismatch_s3() -> None:
    request = _presigned(S3SigV4QueryAuth, "s3", 60)
    signed = sigv4.extract(request, "s3")
    with pytest.raises(AwsError) as info:
        sigv4.verify(request, signed._replace(scope_date="20000101"), SECRET, signed.date, "s3")
    assert info.value.code == "AuthorizationQueryParametersError"


def test_sigv2_query_missing_parts() -> None:
    err = raises(req({"x-amz-date": None}, query="AWSAccessKeyId=AKIDEXAMPLE&Signature=abc"), "s3")
    assert (err.code, err.status) == ("AccessDenied", 403)
    assert err.message == "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"


# ------------------------------------------------------------------------------ scope and integrity (issue #10)


def _signed(service: str, region: str, *, data: bytes = b"Action=ListUsers&Version=2010-05-08",
            headers: dict[str, str] | None = None, signer_cls=SigV4Auth) -> HttpRequest:
    request = AWSRequest(method="POST", url="http://127.0.0.1:4566/", data=data, headers=dict(headers or {}))
    signer_cls(CREDS, service, region).add_auth(request)
    prepared = request.prepare()
    return to_http(prepared.method, prepared.url, prepared.headers, prepared.body)


def _check(request: HttpRequest, family: str, **kw) -> None:
    signed = sigv4.extract(request, family)
    assert signed is not None
    sigv4.verify(request, signed, SECRET, signed.date, family, **kw)


@pytest.mark.parametrize("family", NON_S3)
def test_scope_region_must_be_a_real_region(family) -> None:
    request = _signed("iam", "xx-evil-9")
    signed = sigv4.extract(request, family)
    err = raises(request, family, now=signed.date, signing_name="iam")
    assert (err.code, err.status) == BAD_SIG[family]
    assert err.message == "Credential should be scoped to a valid region, not 'xx-evil-9'. "
    for region in ("us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1", "eusc-de-east-1"):
        _check(_signed("iam", region), family, signing_name="iam")


@pytest.mark.parametrize("family", NON_S3)
def test_scope_service_must_be_the_endpoints(family) -> None:
    request = _signed("s3", "us-east-1")
    signed = sigv4.extract(request, family)
    err = raises(request, family, now=signed.date, signing_name="sqs")
    assert (err.code, err.status) == BAD_SIG[family]
    assert err.message == "Credential should be scoped to correct service: 'sqs'. "


def test_scope_errors_s3_header_and_presigned() -> None:
    request = _signed("s3", "xx-evil-9", signer_cls=S3SigV4Auth, data=b"")
    signed = sigv4.extract(request, "s3")
    err = raises(request, "s3", now=signed.date, signing_name="s3")
    assert (err.code, err.status, err.fields) == ("AuthorizationHeaderMalformed", 400, {"Region": "us-east-1"})
    assert err.message == "The authorization header is malformed; the region 'xx-evil-9' is wrong; expecting 'us-east-1'"
    request = _signed("iam", "us-east-1", signer_cls=S3SigV4Auth, data=b"")
    err = raises(request, "s3", now=signed.date, signing_name="s3")
    assert (err.code, err.status) == ("AuthorizationHeaderMalformed", 400)
    assert err.message == ('The authorization header is malformed; incorrect service "iam". '
                           'This endpoint belongs to "s3".')
    presigned = AWSRequest(method="GET", url="http://127.0.0.1:4566/b/k")
    S3SigV4QueryAuth(CREDS, "s3", "xx-evil-9", expires=60).add_auth(presigned)
    request = to_http("GET", presigned.prepare().url, {}, b"")
    err = raises(request, "s3", now=sigv4.extract(request, "s3").date, signing_name="s3")
    assert (err.code, err.status, err.fields) == ("AuthorizationQueryParametersError", 400, {"Region": "us-east-1"})
    assert err.message == ("Error parsing the X-Amz-Credential parameter; the region 'xx-evil-9' is wrong; "
                           "expecting 'us-east-1'")


@pytest.mark.parametrize("family", NON_S3)
def test_payload_is_always_hashed_outside_s3(family) -> None:
    """A claimed UNSIGNED-PAYLOAD (or any literal) does not take the body out of the signature outside S3."""

    class UnsignedBody(SigV4Auth):
        def payload(self, request) -> str:
            return "UNSIGNED-PAYLOAD"

    request = _signed("iam", "us-east-1", headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}, signer_cls=UnsignedBody)
    request.body = b"Action=CreateUser&UserName=mallory&Version=2010-05-08"
    signed = sigv4.extract(request, family)
    assert signed.payload_hash is None
    err = raises(request, family, now=signed.date)
    assert (err.code, err.status, err.message) == (*BAD_SIG[family], SIG_MSG)
    _check(_signed("iam", "us-east-1", headers={"X-Amz-Content-SHA256": sigv4.EMPTY_SHA256}, data=b""), family)


@pytest.mark.parametrize("family", NON_S3)
def test_unsigned_amz_headers_are_refused_outside_s3(family) -> None:
    target = {"X-Amz-Target": "AmazonSQS.ListQueues", "Content-Type": "application/x-amz-json-1.0"}
    request = _signed("sqs", "us-east-1", headers=target, data=b"{}")
    _check(request, family, signing_name="sqs")
    signed_headers = request.headers["authorization"].split("SignedHeaders=")[1].split(",")[0]
    assert "x-amz-target" in signed_headers.split(";")
    without = ";".join(name for name in signed_headers.split(";") if name != "x-amz-target")
    request.headers["authorization"] = request.headers["authorization"].replace(signed_headers, without)
    err = raises(request, family)
    assert (err.code, err.status) == (INCOMPLETE[family], 400)
    assert err.message == "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."
    request = _signed("iam", "us-east-1")
    request.headers["x-amz-meta-added"] = "later"
    assert raises(request, family).message == "'X-Amz-Meta-Added' must be a 'SignedHeader' in the AWS Authorization."
    request = _signed("iam", "us-east-1")
    request.headers["x-amz-security-token"] = "added-after-signing"  # AWS suite: post-sts-header-after
    assert sigv4.extract(request, family).session_token == "added-after-signing"


def test_presigned_s3_refuses_unsigned_amz_headers() -> None:
    request = _presigned(S3SigV4QueryAuth, "s3", 60)
    request.headers["x-amz-acl"] = "public-read"
    with pytest.raises(AwsError) as info:
        sigv4.extract(request, "s3")
    assert (info.value.code, info.value.status) == ("AccessDenied", 403)
    assert info.value.message == "There were headers present in the request which were not signed"
    assert info.value.fields == {"HeadersNotSigned": "x-amz-acl"}


@pytest.mark.parametrize("layout", [
    "AWS4-HMAC-SHA256 Credential={c}, SignedHeaders={h}, Signature={s}",     # botocore's
    "AWS4-HMAC-SHA256   Credential={c},SignedHeaders={h},  Signature={s}",   # spacing the fast path also reads
    "AWS4-HMAC-SHA256 Credential={c}, Signature={s}, SignedHeaders={h}",     # other order: the general parse
])
@pytest.mark.parametrize("signature", ["0f" * 32, "0f" * 31 + "é"])      # a non-ASCII one: the general parse
def test_authorization_header_layouts_read_the_same_values(layout: str, signature: str) -> None:
    credential, headers = "AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request", "host;x-amz-date"
    request = HttpRequest("GET", "/", "", {"host": "example.amazonaws.com", "x-amz-date": "20150830T123600Z",
                                            "authorization": layout.format(c=credential, h=headers, s=signature)})
    signed = sigv4.extract(request, "query")
    assert (signed.access_key_id, signed.scope_date, signed.signed_headers, signed.signature) == (
        "AKIDEXAMPLE", "20150830", ("host", "x-amz-date"), signature)
