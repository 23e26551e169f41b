"""SNS FIFO topics (names, attributes, group and deduplication ids, sequence numbers, delivery to FIFO queues),
Publish limits (Subject, message size), numeric filters to five decimal places, raw delivery's message
attributes and regional topics, through boto3 (SNS Publish and CreateTopic documentation)."""

from __future__ import annotations

import json

import pytest

from orgs_helpers import error_of
from sns_helpers import received, sns_queue

FIFO_NAME_RULE = ("Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII "
                  "letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.")


@pytest.fixture(scope="module")
def sns(server):
    return server.client("sns")


def _invalid(error: dict, message: str) -> bool:
    return (error["Code"], error["Message"], error["Status"]) == ("InvalidParameter", message, 400)


def test_fifo_topic_names_and_attributes(sns, unique):
    arn = sns.create_topic(Name=f"orders-{unique}.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["FifoTopic"] == "true"
    sns.set_topic_attributes(TopicArn=arn, AttributeName="ContentBasedDeduplication", AttributeValue="true")
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["ContentBasedDeduplication"] == "true"
    assert _invalid(error_of(sns.create_topic, Name=f"plain-{unique}", Attributes={"FifoTopic": "true"}),
                    FIFO_NAME_RULE)
    assert _invalid(error_of(sns.create_topic, Name=f"named-{unique}.fifo"), "Invalid parameter: Topic Name")
    standard = sns.create_topic(Name=f"std-{unique}", Attributes={"FifoTopic": "false"})["TopicArn"]
    assert "FifoTopic" not in sns.get_topic_attributes(TopicArn=standard)["Attributes"]
    error = error_of(sns.create_topic, Name=f"cbd-{unique}", Attributes={"ContentBasedDeduplication": "true"})
    assert error["Code"] == "InvalidParameter" and "ContentBasedDeduplication" in error["Message"]
    assert _invalid(error_of(sns.set_topic_attributes, TopicArn=arn, AttributeName="FifoTopic",
                             AttributeValue="false"), "Invalid parameter: AttributeName")


def test_fifo_publish_rules_deduplication_and_delivery(server, sns, unique):
    arn = sns.create_topic(Name=f"events-{unique}.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    url, queue_arn = sns_queue(server, f"events-{unique}.fifo", FifoQueue="true")
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    assert _invalid(error_of(sns.publish, TopicArn=arn, Message="m", MessageDeduplicationId="d"),
                    "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
    assert _invalid(error_of(sns.publish, TopicArn=arn, Message="m", MessageGroupId="g"),
                    "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
                    "MessageDeduplicationId provided explicitly")
    first = sns.publish(TopicArn=arn, Message="one", MessageGroupId="g1", MessageDeduplicationId="d1")
    again = sns.publish(TopicArn=arn, Message="one", MessageGroupId="g1", MessageDeduplicationId="d1")
    second = sns.publish(TopicArn=arn, Message="two", MessageGroupId="g1", MessageDeduplicationId="d2")
    assert again == {**again, "MessageId": first["MessageId"], "SequenceNumber": first["SequenceNumber"]}
    assert len(first["SequenceNumber"]) == 20 and int(second["SequenceNumber"]) > int(first["SequenceNumber"])
    messages = received(server, url, MessageSystemAttributeNames=["MessageGroupId", "MessageDeduplicationId"])
    assert [m["Body"] for m in messages] == ["one", "two"]  # the repeat of d1 was not delivered
    assert [m["Attributes"] for m in messages] == [{"MessageGroupId": "g1", "MessageDeduplicationId": "d1"},
                                                   {"MessageGroupId": "g1", "MessageDeduplicationId": "d2"}]
    sns.set_topic_attributes(TopicArn=arn, AttributeName="ContentBasedDeduplication", AttributeValue="true")
    same = [sns.publish(TopicArn=arn, Message="body", MessageGroupId="g2")["MessageId"] for _ in range(2)]
    assert same[0] == same[1]


def test_fifo_throughput_scope_message_group_deduplicates_within_each_group(server, sns, unique):
    """CreateTopic / SetTopicAttributes FifoThroughputScope (FIFO topics): Topic (default) deduplicates across the
    topic, MessageGroup within each message group (Publish, MessageDeduplicationId)."""
    arn = sns.create_topic(Name=f"scoped-{unique}.fifo", Attributes={
        "FifoTopic": "true", "FifoThroughputScope": "MessageGroup"})["TopicArn"]
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["FifoThroughputScope"] == "MessageGroup"
    first = sns.publish(TopicArn=arn, Message="a", MessageGroupId="g1", MessageDeduplicationId="d")
    other_group = sns.publish(TopicArn=arn, Message="b", MessageGroupId="g2", MessageDeduplicationId="d")
    same_group = sns.publish(TopicArn=arn, Message="c", MessageGroupId="g1", MessageDeduplicationId="d")
    assert other_group["MessageId"] != first["MessageId"] and same_group["MessageId"] == first["MessageId"]
    sns.set_topic_attributes(TopicArn=arn, AttributeName="FifoThroughputScope", AttributeValue="Topic")
    across = sns.publish(TopicArn=arn, Message="e", MessageGroupId="g3", MessageDeduplicationId="t")
    assert sns.publish(TopicArn=arn, Message="f", MessageGroupId="g4",
                       MessageDeduplicationId="t")["MessageId"] == across["MessageId"]
    for value in ("Group", ""):
        error = error_of(sns.set_topic_attributes, TopicArn=arn, AttributeName="FifoThroughputScope",
                         AttributeValue=value)
        assert (error["Code"], error["Status"]) == ("InvalidParameter", 400)
    error = error_of(sns.create_topic, Name=f"plain-scope-{unique}", Attributes={"FifoThroughputScope": "Topic"})
    assert (error["Code"], error["Status"]) == ("InvalidParameter", 400)
    standard = sns.create_topic(Name=f"plain-scope-{unique}")["TopicArn"]
    assert _invalid(error_of(sns.set_topic_attributes, TopicArn=standard, AttributeName="FifoThroughputScope",
                             AttributeValue="Topic"), "Invalid parameter: AttributeName")


def test_fifo_notifications_are_unsigned_with_the_sequence_number_after_the_message_id(server, sns, unique):
    """A FIFO topic's JSON notification (as real FIFO deliveries show it, and AWS's SDKs and Powertools parse it):
    SequenceNumber after MessageId, and no SignatureVersion, Signature or SigningCertURL."""
    arn = sns.create_topic(Name=f"unsigned-{unique}.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    url, queue_arn = sns_queue(server, f"unsigned-{unique}.fifo", FifoQueue="true")
    subscription = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    published = sns.publish(TopicArn=arn, Message="ordered", MessageGroupId="g", MessageDeduplicationId="d")
    envelope = json.loads(received(server, url)[0]["Body"])
    assert list(envelope) == ["Type", "MessageId", "SequenceNumber", "TopicArn", "Message", "Timestamp",
                              "UnsubscribeURL"]
    assert (envelope["MessageId"], envelope["SequenceNumber"]) == (published["MessageId"], published["SequenceNumber"])
    assert envelope["UnsubscribeURL"].endswith(f"SubscriptionArn={subscription.replace(':', '%3A')}")


def test_standard_topics_refuse_deduplication_ids_and_fifo_queues(server, sns, unique):
    arn = sns.create_topic(Name=f"plain-{unique}")["TopicArn"]
    assert _invalid(error_of(sns.publish, TopicArn=arn, Message="m", MessageDeduplicationId="d"),
                    "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId "
                    "parameter that is not valid for this topic type")
    assert "SequenceNumber" not in sns.publish(TopicArn=arn, Message="m", MessageGroupId="fair-queue-group")
    _url, queue_arn = sns_queue(server, f"plain-{unique}.fifo", FifoQueue="true")
    assert _invalid(error_of(sns.subscribe, TopicArn=arn, Protocol="sqs", Endpoint=queue_arn),
                    "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed "
                    "to standard SNS topics")


def test_publish_limits(sns, unique):
    arn = sns.create_topic(Name=f"limits-{unique}")["TopicArn"]
    sns.publish(TopicArn=arn, Message="m", Subject="s" * 99)
    for subject in ("s" * 100, "line\nbreak"):
        assert _invalid(error_of(sns.publish, TopicArn=arn, Message="m", Subject=subject), "Invalid parameter: Subject")
    sns.publish(TopicArn=arn, Message="x" * 262_144)
    assert _invalid(error_of(sns.publish, TopicArn=arn, Message="x" * 262_145), "Invalid parameter: Message too long")
    # the body and the message attributes together (Publish, Message: "the combined size of the message body and
    # message attributes"): name, type and value
    attributes = {"note": {"DataType": "String", "StringValue": "z" * 90}}
    sns.publish(TopicArn=arn, Message="x" * 262_044, MessageAttributes=attributes)
    assert _invalid(error_of(sns.publish, TopicArn=arn, Message="x" * 262_045, MessageAttributes=attributes),
                    "Invalid parameter: Message too long")


def test_a_topics_maximum_message_size_bounds_what_it_takes(server, sns, unique):
    """CreateTopic / SetTopicAttributes MaximumMessageSize: 1024 to 1048576 bytes, 262144 by default; above 256 KiB
    only for a topic whose subscriptions (100 at most) are SQS, Firehose or Lambda ones."""
    arn = sns.create_topic(Name=f"small-{unique}", Attributes={"MaximumMessageSize": "1024"})["TopicArn"]
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["MaximumMessageSize"] == "1024"
    sns.publish(TopicArn=arn, Message="x" * 1024)
    assert _invalid(error_of(sns.publish, TopicArn=arn, Message="x" * 1025), "Invalid parameter: Message too long")
    assert error_of(sns.publish_batch, TopicArn=arn, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "x" * 600}, {"Id": "b", "Message": "y" * 600}])["Code"] == "BatchRequestTooLong"
    for value in ("1023", "1048577", "big"):
        error = error_of(sns.set_topic_attributes, TopicArn=arn, AttributeName="MaximumMessageSize",
                         AttributeValue=value)
        assert (error["Code"], error["Status"]) == ("InvalidParameter", 400)
        error = error_of(sns.create_topic, Name=f"bad-{unique}", Attributes={"MaximumMessageSize": value})
        assert (error["Code"], error["Status"]) == ("InvalidParameter", 400)
    sns.set_topic_attributes(TopicArn=arn, AttributeName="MaximumMessageSize", AttributeValue="1048576")
    url, queue_arn = sns_queue(server, f"large-{unique}", MaximumMessageSize="1048576")
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=arn, Message="x" * 1_048_576)
    answer = sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "a" * 500_000}, {"Id": "b", "Message": "b" * 500_000}])
    assert [entry["Id"] for entry in answer["Successful"]] == ["a", "b"]
    assert sorted(len(m["Body"]) for m in received(server, url)) == [500_000, 500_000, 1_048_576]
    sns.subscribe(TopicArn=arn, Protocol="email", Endpoint=f"large-{unique}@example.com")
    error = error_of(sns.set_topic_attributes, TopicArn=arn, AttributeName="MaximumMessageSize",
                     AttributeValue="262145")
    assert (error["Code"], error["Status"]) == ("InvalidParameter", 400)
    sns.set_topic_attributes(TopicArn=arn, AttributeName="MaximumMessageSize", AttributeValue="262144")


