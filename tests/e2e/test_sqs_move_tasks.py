"""SQS dead-letter queue redrive: StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask (API Reference;
Developer Guide "Learn how to configure a dead-letter queue redrive in Amazon SQS")."""

from __future__ import annotations

import base64
import json
import time

import pytest

from harness import error_of, policy_document, sqs_query
from server_clock import ServerClock


@pytest.fixture(scope="module")
def sqs(server):
    return server.client("sqs")


@pytest.fixture
def clock(server):
    """The server's clock, frozen for the test: only ``advance`` moves it, so a task's rate gives exact counts."""
    frozen = ServerClock(server)
    frozen.freeze()
    yield frozen
    frozen.freeze(False)


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


def test_redrive_on_each_store(store_server, unique):
    sqs = store_server.client("sqs")
    source, dlq = _dead_lettered(sqs, unique, ["s1", "s2"])
    destination = sqs.create_queue(QueueName=f"store-{unique}")["QueueUrl"]
    sqs.start_message_move_task(SourceArn=_arn(sqs, dlq), DestinationArn=_arn(sqs, destination))
    sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))
    results = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq), MaxResults=10)["Results"]
    assert [(task["Status"], task["ApproximateNumberOfMessagesMoved"]) for task in results] == [
        ("COMPLETED", 0), ("COMPLETED", 2)]
    assert (_bodies(sqs, destination), _bodies(sqs, source)) == (["s1", "s2"], [])


def test_dead_lettered_messages_name_their_source(sqs, unique):
    source, dlq = _dead_lettered(sqs, unique, ["a"])
    message = sqs.receive_message(QueueUrl=dlq, MessageSystemAttributeNames=["DeadLetterQueueSourceArn"])["Messages"][0]
    assert message["Attributes"] == {"DeadLetterQueueSourceArn": _arn(sqs, source)}


def test_redrive_to_the_original_source(sqs, unique):
    source, dlq = _dead_lettered(sqs, unique, ["a", "b"])
    handle = sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))["TaskHandle"]
    assert handle
    assert sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"] == {
        "ApproximateNumberOfMessages": "0"}
    [task] = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))["Results"]
    started = task.pop("StartedTimestamp")
    assert isinstance(started, int) and started > 1_600_000_000_000
    assert task == {"Status": "COMPLETED", "SourceArn": _arn(sqs, dlq), "ApproximateNumberOfMessagesMoved": 2,
                    "ApproximateNumberOfMessagesToMove": 2}
    assert _bodies(sqs, source) == ["a", "b"]


def test_redrive_to_a_destination_at_a_rate(sqs, clock, unique):
    _, dlq = _dead_lettered(sqs, unique, [f"m{i}" for i in range(5)])
    destination = sqs.create_queue(QueueName=f"dest-{unique}")["QueueUrl"]
    dlq_arn, destination_arn = _arn(sqs, dlq), _arn(sqs, destination)
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=destination_arn,
                                         MaxNumberOfMessagesPerSecond=2)["TaskHandle"]
    assert error_of(sqs.start_message_move_task, SourceArn=dlq_arn) == (
        "InvalidParameterValue", "There is already a task running. Only one active task is allowed for a source "
        "queue arn at a given time.", 400)
    clock.advance(1.5)
    [task] = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)["Results"]
    assert (task["Status"], task["TaskHandle"], task["ApproximateNumberOfMessagesMoved"]) == ("RUNNING", handle, 3)
    assert (task["DestinationArn"], task["MaxNumberOfMessagesPerSecond"]) == (destination_arn, 2)
    clock.advance(2)
    [task] = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"], "TaskHandle" in task) == ("COMPLETED", 5, False)
    assert _bodies(sqs, destination) == [f"m{i}" for i in range(5)]
    assert error_of(sqs.cancel_message_move_task, TaskHandle=handle) == (
        "ResourceNotFoundException", "Task does not exist.", 400)


