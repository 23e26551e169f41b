"""SQS request validation as the SQS API Reference documents it: visibility timeouts, redrive policies, parameters
that only FIFO queues take, and batch sizes."""

from __future__ import annotations

import pytest

from harness import error_of


@pytest.fixture(scope="module")
def sqs(server):
    return server.client("sqs")


@pytest.mark.parametrize("timeout", [-1, 43201])
def test_receive_visibility_timeout_is_0_to_43200(sqs, unique, timeout):
    """ReceiveMessage's VisibilityTimeout ranges 0 to 43200 seconds, as ChangeMessageVisibility's does."""
    url = sqs.create_queue(QueueName=f"vis-{unique}")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="kept")
    assert error_of(sqs.receive_message, QueueUrl=url, VisibilityTimeout=timeout) == (
        "InvalidParameterValue", f"Value {timeout} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 "
        "and <= 43200, if provided.", 400)
    received = sqs.receive_message(QueueUrl=url, VisibilityTimeout=43200, MessageSystemAttributeNames=["All"])
    assert received["Messages"][0]["Attributes"]["ApproximateReceiveCount"] == "1"
