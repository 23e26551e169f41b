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


def test_redrive_policy_names_an_existing_dead_letter_queue_and_a_valid_count(sqs, unique):
    """SetQueueAttributes/CreateQueue reject a RedrivePolicy without deadLetterTargetArn, with a maxReceiveCount
    outside 1..1000, or whose dead-letter queue does not exist (InvalidParameterValue, as AWS answers)."""
    dlq = sqs.create_queue(QueueName=f"dl-{unique}")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=f"rp-{unique}")["QueueUrl"]
    cases = {
        '{"maxReceiveCount":5}': "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.",
        f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":0}}':
            "Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive.",
        f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"1001"}}':
            "Invalid value for maxReceiveCount: 1001, valid values are from 1 to 1000 both inclusive.",
        f'{{"deadLetterTargetArn":"{dlq_arn}-gone","maxReceiveCount":3}}': "Dead letter target does not exist.",
    }
    for policy, reason in cases.items():
        expected = ("InvalidParameterValue", f"Value {policy} for parameter RedrivePolicy is invalid. Reason: {reason}",
                    400)
        assert error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"RedrivePolicy": policy}) == expected
        assert error_of(sqs.create_queue, QueueName=f"rp2-{unique}", Attributes={"RedrivePolicy": policy}) == expected
    assert "RedrivePolicy" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    good = f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"1000"}}'
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": good})
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [url]


def test_a_standard_queue_takes_no_deduplication_id(sqs, unique):
    """MessageDeduplicationId "applies only to FIFO queues": a standard queue rejects it, alone or in a batch entry."""
    url = sqs.create_queue(QueueName=f"std-{unique}")["QueueUrl"]
    reason = "Reason: The request include parameter that is not valid for this queue type."
    assert error_of(sqs.send_message, QueueUrl=url, MessageBody="x", MessageDeduplicationId="d1") == (
        "InvalidParameterValue", f"Value d1 for parameter MessageDeduplicationId is invalid. {reason}", 400)
    sent = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "ok", "MessageBody": "x"},
                                                         {"Id": "dedup", "MessageBody": "y",
                                                          "MessageDeduplicationId": "d2"}])
    assert [entry["Id"] for entry in sent["Successful"]] == ["ok"]
    assert sent["Failed"] == [{"Id": "dedup", "SenderFault": True, "Code": "InvalidParameterValue",
                               "Message": f"Value d2 for parameter MessageDeduplicationId is invalid. {reason}"}]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"] == {
        "ApproximateNumberOfMessages": "1"}


def test_a_batch_of_more_than_one_mebibyte_is_too_long(sqs, unique):
    """SendMessageBatch: the sum of the message lengths may be 1 MiB at most; past it nothing is sent and the call
    fails with BatchRequestTooLong (legacy code AWS.SimpleQueueService.BatchRequestTooLong)."""
    url = sqs.create_queue(QueueName=f"long-{unique}")["QueueUrl"]
    entries = [{"Id": f"m{index}", "MessageBody": "A" * 104858} for index in range(10)]
    assert error_of(sqs.send_message_batch, QueueUrl=url, Entries=entries) == (
        "AWS.SimpleQueueService.BatchRequestTooLong",
        "Batch requests cannot be longer than 1048576 bytes. You have sent 1048580 bytes.", 400)
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"] == {
        "ApproximateNumberOfMessages": "0"}
    entries = [{"Id": f"m{index}", "MessageBody": "A" * 104857} for index in range(9)]
    entries.append({"Id": "last", "MessageBody": "A" * (1048576 - 9 * 104857)})
    assert len(sqs.send_message_batch(QueueUrl=url, Entries=entries)["Successful"]) == 10


def test_a_batch_entry_with_an_empty_body_fails_as_empty_value(sqs, unique):
    """SendMessageBatch with an empty MessageBody: that entry fails with code EmptyValue (SendMessage with one fails
    with MissingParameter), the others are sent."""
    url = sqs.create_queue(QueueName=f"empty-{unique}")["QueueUrl"]
    assert error_of(sqs.send_message, QueueUrl=url, MessageBody="")[::2] == ("MissingParameter", 400)
    sent = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "Valid message"},
                                                         {"Id": "2", "MessageBody": ""}])
    assert [entry["Id"] for entry in sent["Successful"]] == ["1"]
    assert [(entry["Id"], entry["Code"], entry["SenderFault"]) for entry in sent["Failed"]] == [("2", "EmptyValue", True)]


def test_a_kms_key_replaces_sqs_managed_encryption(sqs, unique):
    """"Only one server-side encryption option is supported per queue": a queue given a KMS key, at creation or
    later, reports SqsManagedSseEnabled false; one without keeps the SSE-SQS default, true."""
    created = sqs.create_queue(QueueName=f"kms-{unique}", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})["QueueUrl"]
    later = sqs.create_queue(QueueName=f"sse-{unique}")["QueueUrl"]
    names = ["KmsMasterKeyId", "SqsManagedSseEnabled"]
    assert sqs.get_queue_attributes(QueueUrl=later, AttributeNames=names)["Attributes"] == {
        "SqsManagedSseEnabled": "true"}
    sqs.set_queue_attributes(QueueUrl=later, Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    for url in (created, later):
        assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"] == {
            "KmsMasterKeyId": "alias/aws/sqs", "SqsManagedSseEnabled": "false"}


@pytest.mark.parametrize("name", ["MessageGroupId", "MessageDeduplicationId"])
@pytest.mark.parametrize("value", ["x" * 129, "with space", "ünï"])
def test_fifo_ids_are_1_to_128_alphanumeric_and_punctuation_characters(sqs, unique, name, value):
    """A FIFO queue's MessageGroupId and MessageDeduplicationId take 1 to 128 alphanumeric and punctuation
    characters (InvalidParameterValue otherwise); 128 of them are accepted."""
    url = sqs.create_queue(QueueName=f"ids-{unique}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    params = {"MessageGroupId": "g", "MessageDeduplicationId": "d", name: value}
    assert error_of(sqs.send_message, QueueUrl=url, MessageBody="x", **params) == (
        "InvalidParameterValue", f"Value {value} for parameter {name} is invalid. Reason: {name} can only include "
        "alphanumeric and punctuation characters. 1 to 128 in length.", 400)
    params[name] = "!#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" + "a" * 96
    assert sqs.send_message(QueueUrl=url, MessageBody="x", **params)["SequenceNumber"]


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-inf", " 1", "1_000"])
def test_a_number_attribute_is_a_number(sqs, unique, value):
    """A Number message attribute holds a positive or negative integer or floating-point number: NaN, infinities,
    blanks and digit separators are refused; signs, fractions and exponents are numbers."""
    url = sqs.create_queue(QueueName=f"num-{unique}")["QueueUrl"]
    assert error_of(sqs.send_message, QueueUrl=url, MessageBody="x", MessageAttributes={
        "n": {"DataType": "Number", "StringValue": value}}) == (
        "InvalidParameterValue", "Can't cast the value of message (user) attribute 'n' to a number.", 400)
    for number in ("-12", "+0.5", ".5", "1e-3", "12.34E+5"):
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes={
            "n": {"DataType": "Number.float", "StringValue": number}})
