"""A listing refuses a page token it did not issue, with its service's error: text that merely decodes from base64
was read as the key to resume after, and answered as a page (IAM, KMS, EventBridge, CloudWatch), or a
token that names a queue or bucket for its position (SQS, S3 ListBuckets); SNS in test_sns_topics.py."""

from __future__ import annotations

import base64

import pytest
from botocore.exceptions import ClientError

FOREIGN = [base64.b64encode(b"topic").decode(), base64.urlsafe_b64encode(b"user-007").decode().rstrip("="), "zzz"]

LISTINGS = [
    ("iam", "list_users", "Marker", ("ValidationError", "Invalid Marker.")),
    ("iam", "list_roles", "Marker", ("ValidationError", "Invalid Marker.")),
    ("iam", "list_policies", "Marker", ("ValidationError", "Invalid Marker.")),
    ("kms", "list_keys", "Marker", ("ValidationException", "Invalid marker")),
    ("kms", "list_aliases", "Marker", ("ValidationException", "Invalid marker")),
    ("events", "list_rules", "NextToken", ("ValidationException", "The nextToken provided is invalid.")),
    ("cloudwatch", "describe_alarms", "NextToken",
     ("InvalidNextToken", "The service couldn't process the NextToken you provided.")),
    ("cloudwatch", "list_metrics", "NextToken",
     ("InvalidNextToken", "The service couldn't process the NextToken you provided.")),
    ("sqs", "list_queues", "NextToken", ("InvalidParameterValue", "Invalid NextToken value.")),
    ("s3", "list_buckets", "ContinuationToken", ("InvalidArgument", "The continuation token provided is incorrect")),
]


@pytest.mark.parametrize("service,operation,member,expected", LISTINGS, ids=[f"{s}.{o}" for s, o, _, _ in LISTINGS])
def test_a_listing_refuses_a_token_it_did_not_issue(server, service, operation, member, expected):
    client = server.client(service)
    for token in FOREIGN:
        with pytest.raises(ClientError) as caught:
            getattr(client, operation)(**{member: token})
        error = caught.value.response
        assert ((error["Error"]["Code"], error["Error"]["Message"]), error["ResponseMetadata"]["HTTPStatusCode"]) == \
            (expected, 400), token


def test_a_listing_still_follows_its_own_tokens(server, unique):
    """The tokens each listing issues still page through it (two pages of users, rules, keys, queues, buckets)."""
    iam, kms, events = server.client("iam"), server.client("kms"), server.client("events")
    sqs, s3 = server.client("sqs"), server.client("s3")
    for index in range(3):
        sqs.create_queue(QueueName=f"tok{unique}-{index}")
        s3.create_bucket(Bucket=f"tok{unique}-{index}")
    queues = sqs.list_queues(QueueNamePrefix=f"tok{unique}", MaxResults=2)
    more_queues = sqs.list_queues(QueueNamePrefix=f"tok{unique}", MaxResults=2, NextToken=queues["NextToken"])
    assert [u.rsplit("/", 1)[1] for u in queues["QueueUrls"] + more_queues["QueueUrls"]] == \
        [f"tok{unique}-{i}" for i in range(3)]
    buckets = s3.list_buckets(Prefix=f"tok{unique}", MaxBuckets=2)
    more_buckets = s3.list_buckets(Prefix=f"tok{unique}", MaxBuckets=2, ContinuationToken=buckets["ContinuationToken"])
    assert [b["Name"] for b in buckets["Buckets"] + more_buckets["Buckets"]] == [f"tok{unique}-{i}" for i in range(3)]
    for index in range(3):
        iam.create_user(UserName=f"tok-{unique}-{index}", Path=f"/tok{unique}/")
        events.put_rule(Name=f"tok-{unique}-{index}", ScheduleExpression="rate(1 hour)")
    first = iam.list_users(PathPrefix=f"/tok{unique}/", MaxItems=2)
    rest = iam.list_users(PathPrefix=f"/tok{unique}/", Marker=first["Marker"])
    assert [u["UserName"] for u in first["Users"] + rest["Users"]] == [f"tok-{unique}-{i}" for i in range(3)]
    rules = events.list_rules(NamePrefix=f"tok-{unique}", Limit=2)
    more = events.list_rules(NamePrefix=f"tok-{unique}", NextToken=rules["NextToken"])
    assert [r["Name"] for r in rules["Rules"] + more["Rules"]] == [f"tok-{unique}-{i}" for i in range(3)]
    kms.create_key()
    kms.create_key()
    keys = kms.list_keys(Limit=1)
    assert keys["Truncated"] and kms.list_keys(Marker=keys["NextMarker"], Limit=1)["Keys"] != keys["Keys"]
