"""SNS PublishBatch through boto3 and the AWS CLI: the batch's own errors, per-entry failures, delivery as Publish
delivers, FIFO topics, authorization as sns:Publish (SNS API Reference, PublishBatch and PublishBatchRequestEntry;
SNS Developer Guide, "Amazon SNS API permissions: Actions and resources reference")."""

from __future__ import annotations

import json

import pytest

from orgs_helpers import error_of, policy_text
from sns_helpers import received, sns_queue


@pytest.fixture(scope="module")
def sns(server):
    return server.client("sns")


@pytest.fixture
def topic(sns, unique) -> str:
    return sns.create_topic(Name=f"batch-{unique}")["TopicArn"]


def _entries(count: int, **fields) -> list[dict]:
    return [{"Id": f"m{index}", "Message": f"message {index}", **fields} for index in range(count)]


@pytest.mark.parametrize("entries, code, message", [
    ([], "EmptyBatchRequest", "The batch request doesn't contain any entries."),
    (_entries(11), "TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible."),
    ([{"Id": "same", "Message": "a"}, {"Id": "same", "Message": "b"}], "BatchEntryIdsNotDistinct",
     "Two or more batch entries in the request have the same Id."),
    ([{"Id": "with space", "Message": "a"}], "InvalidBatchEntryId",
     "The Id of a batch entry in a batch request doesn't abide by the specification."),
    ([{"Id": "x" * 81, "Message": "a"}], "InvalidBatchEntryId",
     "The Id of a batch entry in a batch request doesn't abide by the specification."),
    ([{"Id": "big", "Message": "x" * 200_000}, {"Id": "bigger", "Message": "y" * 62_145}], "BatchRequestTooLong",
     "The length of all the batch messages put together is more than the limit."),
])
def test_a_malformed_batch_is_refused_whole(sns, topic, entries, code, message):
    error = error_of(sns.publish_batch, TopicArn=topic, PublishBatchRequestEntries=entries)
    assert (error["Code"], error["Message"], error["Status"], error["Type"]) == (code, message, 400, "Sender")


def test_the_batch_size_counts_message_attributes(sns, topic):
    attributes = {"note": {"DataType": "String", "StringValue": "z" * 100}}
    entries = [{"Id": "a", "Message": "x" * 262_100, "MessageAttributes": attributes}]
    assert error_of(sns.publish_batch, TopicArn=topic, PublishBatchRequestEntries=entries)["Code"] == \
        "BatchRequestTooLong"
    entries = [{"Id": "a", "Message": "x" * 262_144}, {"Id": "b", "Message": "y"}]
    assert error_of(sns.publish_batch, TopicArn=topic, PublishBatchRequestEntries=entries)["Code"] == \
        "BatchRequestTooLong"
    answer = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": "a", "Message": "x" * 262_144}])
    assert [entry["Id"] for entry in answer["Successful"]] == ["a"] and answer["Failed"] == []


def test_a_missing_topic_is_not_found(sns, topic):
    error = error_of(sns.publish_batch, TopicArn=topic + "-gone", PublishBatchRequestEntries=_entries(1))
    assert (error["Code"], error["Message"], error["Status"]) == ("NotFound", "Topic does not exist", 404)


def test_entries_publish_refuses_fail_alone_and_the_others_are_delivered(server, sns, topic, unique):
    url, queue_arn = sns_queue(server, f"batch-{unique}")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    answer = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "first", "Message": "hello", "Subject": "greeting"},
        {"Id": "empty", "Message": ""},
        {"Id": "bad-attribute", "Message": "x", "MessageAttributes": {"a": {"DataType": "Text", "StringValue": "v"}}},
        {"Id": "bad-subject", "Message": "x", "Subject": "line\nbreak"},
        {"Id": "no-default", "Message": json.dumps({"sqs": "only"}), "MessageStructure": "json"},
        {"Id": "last", "Message": "bye"},
    ])
    assert [entry["Id"] for entry in answer["Successful"]] == ["first", "last"]
    assert answer["Failed"] == [
        {"Id": "empty", "Code": "InvalidParameter", "Message": "Invalid parameter: Empty message",
         "SenderFault": True},
        {"Id": "bad-attribute", "Code": "ParameterValueInvalid", "SenderFault": True,
         "Message": "The message attribute 'a' has an invalid message attribute type, the set of supported type "
                    "prefixes is Binary, Number, and String."},
        {"Id": "bad-subject", "Code": "InvalidParameter", "Message": "Invalid parameter: Subject",
         "SenderFault": True},
        {"Id": "no-default", "Code": "InvalidParameter", "SenderFault": True,
         "Message": "Invalid parameter: Message Structure - No default entry in JSON message body"},
    ]
    envelopes = [json.loads(message["Body"]) for message in received(server, url)]
    by_id = {envelope["MessageId"]: envelope for envelope in envelopes}
    first, last = (by_id[entry["MessageId"]] for entry in answer["Successful"])
    assert (first["Type"], first["TopicArn"], first["Subject"], first["Message"]) == (
        "Notification", topic, "greeting", "hello")
    assert (last["Message"], "Subject" in last, len(envelopes)) == ("bye", False, 2)