def test_fifo_redrive_keeps_the_message_group(sqs, unique):
    dlq = sqs.create_queue(QueueName=f"fdlq-{unique}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    policy = json.dumps({"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": "1"})
    source = sqs.create_queue(QueueName=f"fwork-{unique}.fifo", Attributes={
        "FifoQueue": "true", "RedrivePolicy": policy})["QueueUrl"]
    sqs.send_message(QueueUrl=source, MessageBody="f", MessageGroupId="g1", MessageDeduplicationId="d1")
    sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)
    assert "Messages" not in sqs.receive_message(QueueUrl=source)
    sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))
    [message] = sqs.receive_message(QueueUrl=source, MessageSystemAttributeNames=["MessageGroupId"])["Messages"]
    assert (message["Body"], message["Attributes"]) == ("f", {"MessageGroupId": "g1"})


def test_the_move_worker_moves_without_being_asked(sqs, clock, unique):
    _, dlq = _dead_lettered(sqs, unique, ["w1", "w2", "w3"])
    destination = sqs.create_queue(QueueName=f"async-{unique}")["QueueUrl"]
    sqs.start_message_move_task(SourceArn=_arn(sqs, dlq), DestinationArn=_arn(sqs, destination),
                                MaxNumberOfMessagesPerSecond=2)
    clock.advance(2)
    deadline = time.monotonic() + 10
    counts = None
    while time.monotonic() < deadline and counts != ("0", "3"):
        time.sleep(0.2)
        counts = tuple(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
            "Attributes"]["ApproximateNumberOfMessages"] for url in (dlq, destination))
    assert counts == ("0", "3")


def test_cancel_a_running_task(sqs, clock, unique):
    _, dlq = _dead_lettered(sqs, unique, ["x", "y", "z"])
    dlq_arn = _arn(sqs, dlq)
    first = sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    clock.advance(1)
    assert sqs.cancel_message_move_task(TaskHandle=first)["ApproximateNumberOfMessagesMoved"] == 1
    [task] = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("CANCELLED", 1)
    sqs.start_message_move_task(SourceArn=dlq_arn)
    results = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=2)["Results"]
    assert [(task["Status"], task["ApproximateNumberOfMessagesMoved"]) for task in results] == [
        ("COMPLETED", 2), ("CANCELLED", 1)]


def test_query_protocol_lists_result_entries(sqs, server, unique):
    _, dlq = _dead_lettered(sqs, unique, ["q"])
    text = sqs_query(server, {"Action": "StartMessageMoveTask", "SourceArn": _arn(sqs, dlq),
                              "MaxNumberOfMessagesPerSecond": "5"})
    assert "<StartMessageMoveTaskResult><TaskHandle>" in text
    text = sqs_query(server, {"Action": "ListMessageMoveTasks", "SourceArn": _arn(sqs, dlq)})
    assert "<ListMessageMoveTasksResult><ListMessageMoveTasksResultEntry><TaskHandle>" in text
    assert f"<Status>RUNNING</Status><SourceArn>{_arn(sqs, dlq)}</SourceArn>" in text


def test_a_message_sent_to_the_dlq_has_no_source_to_return_to(sqs, unique):
    _, dlq = _dead_lettered(sqs, unique, [])
    sqs.send_message(QueueUrl=dlq, MessageBody="direct")
    sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))
    [task] = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))["Results"]
    assert (task["Status"], task["FailureReason"]) == ("FAILED", "CouldNotDetermineMessageSource")


