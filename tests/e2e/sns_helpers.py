"""SNS test helpers: SQS queues that SNS may deliver to, and what they received."""

from __future__ import annotations

import json

SNS_POLICY = {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage"}


def sns_queue(server, name: str, **attributes: str) -> tuple[str, str]:
    """A queue (its URL and ARN) whose policy lets SNS send to it."""
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(
        {"Version": "2012-10-17", "Statement": [{**SNS_POLICY, "Resource": arn}]})})
    return url, arn


def received(server, url: str, **kwargs) -> list[dict]:
    """Up to 10 messages of the queue at ``url`` (receive_message's keyword arguments pass through)."""
    return server.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, **kwargs).get("Messages", [])
