"""Per-service validation wording (wire/validate.py STYLES): code, message, extra fields."""

from __future__ import annotations

import pytest

from rootplane.core.errors import AwsError
from rootplane.wire.models import service_model
from rootplane.wire.validate import STYLES, validate, violations


def _error(service: str, operation: str, params: dict, protocol: str = "json") -> AwsError:
    shape = service_model(service).operation_model(operation).input_shape
    with pytest.raises(AwsError) as caught:
        validate(shape, params, style=protocol, service=service)
    return caught.value


@pytest.mark.parametrize(("operation", "params", "reason", "message"), [
    ("DescribeAccount", {"AccountId": "12345"}, "INVALID_PATTERN",
     "You provided a value that does not match the required pattern."),
    ("DescribeAccount", {}, "INPUT_REQUIRED", "You must include a value for all required parameters."),
    ("CreateOrganization", {"FeatureSet": "SOME"}, "INVALID_ENUM", "You specified an invalid value."),
    ("CreatePolicy", {"Content": "{}", "Description": "d", "Name": "n", "Type": "NOPE"}, "INVALID_ENUM_POLICY_TYPE",
     "You specified an invalid policy type string."),
    ("AttachPolicy", {"PolicyId": "p-FullAWSAccess", "TargetId": "nope"}, "INVALID_PATTERN_TARGET_ID",
     "You specified a policy target ID that does not match the required pattern."),
    ("DescribePolicy", {"PolicyId": "bad"}, "INVALID_SYNTAX_POLICY_ID", "You specified an invalid policy ID."),
    ("CreateOrganizationalUnit", {"ParentId": "r-abcd", "Name": ""}, "MIN_LENGTH_EXCEEDED",
     "You provided a string parameter that is shorter than allowed."),
    ("CreateOrganizationalUnit", {"ParentId": "r-abcd", "Name": "x" * 129}, "MAX_LENGTH_EXCEEDED",
     "You provided a string parameter that is longer than allowed."),
    ("ListAccounts", {"MaxResults": 0}, "MIN_VALUE_EXCEEDED",
     "You provided a numeric parameter that has a smaller value than allowed."),
    ("ListAccounts", {"MaxResults": 21}, "MAX_VALUE_EXCEEDED",
     "You provided a numeric parameter that has a larger value than allowed."),
])
def test_organizations_invalid_input(operation: str, params: dict, reason: str, message: str) -> None:
    error = _error("organizations", operation, params)
    assert (error.code, error.status, error.message, error.fields) == (
        "InvalidInputException", 400, message, {"Reason": reason})


def test_account_schema_messages_match_capture() -> None:
    contact = {"AddressLine1": "a", "City": "c", "CountryCode": "US", "FullName": "f", "PostalCode": "1",
               "PhoneNumber": " "}
    error = _error("account", "PutContactInformation", {"ContactInformation": contact}, "rest-json")
    # aws-captures/primary_contact.json blank_PhoneNumber
    assert (error.code, error.message, error.fields) == (
        "ValidationException", '[ECMA 262 regex "^[+][\\s0-9()-]+$" does not match input string " "]', {})
    # (an unknown AlternateContactType is the service's AccessDeniedException: aws-captures/contacts.json)
    validate(service_model("account").operation_model("GetAlternateContact").input_shape,
             {"AlternateContactType": "OTHER"}, style="rest-json", service="account")
    error = _error("account", "ListRegions", {"RegionOptStatusContains": ["OTHER"]}, "rest-json")
    assert error.message == ('[instance value ("OTHER") not found in enum (possible values: '
                             '["ENABLED", "ENABLING", "DISABLING", "DISABLED", "ENABLED_BY_DEFAULT"])]')


def test_sqs_missing_and_invalid() -> None:
    error = _error("sqs", "SendMessage", {"QueueUrl": "http://q"})
    assert (error.code, error.query_code, error.message) == (
        "MissingParameter", "MissingParameter", "The request must contain the parameter MessageBody.")
    error = _error("sqs", "ReceiveMessage", {"QueueUrl": "http://q", "MaxNumberOfMessages": "ten"})
    assert (error.code, error.message) == ("InvalidParameterValue",
                                           "Value ten for parameter MaxNumberOfMessages is invalid.")


def test_sns_invalid_parameter() -> None:
    error = _error("sns", "CreateTopic", {}, "query")
    assert (error.code, error.status, error.message) == ("InvalidParameter", 400, "Invalid parameter: Name")


