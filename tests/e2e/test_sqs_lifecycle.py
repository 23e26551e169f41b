"""SQS: recreate-after-delete wait, FIFO deduplication beyond deletion, dead-letter sources, legacy XML maps."""

from __future__ import annotations

import pytest

from harness import error_of, sqs_query


@pytest.fixture(scope="module")
def sqs(server):
    return server.client("sqs")


def test_queue_deleted_recently(sqs, server, unique):
    name = f"again-{unique}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.delete_queue(QueueUrl=url)
    assert error_of(sqs.create_queue, QueueName=name) == (
        "AWS.SimpleQueueService.QueueDeletedRecently",
        "You must wait 60 seconds after deleting a queue before you can create another with the same name.", 400)
    server.advance_clock(61)
    assert sqs.create_queue(QueueName=name)["QueueUrl"] == url


def test_fifo_deduplication_outlives_the_deleted_message(sqs, server, unique):
    url = sqs.create_queue(QueueName=f"dedup-{unique}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    first = sqs.send_message(QueueUrl=url, MessageBody="once", MessageGroupId="g", MessageDeduplicationId="d1")
    received = sqs.receive_message(QueueUrl=url)["Messages"][0]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=received["ReceiptHandle"])
    again = sqs.send_message(QueueUrl=url, MessageBody="once", MessageGroupId="g", MessageDeduplicationId="d1")
    assert (again["MessageId"], again["SequenceNumber"]) == (first["MessageId"], first["SequenceNumber"])
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    server.advance_clock(301)
    later = sqs.send_message(QueueUrl=url, MessageBody="once", MessageGroupId="g", MessageDeduplicationId="d1")
    assert later["MessageId"] != first["MessageId"]
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["MessageId"] == later["MessageId"]


def test_list_dead_letter_source_queues(sqs, unique):
    dlq = sqs.create_queue(QueueName=f"dead-{unique}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == []
    redrive = {"RedrivePolicy": f'{{"deadLetterTargetArn":"{arn}","maxReceiveCount":"3"}}'}
    sources = [sqs.create_queue(QueueName=f"s{index}-{unique}", Attributes=redrive)["QueueUrl"] for index in range(3)]
    page = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2)
    assert page["queueUrls"] == sources[:2] and page["NextToken"]
    rest = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2, NextToken=page["NextToken"])
    assert rest["queueUrls"] == sources[2:] and "NextToken" not in rest
    sqs.set_queue_attributes(QueueUrl=sources[0], Attributes={"RedrivePolicy": ""})
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == sources[1:]


def test_unknown_attribute_names_and_invalid_addresses(sqs, unique):
    url = sqs.create_queue(QueueName=f"attrs-{unique}")["QueueUrl"]
    assert error_of(sqs.get_queue_attributes, QueueUrl=url, AttributeNames=["Bogus"]) == (
        "InvalidAttributeName", "Unknown Attribute Bogus.", 400)
    assert error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"Bogus": "1"})[:2] == (
        "InvalidAttributeName", "Unknown Attribute Bogus.")
    assert error_of(sqs.get_queue_attributes, QueueUrl="not-a-url", AttributeNames=["All"])[::2] == (
        "InvalidAddress", 404)


def test_legacy_query_maps_use_name_value_elements(sqs, server, unique):
    url = sqs.create_queue(QueueName=f"xml-{unique}", Attributes={"DelaySeconds": "0"})["QueueUrl"]
    text = sqs_query(server, {"Action": "GetQueueAttributes", "QueueUrl": url, "AttributeName.1": "DelaySeconds"})
    assert "<Attribute><Name>DelaySeconds</Name><Value>0</Value></Attribute>" in text
    sqs.send_message(QueueUrl=url, MessageBody="hi", MessageAttributes={
        "color": {"DataType": "String", "StringValue": "red"}})
    text = sqs_query(server, {"Action": "ReceiveMessage", "QueueUrl": url, "AttributeName.1": "SenderId",
                            "MessageAttributeName.1": "All"})
    assert "<Message><MessageId>" in text and "<Attribute><Name>SenderId</Name><Value>" in text
    assert "<MessageAttribute><Name>color</Name><Value><StringValue>red</StringValue><DataType>String</DataType>" \
           "</Value></MessageAttribute>" in text
    text = sqs_query(server, {"Action": "ListQueues", "QueueNamePrefix": f"xml-{unique}"})
    assert f"<ListQueuesResult><QueueUrl>{url}</QueueUrl></ListQueuesResult>" in text
