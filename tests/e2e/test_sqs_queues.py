"""SQS queues and messages through boto3, the AWS CLI and the legacy query protocol."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness import error_of


@pytest.fixture(scope="module")
def sqs(server):
    return server.client("sqs")


def test_queue_lifecycle_attributes_and_tags(sqs, server, unique):
    name = f"life-{unique}"
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "45"}, tags={"team": "a"})["QueueUrl"]
    assert url == f"{server.endpoint}/000000000000/{name}"
    assert sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "45"})["QueueUrl"] == url
    assert error_of(sqs.create_queue, QueueName=name, Attributes={"VisibilityTimeout": "5"})[0] == "QueueAlreadyExists"
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "45" and attributes["DelaySeconds"] == "0"
    assert attributes["QueueArn"] == f"arn:aws:sqs:us-east-1:000000000000:{name}"
    assert attributes["ApproximateNumberOfMessages"] == "0"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "2"})
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])["Attributes"] == {"DelaySeconds": "2"}
    assert error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"ContentBasedDeduplication": "true"})[:2] == (
        "InvalidAttributeName", "Unknown Attribute ContentBasedDeduplication.")
    assert error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"DelaySeconds": "901"})[0] == "InvalidAttributeValue"
    sqs.tag_queue(QueueUrl=url, Tags={"env": "test"})
    sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "test"}
    assert url in sqs.list_queues(QueueNamePrefix="life-")["QueueUrls"]
    sqs.delete_queue(QueueUrl=url)
    code, message, status = error_of(sqs.get_queue_url, QueueName=name)
    assert (code, message, status) == ("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.", 400)


def test_list_queues_pages(sqs, unique):
    urls = [sqs.create_queue(QueueName=f"page{unique}-{i}")["QueueUrl"] for i in range(5)]
    first = sqs.list_queues(QueueNamePrefix=f"page{unique}", MaxResults=2)
    assert first["QueueUrls"] == urls[:2] and "NextToken" in first
    seen = [url for page in sqs.get_paginator("list_queues").paginate(
        QueueNamePrefix=f"page{unique}", PaginationConfig={"PageSize": 2}) for url in page["QueueUrls"]]
    assert seen == urls


def test_send_receive_visibility_and_delete(sqs, server, unique):
    url = sqs.create_queue(QueueName=f"msgs-{unique}", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    sent = sqs.send_message(QueueUrl=url, MessageBody="derp", MessageAttributes={
        "timestamp": {"DataType": "Number", "StringValue": "1493147359900"}})
    assert sent["MD5OfMessageBody"] == "58fd9edd83341c29f1aebba81c31e257"
    assert sent["MD5OfMessageAttributes"] == "235c5c510d26fb653d073faed50ae77c"
    received = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"])
    message = received["Messages"][0]
    assert message["Body"] == "derp" and message["MessageId"] == sent["MessageId"]
    assert message["MD5OfMessageAttributes"] == "235c5c510d26fb653d073faed50ae77c"
    assert message["Attributes"]["ApproximateReceiveCount"] == "1" and message["Attributes"]["SenderId"] == "000000000000"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert counts["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "1"
    server.advance_clock(31)
    again = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])  # an earlier handle: no error, kept
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"], VisibilityTimeout=0)
    third = sqs.receive_message(QueueUrl=url)["Messages"][0]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=third["ReceiptHandle"])
    assert error_of(sqs.delete_message, QueueUrl=url, ReceiptHandle="garbage")[0] == "ReceiptHandleIsInvalid"
    server.advance_clock(60)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_delays_and_long_polling(sqs, server, unique):
    url = sqs.create_queue(QueueName=f"poll-{unique}")["QueueUrl"]
    started = time.monotonic()
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
    assert 0.9 <= time.monotonic() - started < 3
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=10)
    delayed = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesDelayed"])
    assert delayed["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    server.advance_clock(11)
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "later"
    other = server.client("sqs")
    started = time.monotonic()
    timer = threading.Timer(0.5, lambda: other.send_message(QueueUrl=url, MessageBody="arrived"))
    timer.start()
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)
    timer.join()
    assert got["Messages"][0]["Body"] == "arrived" and time.monotonic() - started < 3


def test_batches(sqs, unique):
    url = sqs.create_queue(QueueName=f"batch-{unique}")["QueueUrl"]
    sent = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "one", "MessageBody": "1"}, {"Id": "two", "MessageBody": "2"}, {"Id": "bad", "MessageBody": "x",
                                                                              "DelaySeconds": 1000}])
    assert [e["Id"] for e in sent["Successful"]] == ["one", "two"]
    assert sent["Failed"][0]["Id"] == "bad" and sent["Failed"][0]["SenderFault"] is True
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in received) == ["1", "2"]
    changed = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "a", "ReceiptHandle": received[0]["ReceiptHandle"], "VisibilityTimeout": 60}])
    assert [e["Id"] for e in changed["Successful"]] == ["a"]
    deleted = sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": f"m{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)])
    assert len(deleted["Successful"]) == 2 and deleted["Failed"] == []
    assert error_of(sqs.send_message_batch, QueueUrl=url, Entries=[])[0] == "AWS.SimpleQueueService.EmptyBatchRequest"
    code = error_of(sqs.send_message_batch, QueueUrl=url, Entries=[{"Id": "x", "MessageBody": "1"}] * 2)[0]
    assert code == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
    too_many = [{"Id": f"e{i}", "MessageBody": "1"} for i in range(11)]
    assert error_of(sqs.send_message_batch, QueueUrl=url, Entries=too_many)[0] == \
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"


def test_purge_fifo_and_dead_letter_queue(sqs, server, unique):
    url = sqs.create_queue(QueueName=f"purge-{unique}")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    sqs.purge_queue(QueueUrl=url)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    assert error_of(sqs.purge_queue, QueueUrl=url)[0] == "AWS.SimpleQueueService.PurgeQueueInProgress"
    fifo = sqs.create_queue(QueueName=f"orders-{unique}.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    first = sqs.send_message(QueueUrl=fifo, MessageBody="a", MessageGroupId="g")
    assert sqs.send_message(QueueUrl=fifo, MessageBody="a", MessageGroupId="g")["MessageId"] == first["MessageId"]
    sqs.send_message(QueueUrl=fifo, MessageBody="b", MessageGroupId="g")
    assert error_of(sqs.send_message, QueueUrl=fifo, MessageBody="c")[0] == "MissingParameter"
    head = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=1)["Messages"][0]
    assert head["Body"] == "a"
    assert "Messages" not in sqs.receive_message(QueueUrl=fifo)  # group g is blocked while "a" is in flight
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=head["ReceiptHandle"])
    assert sqs.receive_message(QueueUrl=fifo)["Messages"][0]["Body"] == "b"
    dlq = sqs.create_queue(QueueName=f"dlq-{unique}")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    source = sqs.create_queue(QueueName=f"src-{unique}", Attributes={
        "VisibilityTimeout": "1", "RedrivePolicy": f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":1}}'})["QueueUrl"]
    sqs.send_message(QueueUrl=source, MessageBody="poison")
    assert sqs.receive_message(QueueUrl=source)["Messages"][0]["Body"] == "poison"
    server.advance_clock(2)
    assert "Messages" not in sqs.receive_message(QueueUrl=source)
    assert sqs.receive_message(QueueUrl=dlq)["Messages"][0]["Body"] == "poison"


def test_cli_send_and_receive(server, unique):
    url = server.cli_json("sqs", "create-queue", "--queue-name", f"cli-{unique}")["QueueUrl"]
    sent = server.cli_json("sqs", "send-message", "--queue-url", url, "--message-body", "from cli")
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"from cli").hexdigest()
    received = server.cli_json("sqs", "receive-message", "--queue-url", url)
    assert received["Messages"][0]["Body"] == "from cli"
    missing = server.cli("sqs", "get-queue-url", "--queue-name", f"nope-{unique}", check=False)
    assert missing.returncode != 0 and "AWS.SimpleQueueService.NonExistentQueue" in missing.stderr


def _legacy_query(server, form: dict[str, str], path: str = "/") -> tuple[int, str]:
    body = urllib.parse.urlencode({**form, "Version": "2012-11-05"})
    request = AWSRequest(method="POST", url=f"{server.endpoint}{path}", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials("test", "test"), "sqs", "us-east-1").add_auth(request)
    prepared = urllib.request.Request(request.url, data=body.encode(), method="POST", headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_legacy_query_protocol(sqs, server, unique):
    name = f"legacy-{unique}"
    status, text = _legacy_query(server, {"Action": "CreateQueue", "QueueName": name})
    assert status == 200 and f"<QueueUrl>{server.endpoint}/000000000000/{name}</QueueUrl>" in text
    url = f"{server.endpoint}/000000000000/{name}"
    status, text = _legacy_query(server, {"Action": "SendMessage", "QueueUrl": url, "MessageBody": "legacy"})
    assert status == 200 and "<SendMessageResponse" in text and "<MD5OfMessageBody>" in text
    status, text = _legacy_query(server, {"Action": "ReceiveMessage"}, path=f"/000000000000/{name}")
    assert status == 200 and "<Body>legacy</Body>" in text
    status, text = _legacy_query(server, {"Action": "GetQueueUrl", "QueueName": f"nope-{unique}"})
    assert status == 400 and "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>" in text and "<Type>Sender</Type>" in text


def test_messages_up_to_one_mebibyte_by_default(sqs, unique):
    """Since 2025 SQS queues take messages up to 1 MiB, and that is the default MaximumMessageSize (issue #13 C)."""
    url = sqs.create_queue(QueueName=f"large-{unique}")["QueueUrl"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MaximumMessageSize"])["Attributes"] == {
        "MaximumMessageSize": "1048576"}
    sqs.send_message(QueueUrl=url, MessageBody="x" * (300 * 1024))
    assert len(sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"]) == 300 * 1024
    code, message, status = error_of(sqs.send_message, QueueUrl=url, MessageBody="x" * (1024 * 1024 + 1))
    assert (code, status) == ("InvalidParameterValue", 400)
    assert message == "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes."


def test_delete_with_an_earlier_receipt_handle_succeeds(sqs, unique):
    """AWS: deleting with a receipt handle from an earlier receive succeeds, "but the message might not be deleted":
    it stays with the consumer that received it last (issue #13 C)."""
    url = sqs.create_queue(QueueName=f"handles-{unique}")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="once")
    first = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]["ReceiptHandle"]
    second = sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"][0]["ReceiptHandle"]
    assert first != second
    code, _message, status = error_of(sqs.change_message_visibility, QueueUrl=url, ReceiptHandle=first,
                                      VisibilityTimeout=5)
    assert (code, status) == ("InvalidParameterValue", 400)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first)
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (attributes["ApproximateNumberOfMessages"], attributes["ApproximateNumberOfMessagesNotVisible"]) == ("0", "1")
    sqs.delete_message(QueueUrl=url, ReceiptHandle=second)
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (attributes["ApproximateNumberOfMessages"], attributes["ApproximateNumberOfMessagesNotVisible"]) == ("0", "0")


