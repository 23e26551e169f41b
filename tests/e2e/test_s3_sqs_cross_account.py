"""Cross-account access through bucket and queue policies: a member account of an organization (reached through
OrganizationAccountAccessRole) using the management account's bucket and queue."""

from __future__ import annotations


import pytest

from harness import BOOT_ACCOUNT, error_of, policy_document
from root_access_org import ADMIN_POLICY, OrgWorld


@pytest.fixture(scope="module")
def world(server):
    world = OrgWorld(server)
    world.admin = world.user("xacct-admin", managed=ADMIN_POLICY)
    world.create_organization()
    world.member_id = world.create_account("member")
    world.member = world.member_admin(world.admin, world.member_id)
    return world


def test_bucket_policy_grants_another_account(world, server, unique):
    bucket = f"shared-{unique}"
    owner = server.client("s3")
    owner.create_bucket(Bucket=bucket)
    owner.put_object(Bucket=bucket, Key="k", Body=b"shared")
    member = server.client_for(world.member, "s3")
    assert error_of(member.get_object, Bucket=bucket, Key="k")[::2] == ("AccessDenied", 403)
    owner.put_bucket_policy(Bucket=bucket, Policy=policy_document({
        "Effect": "Allow", "Principal": {"AWS": world.member_id},
        "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetBucketPolicy"],
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}))
    assert member.get_object(Bucket=bucket, Key="k")["Body"].read() == b"shared"
    member.put_object(Bucket=bucket, Key="from-member", Body=b"m")
    assert member.list_objects_v2(Bucket=bucket)["KeyCount"] == 2
    assert error_of(member.delete_object, Bucket=bucket, Key="k")[0] == "AccessDenied"
    # Bucket policies are managed from the owning account only, whatever the policy grants.
    assert error_of(member.get_bucket_policy, Bucket=bucket)[::2] == ("MethodNotAllowed", 405)
    assert error_of(member.list_objects_v2, Bucket=bucket, ExpectedBucketOwner=world.member_id)[::2] == ("AccessDenied", 403)
    # The member's own bucket is not visible to the owner of the other account.
    mine = f"member-own-{unique}"
    member.create_bucket(Bucket=mine)
    assert error_of(owner.list_objects_v2, Bucket=mine)[0] == "AccessDenied"
    assert mine not in [b["Name"] for b in owner.list_buckets()["Buckets"]]
    assert error_of(owner.create_bucket, Bucket=mine)[::2] == ("BucketAlreadyExists", 409)


def test_copy_object_needs_read_on_the_source(world, server, unique):
    source, target = f"src-{unique}", f"dst-{unique}"
    owner = server.client("s3")
    owner.create_bucket(Bucket=source)
    owner.put_object(Bucket=source, Key="k", Body=b"copied")
    member = server.client_for(world.member, "s3")
    member.create_bucket(Bucket=target)
    assert error_of(member.copy_object, Bucket=target, Key="k", CopySource=f"{source}/k")[0] == "AccessDenied"
    owner.put_bucket_policy(Bucket=source, Policy=policy_document({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{world.member_id}:root"}, "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{source}/*"}))
    member.copy_object(Bucket=target, Key="k", CopySource=f"{source}/k")
    assert member.get_object(Bucket=target, Key="k")["Body"].read() == b"copied"


def test_queue_policy_grants_another_account(world, server, unique):
    name = f"shared-{unique}"
    owner = server.client("sqs")
    url = owner.create_queue(QueueName=name)["QueueUrl"]
    arn = f"arn:aws:sqs:us-east-1:{BOOT_ACCOUNT}:{name}"
    member = server.client_for(world.member, "sqs")
    code, message, status = error_of(member.send_message, QueueUrl=url, MessageBody="x")
    assert (code, status) == ("AccessDenied", 403) and "because no resource-based policy allows" in message
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy_document({
        "Effect": "Allow", "Principal": {"AWS": world.member_id},
        "Action": ["sqs:SendMessage", "sqs:GetQueueUrl", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes"],
        "Resource": arn})})
    assert member.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=BOOT_ACCOUNT)["QueueUrl"] == url
    sent = member.send_message(QueueUrl=url, MessageBody="from member")
    received = owner.receive_message(QueueUrl=url, MessageSystemAttributeNames=["SenderId"])["Messages"][0]
    assert received["MessageId"] == sent["MessageId"] and received["Body"] == "from member"
    assert received["Attributes"]["SenderId"] not in ("", BOOT_ACCOUNT)
    assert error_of(member.receive_message, QueueUrl=url)[0] == "AccessDenied"
    assert member.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"] == arn
    code, message, _ = error_of(member.set_queue_attributes, QueueUrl=url, Attributes={"DelaySeconds": "1"})
    assert code == "AccessDenied" and "cross-account permissions don't apply" in message
    assert "perform: sqs:setqueueattributes on resource:" in message  # lower case, as SQS's other denials
    assert error_of(member.get_queue_url, QueueName=name)[0] == "AWS.SimpleQueueService.NonExistentQueue"
