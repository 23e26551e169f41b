"""AWS-worded validation from the model."""

from __future__ import annotations

import pytest

from rootplane.core.errors import AwsError
from rootplane.wire.models import service_model
from rootplane.wire.validate import validate


def _input(service: str, operation: str):
    return service_model(service).operation_model(operation).input_shape


def test_assume_root_duration_too_long() -> None:
    params = {"TargetPrincipal": "111122223333", "TaskPolicyArn": {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}, "DurationSeconds": 901}
    with pytest.raises(AwsError) as caught:
        validate(_input("sts", "AssumeRoot"), params, style="query")
    assert caught.value.code == "ValidationError"
    assert caught.value.status == 400
    assert caught.value.message == (
        "1 validation error detected: Value '901' at 'durationSeconds' failed to satisfy constraint: "
        "Member must have value less than or equal to 900"
    )


def test_missing_required_and_multiple_errors() -> None:
    with pytest.raises(AwsError) as caught:
        validate(_input("iam", "CreateUser"), {"Path": "no-slash"}, style="query")
    message = caught.value.message
    assert message.startswith("2 validation errors detected: ")
    assert "Value null at 'userName' failed to satisfy constraint: Member must not be null" in message
    assert "at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern" in message


def test_json_style_code_enum_and_nested_paths() -> None:
    shape = _input("organizations", "CreatePolicy")
    params = {"Content": "{}", "Description": "d", "Name": "n", "Type": "NOPE", "Tags": [{"Key": "", "Value": "v"}]}
    with pytest.raises(AwsError) as caught:
        validate(shape, params, style="json")
    assert caught.value.code == "ValidationException"
    assert "at 'type' failed to satisfy constraint: Member must satisfy enum value set: [" in caught.value.message
    assert "at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1" in caught.value.message


def test_valid_input_and_unknown_members_pass() -> None:
    validate(_input("iam", "CreateUser"), {"UserName": "bob", "Unknown": 1}, style="query")
    validate(_input("sts", "GetCallerIdentity"), {}, style="query")


def test_wrong_type() -> None:
    with pytest.raises(AwsError) as caught:
        validate(_input("iam", "ListUsers"), {"MaxItems": "ten"}, style="query")
    assert "Member must be of type integer" in caught.value.message