def test_each_entry_keeps_its_attributes_and_message_structure(server, sns, topic, unique):
    url, queue_arn = sns_queue(server, f"raw-{unique}")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={
        "RawMessageDelivery": "true", "FilterPolicy": json.dumps({"kind": ["wanted"]})})
    wanted = {"kind": {"DataType": "String", "StringValue": "wanted"}}
    answer = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "plain", "Message": "filtered out"},
        {"Id": "structured", "Message": json.dumps({"default": "for others", "sqs": "for queues"}),
         "MessageStructure": "json", "MessageAttributes": wanted},
        {"Id": "attributed", "Message": "with attributes",
         "MessageAttributes": {**wanted, "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}}},
    ])
    assert answer["Failed"] == [] and len({entry["MessageId"] for entry in answer["Successful"]}) == 3
    messages = sorted(received(server, url, MessageAttributeNames=["All"]), key=lambda message: message["Body"])
    assert [message["Body"] for message in messages] == ["for queues", "with attributes"]
    assert messages[1]["MessageAttributes"] == {
        "kind": {"DataType": "String", "StringValue": "wanted"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}}


def test_fifo_entries_need_group_ids_are_numbered_in_order_and_deduplicated(server, sns, unique):
    topic = sns.create_topic(Name=f"batch-{unique}.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    url, queue_arn = sns_queue(server, f"batch-{unique}.fifo", FifoQueue="true")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    error = error_of(sns.publish_batch, TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "a", "MessageGroupId": "g", "MessageDeduplicationId": "a"},
        {"Id": "b", "Message": "b", "MessageDeduplicationId": "b"}])
    assert (error["Code"], error["Message"], error["Status"]) == (
        "InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics", 400)
    error = error_of(sns.publish_batch, TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "a", "MessageGroupId": "g"}])
    assert (error["Code"], error["Message"]) == (
        "InvalidParameter", "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
                            "MessageDeduplicationId provided explicitly")
    assert received(server, url) == []  # nothing of a refused batch was delivered
    answer = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "one", "Message": "one", "MessageGroupId": "g", "MessageDeduplicationId": "d1"},
        {"Id": "again", "Message": "one again", "MessageGroupId": "g", "MessageDeduplicationId": "d1"},
        {"Id": "two", "Message": "two", "MessageGroupId": "g", "MessageDeduplicationId": "d2"},
    ])
    one, again, two = answer["Successful"]
    assert (again["MessageId"], again["SequenceNumber"]) == (one["MessageId"], one["SequenceNumber"])
    assert int(two["SequenceNumber"]) > int(one["SequenceNumber"]) and len(one["SequenceNumber"]) == 20
    later = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "repeat", "Message": "two", "MessageGroupId": "g", "MessageDeduplicationId": "d2"}])
    assert later["Successful"] == [{"Id": "repeat", **{key: two[key] for key in ("MessageId", "SequenceNumber")}}]
    messages = received(server, url, MessageSystemAttributeNames=["MessageGroupId", "MessageDeduplicationId"])
    assert [(m["Body"], m["Attributes"]["MessageDeduplicationId"]) for m in messages] == [("one", "d1"), ("two", "d2")]


def test_standard_topics_refuse_deduplication_ids_in_a_batch(sns, topic):
    error = error_of(sns.publish_batch, TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "a", "MessageDeduplicationId": "d"}])
    assert (error["Code"], error["Message"]) == (
        "InvalidParameter", "Invalid parameter: MessageDeduplicationId Reason: The request includes "
                            "MessageDeduplicationId parameter that is not valid for this topic type")


def test_publish_batch_is_authorized_as_sns_publish(server, sns, topic, unique):
    iam = server.client("iam")
    user = f"batcher-{unique}"
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    as_user = server.client_for(key, "sns")
    denied = error_of(as_user.publish_batch, TopicArn=topic, PublishBatchRequestEntries=_entries(1))
    assert (denied["Code"], denied["Status"]) == ("AuthorizationError", 403)
    assert f"is not authorized to perform: sns:Publish on resource: {topic}" in denied["Message"]
    iam.put_user_policy(UserName=user, PolicyName="publish", PolicyDocument=policy_text(
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": topic}))
    assert [entry["Id"] for entry in as_user.publish_batch(
        TopicArn=topic, PublishBatchRequestEntries=_entries(2))["Successful"]] == ["m0", "m1"]
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=policy_text(
        {"Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": topic}))
    assert error_of(sns.publish_batch, TopicArn=topic, PublishBatchRequestEntries=_entries(1))["Code"] == \
        "AuthorizationError"


def test_publish_batch_is_a_data_event_as_publish_is(server, sns, topic):
    sns.publish(TopicArn=topic, Message="single")
    sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=_entries(1))
    trail = server.client("cloudtrail")
    for name in ("Publish", "PublishBatch"):  # data events: never in Event history
        assert trail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName",
                                                      "AttributeValue": name}])["Events"] == []
    assert trail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName",
                                                  "AttributeValue": "CreateTopic"}])["Events"] != []


def test_the_aws_cli_publishes_a_batch(server, topic, unique):
    url, queue_arn = sns_queue(server, f"cli-{unique}")
    server.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                                   Attributes={"RawMessageDelivery": "true"})
    answer = server.cli_json("sns", "publish-batch", "--topic-arn", topic, "--publish-batch-request-entries",
                             "Id=one,Message=hello", "Id=two,Message=", "Id=three,Message=world")
    assert [entry["Id"] for entry in answer["Successful"]] == ["one", "three"]
    assert answer["Failed"] == [{"Id": "two", "Code": "InvalidParameter", "Message": "Invalid parameter: Empty message",
                                 "SenderFault": True}]
    assert sorted(message["Body"] for message in received(server, url)) == ["hello", "world"]
    refused = server.cli("sns", "publish-batch", "--topic-arn", topic, "--publish-batch-request-entries",
                         "Id=same,Message=a", "Id=same,Message=b", check=False)
    assert refused.returncode == 255  # the AWS CLI v1's exit status for a service error
    assert ("An error occurred (BatchEntryIdsNotDistinct) when calling the PublishBatch operation: Two or more batch "
            "entries in the request have the same Id.") in refused.stderr