def test_numeric_filters_compare_five_decimal_places(server, sns, unique):
    arn = sns.create_topic(Name=f"prices-{unique}")["TopicArn"]
    url, queue_arn = sns_queue(server, f"prices-{unique}")
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn, Attributes={
        "RawMessageDelivery": "true", "FilterPolicy": json.dumps({"price": [{"numeric": ["=", 100.000001]}]})})
    for body, price in (("close", "100.0000001"), ("exact", "100"), ("far", "100.0001")):
        sns.publish(TopicArn=arn, Message=body, MessageAttributes={"price": {"DataType": "Number",
                                                                             "StringValue": price}})
    assert sorted(m["Body"] for m in received(server, url)) == ["close", "exact"]


def test_raw_delivery_keeps_up_to_ten_message_attributes(server, sns, unique):
    arn = sns.create_topic(Name=f"raw-{unique}")["TopicArn"]
    url, queue_arn = sns_queue(server, f"raw-{unique}")
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    ten = {f"a{index}": {"DataType": "String", "StringValue": str(index)} for index in range(10)}
    sns.publish(TopicArn=arn, Message="ten", MessageAttributes=ten)
    sns.publish(TopicArn=arn, Message="eleven", MessageAttributes={**ten, "a10": {"DataType": "String",
                                                                                  "StringValue": "10"}})
    messages = received(server, url, MessageAttributeNames=["All"])
    assert [m["Body"] for m in messages] == ["ten"]
    assert messages[0]["MessageAttributes"]["a3"] == {"DataType": "String", "StringValue": "3"}
    assert len(messages[0]["MessageAttributes"]) == 10