def test_dead_letter_queue_is_of_the_source_type(sqs, unique):
    """A FIFO queue's dead-letter queue must be FIFO, a standard queue's standard (issue #13 C)."""
    standard = sqs.create_queue(QueueName=f"dlq-{unique}")["QueueUrl"]
    standard_arn = sqs.get_queue_attributes(QueueUrl=standard, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    fifo = sqs.create_queue(QueueName=f"src-{unique}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    policy = json.dumps({"deadLetterTargetArn": standard_arn, "maxReceiveCount": 3})
    assert error_of(sqs.set_queue_attributes, QueueUrl=fifo, Attributes={"RedrivePolicy": policy}) == (
        "InvalidParameterValue", f"Value {policy} for parameter RedrivePolicy is invalid. Reason: Dead-letter queue "
        "must be same type of queue as the source.", 400)
    source = sqs.create_queue(QueueName=f"src-{unique}", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    assert json.loads(sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])["Attributes"][
        "RedrivePolicy"])["deadLetterTargetArn"] == standard_arn


def test_message_attribute_names_select_by_prefix(sqs, unique):
    """``Custom.*`` returns the attributes named ``Custom.<anything>`` (SQS ReceiveMessage documentation)."""
    url = sqs.create_queue(QueueName=f"prefix-{unique}")["QueueUrl"]
    text = {"DataType": "String", "StringValue": "v"}
    sqs.send_message(QueueUrl=url, MessageBody="b", MessageAttributes={
        "Custom.a": text, "Custom.b": text, "Customer": text, "other": text})
    message = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["Custom.*", "other"])["Messages"][0]
    assert sorted(message["MessageAttributes"]) == ["Custom.a", "Custom.b", "other"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    message = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["Cust.*"])["Messages"][0]
    assert "MessageAttributes" not in message and "MD5OfMessageAttributes" not in message


def test_a_queue_recreated_under_its_name_gets_the_messages_sent_after(sqs, server, unique):
    """Sends, deletes and visibility changes find the queue through its cached view (issue #19): a queue deleted and
    created again under the same name is a new queue, and what is sent after goes to it."""
    name = f"again-{unique}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="to the first queue")
    sqs.delete_queue(QueueUrl=url)
    assert error_of(sqs.send_message, QueueUrl=url, MessageBody="nowhere")[0] == \
        "AWS.SimpleQueueService.NonExistentQueue"
    server.advance_clock(61)  # SQS lets a deleted queue's name be used again after 60 seconds
    assert sqs.create_queue(QueueName=name)["QueueUrl"] == url
    sqs.send_message(QueueUrl=url, MessageBody="to the second queue")
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert counts == {"ApproximateNumberOfMessages": "1"}
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [message["Body"] for message in received] == ["to the second queue"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=received[0]["ReceiptHandle"], VisibilityTimeout=0)
    again = sqs.receive_message(QueueUrl=url)["Messages"][0]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
