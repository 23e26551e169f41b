"""Operations that wait (SQS long polling) run beside other requests instead of holding them up."""

from __future__ import annotations

import threading
import time


def test_a_long_poll_does_not_hold_up_other_requests(server, unique):
    sqs = server.client("sqs")
    queue_url = sqs.create_queue(QueueName=f"wait-{unique}")["QueueUrl"]
    received: dict = {}

    def long_poll() -> None:
        started = time.monotonic()
        received["messages"] = server.client("sqs").receive_message(QueueUrl=queue_url, WaitTimeSeconds=5).get("Messages", [])
        received["seconds"] = time.monotonic() - started

    poller = threading.Thread(target=long_poll)
    poller.start()
    time.sleep(0.5)
    sts = server.client("sts")
    started = time.monotonic()
    for _ in range(5):
        sts.get_caller_identity()
    assert time.monotonic() - started < 2.0, "other requests waited for the long poll"
    sqs.send_message(QueueUrl=queue_url, MessageBody="hello")
    poller.join(timeout=15)
    assert [m["Body"] for m in received["messages"]] == ["hello"]
    assert received["seconds"] < 5, "the long poll returned as soon as a message arrived"