def test_raw_delivery_keeps_binary_message_attributes(server, sns, unique):
    arn = sns.create_topic(Name=f"binary-{unique}")["TopicArn"]
    url, queue_arn = sns_queue(server, f"binary-{unique}")
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=arn, Message="blob", MessageAttributes={
        "data": {"DataType": "Binary.gz", "BinaryValue": b"\x00\xff"},
        "kind": {"DataType": "String", "StringValue": "k"}})
    messages = received(server, url, MessageAttributeNames=["All"])
    assert [m["Body"] for m in messages] == ["blob"]
    assert messages[0]["MessageAttributes"] == {"data": {"DataType": "Binary.gz", "BinaryValue": b"\x00\xff"},
                                                "kind": {"DataType": "String", "StringValue": "k"}}


def test_topics_are_regional(server, sns, unique):
    arn = sns.create_topic(Name=f"regional-{unique}")["TopicArn"]
    elsewhere = server.client("sns", region="eu-north-1")
    error = error_of(elsewhere.get_topic_attributes, TopicArn=arn)
    assert (error["Code"], error["Message"], error["Status"]) == ("NotFound", "Topic does not exist", 404)
    assert error_of(elsewhere.publish, TopicArn=arn, Message="m")["Code"] == "NotFound"
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["TopicArn"] == arn