def test_generic_styles_by_service_and_protocol() -> None:
    assert _error("events", "DescribeRule", {}).message == (
        "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
    assert _error("events", "DescribeRule", {}).code == "ValidationException"
    assert _error("iam", "GetUser", {"UserName": ""}, "query").code == "ValidationError"
    assert _error("s3", "GetObject", {"Bucket": "b"}, "rest-xml").code == "InvalidArgument"
    # Without a service (or for one outside the table) the protocol's default answers.
    shape = service_model("sqs").operation_model("SendMessage").input_shape
    with pytest.raises(AwsError) as caught:
        validate(shape, {}, style="json")
    assert caught.value.code == "ValidationException" and "lambda" not in STYLES


def test_violations_carry_member_shape_and_limit() -> None:
    shape = service_model("organizations").operation_model("ListAccounts").input_shape
    (found,) = violations(shape, {"MaxResults": 30})
    assert (found.kind, found.path, found.member, found.limit) == ("max_value", "maxResults", "MaxResults", 20)


def test_a_nul_character_is_refused_only_where_asked_and_once() -> None:
    """``refuse_nul`` (a PostgreSQL store): a string holding U+0000 is a violation of its own, unless another
    constraint of the value already refuses it; without it the value passes."""
    shape = service_model("kms").operation_model("CreateKey").input_shape
    validate(shape, {"Description": "a\x00b"}, style="json", service="kms")
    with pytest.raises(AwsError) as refused:
        validate(shape, {"Description": "a\x00b"}, style="json", service="kms", refuse_nul=True)
    assert refused.value.code == "ValidationException"
    assert "at 'description' failed to satisfy constraint: Member must not contain the NUL character" in \
        refused.value.message
    tags = service_model("iam").operation_model("CreateUser").input_shape
    found = violations(tags, {"UserName": "u", "Tags": [{"Key": "k", "Value": "a\x00b"}]}, refuse_nul=True)
    assert [violation.kind for violation in found] == ["pattern"]


@pytest.mark.parametrize(("operation", "params", "message"), [
    ("CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": "{}", "Path": "/root"},
     "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters "
     "and/or / characters."),
    ("CreateUser", {"UserName": "u", "Path": "test/"},
     "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters "
     "and/or / characters."),
    ("UpdateGroup", {"GroupName": "g", "NewPath": "x"},
     "The specified value for newPath is invalid. It must begin and end with / and contain only alphanumeric "
     "characters and/or / characters."),
    ("ListPolicies", {"PathPrefix": "/foo"},
     "The specified value for pathPrefix is invalid. It must begin with the / character and contain only "
     "alphanumeric characters and/or / characters."),
    ("ListRoles", {"PathPrefix": "{example_path}"},
     "The specified value for pathPrefix is invalid. It must begin with the / character and contain only "
     "alphanumeric characters and/or / characters."),
])
def test_iam_words_a_bad_path_its_own_way(operation: str, params: dict, message: str) -> None:
    """IAM checks paths itself, with its own wording (ValidationError, 400), as it answers CreateRole, CreateUser,
    ListPolicies and ListRoles (cfn-lint#3020 and #722, aws/aws-cli#5860, ansible-collections/amazon.aws#2065)."""
    error = _error("iam", operation, params, protocol="query")
    assert (error.code, error.status, error.message) == ("ValidationError", 400, message)


@pytest.mark.parametrize(("operation", "params", "member"), [
    ("CreateRole", {"RoleName": "my role", "AssumeRolePolicyDocument": "{}"}, "roleName"),
    ("AttachUserPolicy", {"UserName": "{ocm-sts-access}", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
     "userName"),
    ("CreateGroup", {"GroupName": "a/b"}, "groupName"),
])
def test_iam_words_a_bad_name_its_own_way(operation: str, params: dict, member: str) -> None:
    """A name breaking IAM's name pattern is IAM's own check too (aws-amplify/amplify-cli#9120: CreateRole;
    app-sre/qontract-reconcile#2640: AttachUserPolicy); a name too long stays the framework's (its length)."""
    error = _error("iam", operation, params, protocol="query")
    assert (error.code, error.status, error.message) == (
        "ValidationError", 400,
        f"The specified value for {member} is invalid. It must contain only alphanumeric characters and/or the "
        "following: +=,.@_-")
    too_long = _error("iam", "CreateRole", {"RoleName": "r" * 65, "AssumeRolePolicyDocument": "{}"}, "query")
    assert too_long.message == (
        f"1 validation error detected: Value '{'r' * 65}' at 'roleName' failed to satisfy constraint: Member must "
        "have length less than or equal to 64")


def test_iam_reports_other_violations_before_its_path_check() -> None:
    """The framework's own checks come first: a missing name is reported alone, IAM never reaching the path."""
    error = _error("iam", "CreateUser", {"Path": "no-slash"}, protocol="query")
    assert error.message == ("1 validation error detected: Value null at 'userName' failed to satisfy constraint: "
                             "Member must not be null")
