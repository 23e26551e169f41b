"""Engine properties that are not single decisions: caching, immutability, positions, data files."""

from __future__ import annotations

import json

import pytest

from rootplane.data import load_managed_policies, load_organizations_policies, managed_policy_by_arn
from rootplane.policy import MalformedPolicy, parse_policy, parse_policy_cached


def test_compile_cache_returns_same_object() -> None:
    text = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
    assert parse_policy_cached(text, "identity") is parse_policy_cached(text, "identity")


def test_policy_is_immutable() -> None:
    policy = parse_policy('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}')
    with pytest.raises(AttributeError):
        policy.version = "2008-10-17"  # type: ignore[misc]


def test_positions_multiline() -> None:
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},\n    {"Effect": "Deny", "Action": "s3:Put*", "Resource": "*"}\n  ]\n}'
    first, second = parse_policy(text).statements
    assert (first.start.line, first.start.column) == (3, 17)
    assert (first.end.line, first.end.column) == (4, 59)
    assert (second.start.line, second.start.column) == (4, 59)
    assert second.end.line == 5


def test_every_managed_policy_parses() -> None:
    records = load_managed_policies()
    names = {r["PolicyName"] for r in records}
    assert {"AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "IAMFullAccess", "IAMReadOnlyAccess",
            "IAMUserChangePassword", "AWSOrganizationsFullAccess", "AmazonS3FullAccess", "AmazonSQSFullAccess",
            "IAMAuditRootUserCredentials", "IAMCreateRootUserPassword", "IAMDeleteRootUserCredentials",
            "S3UnlockBucketPolicy", "SQSUnlockQueuePolicy"} <= names
    for record in records:
        parse_policy(json.dumps(record["Document"]))
        assert record["Arn"] == f"arn:aws:iam::aws:policy{record['Path']}{record['PolicyName']}"
    task = managed_policy_by_arn("arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy")
    assert task is not None and task["PolicyId"] == "ANPAZKAPJZG4OALTIPZOF"


def test_organizations_policies_parse() -> None:
    by_name = {r["PolicySummary"]["Name"]: r for r in load_organizations_policies()}
    parse_policy(by_name["FullAWSAccess"]["Content"], kind="scp")
    parse_policy(by_name["RCPFullAWSAccess"]["Content"], kind="rcp")
    assert by_name["FullAWSAccess"]["PolicySummary"]["Id"] == "p-FullAWSAccess"


def test_malformed_carries_message() -> None:
    with pytest.raises(MalformedPolicy) as info:
        parse_policy("nope")
    assert info.value.message == "Syntax errors in policy."


@pytest.mark.parametrize("kind, statement, message", [
    ("trust", {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole",
               "Resource": "*"}, "Has prohibited field Resource"),
    ("trust", {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole",
               "NotResource": "*"}, "Has prohibited field NotResource"),
    ("identity", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:us-east-1::b"},
     "Resource arn:aws:s3:us-east-1::b can not contain region information."),
    ("identity", {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam:us-east-1::user/x"},
     "IAM resource arn:aws:iam:us-east-1::user/x cannot contain region information."),
    ("identity", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:error:s3:::b"},
     'Partition "error" is not valid for resource "arn:error:s3:::b".'),
    # an account that is not one (aws-samples/torchserve-eks#3, ryanto/next-s3-upload#58), or an ARN of five parts
    # (Graylog2/graylog-plugin-aws#172): IAM's ARN parser fails
    ("identity", {"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::{$ACCOUNT}:role/eksctl-*"},
     "The policy failed legacy parsing"),
    ("identity", {"Effect": "Allow", "Action": "sts:GetFederationToken",
                  "Resource": "arn:aws:sts::ACCOUNT_ID:federated-user/S3UploadWebToken"},
     "The policy failed legacy parsing"),
    ("identity", {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam:791234567834:user/dx"},
     "The policy failed legacy parsing"),
    # a service principal that names no service (aws-samples/aws-cdk-examples#801), in AWS's upper-case wording
    ("trust", {"Effect": "Allow", "Principal": {"Service": "amazonaws.com"}, "Action": "sts:AssumeRole"},
     'Invalid principal in policy: "SERVICE":"amazonaws.com"'),
    ("trust", {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com", "ec2"]}, "Action": "sts:AssumeRole"},
     'Invalid principal in policy: "SERVICE":"ec2"'),
])
def test_iam_refuses_what_aws_refuses_with_its_message(kind, statement, message) -> None:
    """Messages AWS answers to these documents (MalformedPolicyDocument), as recorded in public bug reports."""
    with pytest.raises(MalformedPolicy) as info:
        parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [statement]}), kind=kind)
    assert info.value.message == message


def test_regions_and_partitions_iam_accepts() -> None:
    for resource in ("arn:aws:s3:::b/*", "arn:aws-cn:s3:::b", "arn:*:s3:::b", "arn:aws:iam::*:user/x",
                     "arn:aws:sqs:us-east-1:111122223333:q", "arn:aws:s3:*::b", "arn:aws:iam::aws:policy/P",
                     "arn:aws:iam::${aws:PrincipalAccount}:role/r", "arn:aws:sns:*:1111222233?3:t", "arn:aws:s3:*"):
        parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": resource}]}), kind="identity")