def test_documented_errors(sqs, unique):
    plain = sqs.create_queue(QueueName=f"plain-{unique}")["QueueUrl"]
    _, dlq = _dead_lettered(sqs, unique, [])
    dlq_arn = _arn(sqs, dlq)
    missing = dlq_arn.rsplit(":", 1)[0] + f":missing-{unique}"
    assert error_of(sqs.start_message_move_task, SourceArn=_arn(sqs, plain)) == (
        "InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.", 400)
    assert error_of(sqs.start_message_move_task, SourceArn=missing) == (
        "ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist.", 400)
    assert error_of(sqs.start_message_move_task, SourceArn=dlq_arn, DestinationArn=missing) == (
        "ResourceNotFoundException", "The resource that you specified for the DestinationArn parameter doesn't "
        "exist.", 400)
    assert error_of(sqs.start_message_move_task, SourceArn=dlq_arn, DestinationArn=dlq_arn) == (
        "InvalidParameterValue", "Source queue arn and destination queue arn cannot be the same.", 400)
    fifo = sqs.create_queue(QueueName=f"fifo-{unique}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    assert error_of(sqs.start_message_move_task, SourceArn=dlq_arn, DestinationArn=_arn(sqs, fifo)) == (
        "InvalidParameterValue", "The destination queue must be the same type of queue as the source queue.", 400)
    for rate in (0, 501):
        assert error_of(sqs.start_message_move_task, SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=rate) == (
            "InvalidParameterValue", "Value for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: You must "
            "enter a number that's between 1 and 500.", 400)
    assert error_of(sqs.list_message_move_tasks, SourceArn=dlq_arn, MaxResults=11) == (
        "InvalidParameterValue", "Value for parameter MaxResults is invalid. Reason: You must enter a number that's "
        "between 1 and 10.", 400)
    assert sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"] == []
    assert error_of(sqs.cancel_message_move_task, TaskHandle="not-a-handle") == (
        "ResourceNotFoundException", "Task does not exist.", 400)
    unknown = base64.b64encode(json.dumps({"taskId": "t", "sourceArn": dlq_arn}).encode()).decode()
    assert error_of(sqs.cancel_message_move_task, TaskHandle=unknown) == (
        "ResourceNotFoundException", "Task does not exist.", 400)


def _redriver(server, sqs, user: str, dlq: str):
    """An IAM user allowed the redrive's actions on ``dlq`` but no sqs:SendMessage: (IAM client, name, its SQS client)."""
    iam = server.client("iam")
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    allowed = ["sqs:StartMessageMoveTask", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": allowed, "Resource": _arn(sqs, dlq)}))
    return iam, user, server.client_for(key, "sqs")


def test_redrive_needs_the_documented_permissions(sqs, server, unique):
    _, dlq = _dead_lettered(sqs, unique, ["p"])
    destination = sqs.create_queue(QueueName=f"to-{unique}")["QueueUrl"]
    iam, user, client = _redriver(server, sqs, f"redriver-{unique}", dlq)
    assert error_of(client.start_message_move_task, SourceArn=_arn(sqs, dlq),
                    DestinationArn=_arn(sqs, destination)) == (
        "AccessDenied", f"User: arn:aws:iam::000000000000:user/{user} is not authorized to perform: sqs:sendmessage on "
        f"resource: {_arn(sqs, destination)} because no identity-based policy allows the sqs:sendmessage action", 403)
    iam.put_user_policy(UserName=user, PolicyName="send", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": _arn(sqs, destination)}))
    assert client.start_message_move_task(SourceArn=_arn(sqs, dlq), DestinationArn=_arn(sqs, destination))["TaskHandle"]


def test_redrive_to_the_original_source_needs_send_message_there(sqs, server, unique):
    source, dlq = _dead_lettered(sqs, unique, ["back"])
    iam, user, client = _redriver(server, sqs, f"returner-{unique}", dlq)
    assert error_of(client.start_message_move_task, SourceArn=_arn(sqs, dlq)) == (
        "AccessDenied", f"User: arn:aws:iam::000000000000:user/{user} is not authorized to perform: sqs:sendmessage on "
        f"resource: {_arn(sqs, source)} because no identity-based policy allows the sqs:sendmessage action", 403)
    iam.put_user_policy(UserName=user, PolicyName="send", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": _arn(sqs, source)}))
    assert client.start_message_move_task(SourceArn=_arn(sqs, dlq))["TaskHandle"]


def test_cli_redrive(sqs, server, unique):
    source, dlq = _dead_lettered(sqs, unique, ["cli"])
    started = server.cli_json("sqs", "start-message-move-task", "--source-arn", _arn(sqs, dlq))
    listed = server.cli_json("sqs", "list-message-move-tasks", "--source-arn", _arn(sqs, dlq))
    assert set(started) == {"TaskHandle"}
    assert [(task["Status"], task["ApproximateNumberOfMessagesMoved"]) for task in listed["Results"]] == [
        ("COMPLETED", 1)]
    assert _bodies(sqs, source) == ["cli"]
