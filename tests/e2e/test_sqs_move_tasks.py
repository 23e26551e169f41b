"""SQS dead-letter queue redrive (Developer Guide "Learn how to configure a dead-letter queue redrive in Amazon SQS";
API Reference: ReceiveMessage's DeadLetterQueueSourceArn)."""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="module")
def sqs(server):
    return server.client("sqs")


def _arn(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _dead_lettered(sqs, unique: str, bodies: list[str], name: str = "work") -> tuple[str, str]:
    """(source URL, DLQ URL): ``bodies`` sent to the source and dead-lettered after one receive."""
    dlq = sqs.create_queue(QueueName=f"dlq-{unique}")["QueueUrl"]
    policy = json.dumps({"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": "1"})
    source = sqs.create_queue(QueueName=f"{name}-{unique}", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    for body in bodies:
        sqs.send_message(QueueUrl=source, MessageBody=body)
    while sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages"):
        pass
    return source, dlq


def _bodies(sqs, url: str) -> list[str]:
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return sorted(message["Body"] for message in messages)


def test_dead_lettered_messages_name_their_source(sqs, unique):
    source, dlq = _dead_lettered(sqs, unique, ["a"])
    message = sqs.receive_message(QueueUrl=dlq, MessageSystemAttributeNames=["DeadLetterQueueSourceArn"])["Messages"][0]
    assert message["Attributes"] == {"DeadLetterQueueSourceArn": _arn(sqs, source)}
