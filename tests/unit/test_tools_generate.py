"""Policy generation from CloudTrail records (pure: records in, policy out) and command-line times."""

from __future__ import annotations

import datetime as _dt

import pytest

from rootplane.tools.catalog import catalog
from rootplane.tools.generate import generate_policy, made_by
from rootplane.tools.timeparse import parse_time

ROLE = "arn:aws:iam::123456789012:role/deployer"


def _record(source: str, name: str, parameters: dict | None = None, arn: str = ROLE, **extra) -> dict:
    identity = {"type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/deployer/ci-42",
                "sessionContext": {"sessionIssuer": {"type": "Role", "arn": arn}}}
    return {"eventSource": f"{source}.amazonaws.com", "eventName": name, "awsRegion": "eu-west-1",
            "recipientAccountId": "123456789012", "userIdentity": identity, "requestParameters": parameters,
            "eventTime": "2026-01-01T00:00:00Z", **extra}


def test_made_by_role_its_sessions_and_nobody_else():
    record = _record("sqs", "ListQueues")
    assert made_by(record, ROLE)
    assert made_by(record, "arn:aws:sts::123456789012:assumed-role/deployer/ci-42")
    assert not made_by(record, "arn:aws:iam::123456789012:role/other")
    assert not made_by(record, "arn:aws:iam::123456789012:user/deployer")


def test_resources_from_parameters_records_and_queue_urls():
    records = [
        _record("sqs", "GetQueueAttributes", {"queueUrl": "https://sqs.eu-west-1.amazonaws.com/210987654321/jobs"}),
        _record("s3", "GetObject", {"bucketName": "data", "key": "a/b.csv"}),
        _record("iam", "GetRole", {"roleName": "app"},
                resources=[{"type": "AWS::IAM::Role", "ARN": "arn:aws:iam::123456789012:role/app"}]),
        _record("sqs", "ListQueues"),
        _record("sqs", "DeleteQueue", {"queueUrl": "x"}, errorCode="AccessDenied", errorMessage="no"),
        _record("s3", "ListObjectsV2", {"bucketName": "data"}),
        _record("madeup", "DoThing"),
    ]
    generated = generate_policy(catalog(), records, ROLE)
    assert generated.policy == {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:GetRole", "Resource": "arn:aws:iam::123456789012:role/app"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/a/b.csv"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::data"},
        {"Effect": "Allow", "Action": "sqs:GetQueueAttributes", "Resource": "arn:aws:sqs:eu-west-1:210987654321:jobs"},
        {"Effect": "Allow", "Action": "sqs:ListQueues", "Resource": "*"},
    ]}
    assert generated.calls == 6 and generated.unknown_actions == ["madeup:DoThing"] and generated.unresolved == []


def test_unresolvable_resource_falls_back_to_star_and_says_so():
    generated = generate_policy(catalog(), [_record("iam", "GetRole", {})], ROLE)
    assert generated.policy["Statement"] == [{"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*"}]
    assert generated.unresolved == ["iam:GetRole"]


def test_same_resources_share_a_statement():
    queue = {"queueUrl": "http://localhost:4566/123456789012/jobs"}
    generated = generate_policy(catalog(), [_record("sqs", "SendMessage", queue), _record("sqs", "ReceiveMessage",
                                                                                         queue)], ROLE)
    assert generated.policy["Statement"] == [{"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:SendMessage"],
                                              "Resource": "arn:aws:sqs:eu-west-1:123456789012:jobs"}]


def test_parse_time():
    now = _dt.datetime(2026, 1, 31, 12, tzinfo=_dt.timezone.utc)
    assert parse_time("90m", now) == now - _dt.timedelta(minutes=90)
    assert parse_time("7d", now) == now - _dt.timedelta(days=7)
    assert parse_time("2026-01-30T08:00:00Z", now) == _dt.datetime(2026, 1, 30, 8, tzinfo=_dt.timezone.utc)
    assert parse_time("2026-01-30T08:00:00", now).tzinfo == _dt.timezone.utc
    with pytest.raises(ValueError, match="'soon' is not a time"):
        parse_time("soon", now)
