"""Request-level edge cases answered as AWS answers them, per protocol family (raw signed HTTP requests)."""

from __future__ import annotations

import email.utils
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from unittest import mock

import pytest
from botocore.auth import HmacV1Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from harness import raw_request

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def _error(body: bytes) -> tuple[str, str]:
    error = ET.fromstring(body).find("{*}Error")
    return error.findtext("{*}Code"), error.findtext("{*}Message")


@pytest.mark.parametrize("service, action", [("iam", "ListUsers"), ("sts", "GetCallerIdentity"),
                                             ("sns", "ListTopics"), ("monitoring", "DescribeAlarms")])
def test_a_query_version_the_service_does_not_have_is_invalid_action(server, service, action):
    """An API version the query service does not have names no operation: InvalidAction 400 "Could not find
    operation X for version Y" (AWS Query API common errors: InvalidAction)."""
    body = f"Action={action}&Version=2001-01-01".encode()
    response = raw_request(server, service, body=body, headers=FORM)
    assert response.status == 400
    assert _error(response.body) == ("InvalidAction", f"Could not find operation {action} for version 2001-01-01")
    presigned_style = raw_request(server, service, method="GET", path=f"/?{body.decode()}")
    assert presigned_style.status == 400
    assert _error(presigned_style.body)[0] == "InvalidAction"


def test_an_expired_session_token_on_s3_is_expired_token_naming_the_token(server):
    """S3 answers an expired session token with 400 ExpiredToken "The provided token has expired." and the token in
    a ``Token-0`` element (as recorded from S3 in craftcms/aws-s3#182); the other families carry no token."""
    credentials = server.client("sts").get_session_token(DurationSeconds=900)["Credentials"]
    keys = dict(access_key=credentials["AccessKeyId"], secret_key=credentials["SecretAccessKey"],
                token=credentials["SessionToken"])
    server.advance_clock(901)
    with pytest.raises(ClientError) as caught:
        server.client_for(credentials, "s3").list_buckets()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert caught.value.response["Error"] == {"Code": "ExpiredToken", "Message": "The provided token has expired.",
                                              "Token-0": credentials["SessionToken"]}
    query = raw_request(server, "sts", body=b"Action=GetCallerIdentity&Version=2011-06-15", headers=FORM, **keys)
    assert query.status == 403
    assert _error(query.body) == ("ExpiredToken", "The security token included in the request is expired")
    assert "Token-0" not in query.text


def test_sigv2_bucket_requests_signed_as_botocore_signs_them(server, unique):
    """botocore's SigV2 (``signature_version='s3'``) signs a path-style bucket request's resource as ``/bucket/``
    (its virtual-hosted form, bucket + the empty path "/": AWS Signature Version 2 "Constructing the
    CanonicalizedResource element"); S3 verifies it, for headers and presigned URLs alike."""
    bucket = f"sigv2-{unique}".lower()
    s3 = server.client("s3", config=Config(signature_version="s3", s3={"addressing_style": "path"}))
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert [item["Key"] for item in s3.list_objects(Bucket=bucket)["Contents"]] == ["k"]
    url = s3.generate_presigned_url("list_objects", Params={"Bucket": bucket}, ExpiresIn=300)
    assert "Signature=" in url
    with urllib.request.urlopen(url) as response:
        assert b"<Key>k</Key>" in response.read()


@pytest.mark.parametrize("method, path, resource_type", [("POST", "/", "SERVICE"), ("PATCH", "/{bucket}", "BUCKET"),
                                                         ("PATCH", "/{bucket}/some/key", "OBJECT")])
def test_s3_method_not_allowed_names_the_method_and_resource_type(server, unique, method, path, resource_type):
    """A method S3 does not take on a resource: 405 MethodNotAllowed with ``Method`` and ``ResourceType``
    (SERVICE, BUCKET or OBJECT) elements, as S3 answers (recorded in versity/versitygw#1487 and #1810)."""
    bucket = f"method-{unique}".lower()
    server.client("s3").create_bucket(Bucket=bucket)
    response = raw_request(server, "s3", method=method, path=path.format(bucket=bucket),
                           headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    assert response.status == 405
    error = ET.fromstring(response.body)
    assert [child.tag for child in error] == ["Code", "Message", "Method", "ResourceType", "RequestId", "HostId"]
    assert [child.text for child in error][:4] == [
        "MethodNotAllowed", "The specified method is not allowed against this resource.", method, resource_type]


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_s3_refuses_a_presigned_url_sent_with_an_authorization_header(server, unique, signature_version):
    """Two auth mechanisms in one S3 request: 400 InvalidArgument "Only one auth mechanism allowed; ..." naming the
    Authorization header (S3's answer, recorded in catalyst/moodle-tool_objectfs#303)."""
    bucket = f"twoauth-{unique}".lower()
    server.client("s3").create_bucket(Bucket=bucket)
    s3 = server.client("s3", config=Config(signature_version=signature_version, s3={"addressing_style": "path"}))
    url = s3.generate_presigned_url("list_objects", Params={"Bucket": bucket}, ExpiresIn=300)
    authorization = "AWS4-HMAC-SHA256 Credential=test/20261207/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=ab"
    request = urllib.request.Request(url, headers={"Authorization": authorization})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    assert caught.value.code == 400
    error = ET.fromstring(caught.value.read())
    assert [(child.tag, child.text) for child in error][:4] == [
        ("Code", "InvalidArgument"),
        ("Message", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query "
                    "string parameter or the Authorization header should be specified"),
        ("ArgumentName", "Authorization"), ("ArgumentValue", authorization)]


def test_s3_sigv2_clock_skew_names_the_date_header_as_sent(server):
    """A SigV2 request dated by its Date header 30 minutes off: 403 RequestTimeTooSkewed whose RequestTime is that
    header as sent (S3's answer, recorded in LeastAuthority/leastauthority.com#157)."""
    sent = email.utils.formatdate(time.time() - 1800, usegmt=True)
    request = AWSRequest(method="GET", url=server.endpoint + "/")
    with mock.patch("botocore.auth.formatdate", return_value=sent):
        HmacV1Auth(Credentials("test", "test")).add_auth(request)
    prepared = request.prepare()
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(urllib.request.Request(prepared.url, headers=dict(prepared.headers.items())))
    assert caught.value.code == 403
    error = ET.fromstring(caught.value.read())
    assert [child.tag for child in error] == ["Code", "Message", "RequestTime", "ServerTime",
                                              "MaxAllowedSkewMilliseconds", "RequestId", "HostId"]
    assert (error.findtext("Code"), error.findtext("RequestTime")) == ("RequestTimeTooSkewed", sent)


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_s3_answers_a_presigned_url_with_s3_request_ids(server, unique, signature_version):
    """S3's request ids are 16 upper-case hex digits whether or not the request carries x-amz-content-sha256 (a
    presigned URL does not): ``x-amz-request-id`` and the error's RequestId (S3 Error Responses: RequestId)."""
    s3 = server.client("s3", config=Config(signature_version=signature_version, s3={"addressing_style": "path"}))
    url = s3.generate_presigned_url("list_objects", Params={"Bucket": f"nobucket-{unique}".lower()}, ExpiresIn=300)
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url)
    assert caught.value.code == 404
    request_id = ET.fromstring(caught.value.read()).findtext("RequestId")
    assert request_id == caught.value.headers["x-amz-request-id"]
    assert len(request_id) == 16 and request_id == request_id.upper() and int(request_id, 16) >= 0
