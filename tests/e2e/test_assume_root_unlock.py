"""Flows n.5 and n.6: a bucket and a queue whose policies lock everyone out, unlocked by root sessions."""

from __future__ import annotations

import json

import pytest

from harness import error_of
from root_access_org import ADMIN_POLICY, S3_UNLOCK, SQS_UNLOCK, OrgWorld


@pytest.fixture(scope="module")
def world(server):
    world = OrgWorld(server)
    world.admin = world.user("admin", managed=ADMIN_POLICY)
    world.create_organization()
    world.target = world.create_account("target")
    world.trust_iam()
    server.client_for(world.admin, "iam").enable_organizations_root_sessions()
    world.member = world.member_admin(world.admin, world.target)
    return world


def _deny_all(resource: str, action: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "LockEveryoneOut", "Effect": "Deny", "Principal": "*", "Action": action, "Resource": resource}]})


def test_locked_bucket_unlocked_by_root_session(world, server):
    bucket = "locked-bucket-root-access"
    s3_admin = server.client_for(world.member, "s3")
    s3_admin.create_bucket(Bucket=bucket)
    s3_admin.put_bucket_policy(Bucket=bucket, Policy=_deny_all(f"arn:aws:s3:::{bucket}", "s3:*"))
    assert error_of(s3_admin.get_bucket_policy, Bucket=bucket)[0] == "AccessDenied"
    s3_root = server.client_for(world.assume_root(world.admin, world.target, S3_UNLOCK), "s3")
    assert bucket in [b["Name"] for b in s3_root.list_buckets()["Buckets"]]
    assert "LockEveryoneOut" in s3_root.get_bucket_policy(Bucket=bucket)["Policy"]
    assert error_of(s3_root.list_objects_v2, Bucket=bucket)[0] == "AccessDenied"
    response = s3_root.delete_bucket_policy(Bucket=bucket)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3_admin.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_locked_queue_unlocked_by_root_session(world, server):
    sqs_admin = server.client_for(world.member, "sqs")
    url = sqs_admin.create_queue(QueueName="locked-queue")["QueueUrl"]
    arn = f"arn:aws:sqs:us-east-1:{world.target}:locked-queue"
    sqs_admin.set_queue_attributes(QueueUrl=url, Attributes={"Policy": _deny_all(arn, "sqs:*")})
    assert error_of(sqs_admin.send_message, QueueUrl=url, MessageBody="x")[0] == "AccessDenied"
    sqs_root = server.client_for(world.assume_root(world.admin, world.target, SQS_UNLOCK), "sqs")
    assert sqs_root.get_queue_url(QueueName="locked-queue")["QueueUrl"] == url
    policy = sqs_root.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    assert "LockEveryoneOut" in policy
    assert error_of(sqs_root.remove_permission, QueueUrl=url, Label="LockEveryoneOut")[0] == "AccessDenied"
    sqs_root.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    sqs_admin.send_message(QueueUrl=url, MessageBody="unlocked")
