"""The foundation through real clients: health, identity, SigV4 failures, protocol errors, 501s."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
import xml.etree.ElementTree as ET

import botocore
import pytest
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError
from harness import BOOT_ACCOUNT, raw_request

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def _error(exc: ClientError) -> tuple[str, int, str]:
    return (exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"],
            exc.response["Error"].get("Message", ""))


def test_health_reports_status_version_store_and_services(server):
    health = server.get_json("/_rootplane/health")
    assert health["status"] == "ok"
    assert health["store"] == "sqlite"
    assert {"iam", "sts", "organizations", "account", "s3", "sqs", "cloudtrail", "events"} <= set(health["services"])
    assert health["version"]


def test_bootstrap_root_identity_through_boto3(server):
    identity = server.client("sts").get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{BOOT_ACCOUNT}:root"
    assert identity["UserId"] == identity["Account"] == BOOT_ACCOUNT


def test_bootstrap_root_identity_through_aws_cli(server):
    identity = server.cli_json("sts", "get-caller-identity")
    assert identity == {"UserId": BOOT_ACCOUNT, "Account": BOOT_ACCOUNT, "Arn": f"arn:aws:iam::{BOOT_ACCOUNT}:root"}


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-southeast-2"])
def test_any_region_in_the_scope_is_accepted(server, region):
    assert server.client("sts", region=region).get_caller_identity()["Account"] == BOOT_ACCOUNT


def test_presigned_get_caller_identity(server):
    url = server.client("sts").generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    with urllib.request.urlopen(url, timeout=10) as response:
        document = ET.fromstring(response.read())
    namespace = {"s": "https://sts.amazonaws.com/doc/2011-06-15/"}
    assert document.find(".//s:Arn", namespace).text == f"arn:aws:iam::{BOOT_ACCOUNT}:root"


def test_missing_authentication_token(server):
    response = raw_request(server, None, body=b"Action=GetCallerIdentity&Version=2011-06-15", headers=FORM)
    assert response.status == 403
    assert "<Code>MissingAuthenticationToken</Code>" in response.text
    assert "Request is missing Authentication Token" in response.text


def test_unknown_access_key(server):
    with pytest.raises(ClientError) as caught:
        server.client("sts", "AKIAUNKNOWNKEY000000", "secret").get_caller_identity()
    assert _error(caught.value)[:2] == ("InvalidClientTokenId", 403)


def test_unknown_access_key_on_a_json_service(server):
    with pytest.raises(ClientError) as caught:
        server.client("organizations", "AKIAUNKNOWNKEY000000", "secret").describe_organization()
    assert _error(caught.value)[:2] == ("UnrecognizedClientException", 400)


def test_wrong_secret_is_signature_does_not_match(server):
    with pytest.raises(ClientError) as caught:
        server.client("sts", "test", "not-the-secret").get_caller_identity()
    code, status, message = _error(caught.value)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message.startswith("The request signature we calculated does not match the signature you provided.")


def test_clock_skew_beyond_fifteen_minutes_is_signature_expired(server):
    skewed = dt.datetime.utcnow() - dt.timedelta(minutes=20)
    response = raw_request(server, "sts", body=b"Action=GetCallerIdentity&Version=2011-06-15", headers=FORM,
                           signed_at=skewed)
    assert response.status == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in response.text
    assert "Signature expired" in response.text


def test_clock_skew_on_a_json_service_is_invalid_signature_exception(server):
    skewed = dt.datetime.utcnow() - dt.timedelta(minutes=10)
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSOrganizationsV20161128.DescribeOrganization"}
    response = raw_request(server, "organizations", body=b"{}", headers=headers, signed_at=skewed)
    assert response.status == 400
    assert json.loads(response.body)["__type"].endswith("InvalidSignatureException")


def test_unknown_query_action_is_invalid_action(server):
    response = raw_request(server, "sts", body=b"Action=NoSuchThing&Version=2011-06-15", headers=FORM)
    assert response.status == 400
    assert "<Code>InvalidAction</Code>" in response.text


def test_unknown_json_target_is_unknown_operation(server):
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSOrganizationsV20161128.NoSuchThing"}
    response = raw_request(server, "organizations", body=b"{}", headers=headers)
    assert response.status == 400
    assert json.loads(response.body)["__type"].endswith("UnknownOperationException")


def test_malformed_json_body_is_a_serialization_exception(server):
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSOrganizationsV20161128.DescribeAccount"}
    response = raw_request(server, "organizations", body=b"{not json", headers=headers)
    assert response.status == 400
    assert json.loads(response.body)["__type"].endswith("SerializationException")


def test_validation_error_names_the_member_and_constraint(server):
    unchecked = Config(parameter_validation=False, retries={"max_attempts": 1})
    with pytest.raises(ClientError) as caught:
        server.client("sts", config=unchecked).get_session_token(DurationSeconds=10)
    code, status, message = _error(caught.value)
    assert (code, status) == ("ValidationError", 400)
    assert "durationSeconds" in message and "greater than or equal to 900" in message


def _unimplemented_operation_without_required_input() -> tuple[str, str]:
    from rootplane.services.provider import find_handler
    from rootplane.wire.models import service_model

    for service in ("sts", "iam", "organizations", "cloudtrail", "events", "sqs"):
        model = service_model(service)
        for name in sorted(model.operation_names):
            operation = model.operation_model(name)
            shape = operation.input_shape
            if find_handler(service, name) is None and (shape is None or not shape.required_members):
                if not getattr(operation, "has_event_stream_output", False):
                    return service, name
    pytest.skip("every simple operation is implemented")


def test_operation_in_model_but_not_built_answers_501_naming_it(server):
    service, operation = _unimplemented_operation_without_required_input()
    client = server.client(service)
    with pytest.raises(ClientError) as caught:
        getattr(client, xform_name(operation))()
    code, status, message = _error(caught.value)
    assert (code, status) == ("NotImplemented", 501)
    assert operation in message


def test_garbage_requests_never_answer_500(server):
    cases = [
        ("POST", "/", b"\x00\xff" * 50, {"Content-Type": "application/x-www-form-urlencoded"}),
        ("POST", "/", b"Action=GetCallerIdentity&Version=2011-06-15&&&===", FORM),
        ("GET", "/%zz%%", b"", {}),
        ("PUT", "/some-bucket/key", b"data", {}),
        ("POST", "/", b"[1,2,3]", {"Content-Type": "application/x-amz-json-1.1",
                                  "X-Amz-Target": "AWSOrganizationsV20161128.ListAccounts"}),
    ]
    for method, path, body, headers in cases:
        for service in (None, "sts", "organizations", "s3"):
            response = raw_request(server, service, method=method, path=path, body=body, headers=headers)
            not_built = response.status == 501 and "NotImplemented" in response.text
            assert 400 <= response.status < 500 or response.status in (200, 204) or not_built, (
                method, path, service, response.status, response.text)
            assert "Traceback" not in response.text and "InternalFailure" not in response.text


def test_session_token_credentials_work_and_expire(server):
    credentials = server.client("sts").get_session_token(DurationSeconds=900)["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    session_sts = server.client_for(credentials, "sts")
    assert session_sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{BOOT_ACCOUNT}:root"
    server.advance_clock(901)
    with pytest.raises(ClientError) as caught:
        session_sts.get_caller_identity()
    assert _error(caught.value)[:2] == ("ExpiredToken", 403)


def test_session_token_without_its_token_is_refused(server):
    credentials = server.client("sts").get_session_token()["Credentials"]
    with pytest.raises(ClientError) as caught:
        server.client("sts", credentials["AccessKeyId"], credentials["SecretAccessKey"]).get_caller_identity()
    assert _error(caught.value)[:2] == ("InvalidClientTokenId", 403)


def test_botocore_is_the_pinned_version():
    assert botocore.__version__ == "1.44.8"
