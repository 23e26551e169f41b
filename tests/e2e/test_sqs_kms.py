"""Queues encrypted with a KMS key (SQS Developer Guide, "Encryption at rest", "Key management"): producers need
kms:GenerateDataKey and kms:Decrypt on the queue's key, consumers kms:Decrypt; KMS's refusals are SQS's
KMS.<error> codes; AWS services sending to an encrypted queue need the key policy to let them use the key."""

from __future__ import annotations

import json

import pytest

from cloudwatch_helpers import SNS_POLICY
from harness import BOOT_ACCOUNT, error_of, iam_user_key, policy_document

SQS_ONLY = "arn:aws:iam::aws:policy/AmazonSQSFullAccess"


@pytest.fixture(scope="module")
def sqs(server):
    return server.client("sqs")


def _encrypted_queue(sqs, name: str, key_id: str) -> tuple[str, str]:
    """(URL, ARN) of a queue encrypted with ``key_id`` whose policy lets SNS send."""
    url = sqs.create_queue(QueueName=name, Attributes={"KmsMasterKeyId": key_id})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy_document({**SNS_POLICY, "Resource": arn})})
    return url, arn


def test_producers_and_consumers_need_the_queues_key(server, sqs, unique):
    key = server.client("kms").create_key()["KeyMetadata"]  # the default key policy: the account's IAM policies decide
    url, arn = _encrypted_queue(sqs, f"sealed-{unique}", key["KeyId"])
    sqs.send_message(QueueUrl=url, MessageBody="by root")  # the account's root: allowed by the key policy
    user = f"producer-{unique}"
    producer = server.client_for(iam_user_key(server, user, SQS_ONLY), "sqs")
    code, message, status = error_of(producer.send_message, QueueUrl=url, MessageBody="x")
    assert (code, status) == ("KMS.AccessDeniedException", 400)
    assert message.startswith(f"User: arn:aws:iam::{BOOT_ACCOUNT}:user/{user} is not authorized to perform: "
                              f"kms:GenerateDataKey on resource: {key['Arn']}")
    assert "(Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; Request ID: " in message
    code, message, _ = error_of(producer.receive_message, QueueUrl=url)
    assert code == "KMS.AccessDeniedException"
    assert message.startswith("The ciphertext refers to a customer master key that does not exist, does not exist in "
                              "this region, or you are not allowed to access.")
    server.client("iam").put_user_policy(UserName=user, PolicyName="key", PolicyDocument=policy_document({
        "Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": key["Arn"],
        "Condition": {"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}}}))
    producer.send_message(QueueUrl=url, MessageBody="by the producer")
    received = producer.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
    assert {m["Body"] for m in received} <= {"by root", "by the producer"} and received


def test_a_disabled_or_missing_key_refuses_messages(server, sqs, unique):
    kms = server.client("kms")
    key = kms.create_key()["KeyMetadata"]
    url, _ = _encrypted_queue(sqs, f"disabled-{unique}", key["KeyId"])
    kms.disable_key(KeyId=key["KeyId"])
    code, message, status = error_of(sqs.send_message, QueueUrl=url, MessageBody="x")
    assert (code, status) == ("KMS.DisabledException", 400)
    assert message.startswith(f"{key['Arn']} is disabled.")
    kms.enable_key(KeyId=key["KeyId"])
    sqs.send_message(QueueUrl=url, MessageBody="x")
    missing, _ = _encrypted_queue(sqs, f"missing-{unique}", f"alias/missing-{unique}")
    assert error_of(sqs.send_message, QueueUrl=missing, MessageBody="x")[0] == "KMS.NotFoundException"
    # SendMessageBatch asks for the data key once, for the whole batch
    kms.disable_key(KeyId=key["KeyId"])
    assert error_of(sqs.send_message_batch, QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "x"}])[0] == \
        "KMS.DisabledException"


def test_sns_reaches_an_encrypted_queue_only_through_a_key_policy_that_lets_it(server, sqs, unique):
    """The AWS managed key aws/sqs cannot let SNS in (its key policy is AWS's); a customer managed key can (SQS
    Developer Guide, "Enable compatibility between encrypted queues and AWS services")."""
    sns, kms = server.client("sns"), server.client("kms")
    topic = sns.create_topic(Name=f"to-sealed-{unique}")["TopicArn"]
    managed_url, managed_arn = _encrypted_queue(sqs, f"managed-{unique}", "alias/aws/sqs")
    key = kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{BOOT_ACCOUNT}:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
         "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*"}]}))["KeyMetadata"]
    own_url, own_arn = _encrypted_queue(sqs, f"own-{unique}", key["Arn"])
    for arn in (managed_arn, own_arn):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="alert")
    got = sqs.receive_message(QueueUrl=own_url, WaitTimeSeconds=5).get("Messages", [])
    assert [m["Body"] for m in got] == ["alert"]
    assert sqs.receive_message(QueueUrl=managed_url, WaitTimeSeconds=1).get("Messages", []) == []
    sqs.send_message(QueueUrl=managed_url, MessageBody="by root")  # the account's principals use aws/sqs through SQS
    assert server.client("kms").describe_key(KeyId="alias/aws/sqs")["KeyMetadata"]["KeyManager"] == "AWS"


def test_the_cli_shows_sqs_kms_refusals(server, sqs, unique):
    key = server.client("kms").create_key()["KeyMetadata"]
    url, _ = _encrypted_queue(sqs, f"cli-{unique}", key["KeyId"])
    credentials = iam_user_key(server, f"cli-{unique}", SQS_ONLY)
    result = server.cli("sqs", "send-message", "--queue-url", url, "--message-body", "x", check=False,
                        access_key=credentials["AccessKeyId"], secret_key=credentials["SecretAccessKey"])
    assert result.returncode != 0
    assert "An error occurred (KMS.AccessDeniedException) when calling the SendMessage operation" in result.stderr
