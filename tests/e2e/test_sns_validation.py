"""SNS validation through boto3, message by message as AWS answers: resubscribing with other attributes, and the
other refusals of the topic and subscription API (SNS API reference; errors as AWS sends them)."""

from __future__ import annotations

import pytest

from orgs_helpers import error_of


@pytest.fixture(scope="module")
def sns(server):
    return server.client("sns")


def _invalid(error: dict, message: str) -> bool:
    return (error["Code"], error["Message"], error["Status"]) == ("InvalidParameter", message, 400)


def test_resubscribing_with_other_attributes_is_refused(sns, unique):
    arn = sns.create_topic(Name=f"resub-{unique}")["TopicArn"]
    endpoint = f"arn:aws:sqs:us-east-1:000000000000:resub-{unique}"
    first = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=endpoint,
                          Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
    # the same attributes, none, or a default the subscription already has: the same subscription
    assert sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=endpoint,
                         Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"] == first
    assert sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=endpoint)["SubscriptionArn"] == first
    assert sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=endpoint,
                         Attributes={"FilterPolicyScope": "MessageAttributes"})["SubscriptionArn"] == first
    for attributes in ({"RawMessageDelivery": "false"}, {"FilterPolicy": '{"a": ["b"]}'}):
        assert _invalid(error_of(sns.subscribe, TopicArn=arn, Protocol="sqs", Endpoint=endpoint, Attributes=attributes),
                        "Invalid parameter: Attributes Reason: Subscription already exists with different attributes")
    assert len(sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]) == 1


def test_effective_delivery_policy_is_compact_json(sns, unique):
    arn = sns.create_topic(Name=f"edp-{unique}")["TopicArn"]
    policy = sns.get_topic_attributes(TopicArn=arn)["Attributes"]["EffectiveDeliveryPolicy"]
    assert policy.startswith('{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,')
    assert " " not in policy.replace("; charset", ";charset")


@pytest.mark.parametrize("name, attribute, message", [
    ("a", {"DataType": "Foo", "StringValue": "x"},
     "The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, "
     "Number, and String."),
    ("a", {"DataType": "String", "BinaryValue": b"x"}, "The message attribute 'a' with type 'String' must use field 'String'."),
    ("a", {"DataType": "Binary", "StringValue": "x"}, "The message attribute 'a' with type 'Binary' must use field 'Binary'."),
    ("a", {"DataType": "Number", "StringValue": ""},
     "The message attribute 'a' must contain non-empty message attribute value for message attribute type 'Number'."),
    (".a", {"DataType": "String", "StringValue": "x"}, "Invalid message attribute name starting with character '.' was found."),
    ("a.", {"DataType": "String", "StringValue": "x"}, "Invalid message attribute name ending with character '.' was found."),
    ("a..b", {"DataType": "String", "StringValue": "x"}, "Message attribute name can not have successive '.' character."),
    ("a b", {"DataType": "String", "StringValue": "x"},
     "Invalid non-alphanumeric character '#x20' was found in the message attribute name. Can only include alphanumeric "
     "characters, hyphens, underscores, or dots."),
])
def test_publish_refuses_malformed_message_attributes(sns, unique, name, attribute, message):
    arn = sns.create_topic(Name=f"attrs-{unique}")["TopicArn"]
    error = error_of(sns.publish, TopicArn=arn, Message="m", MessageAttributes={name: attribute})
    assert (error["Code"], error["Message"], error["Status"]) == ("ParameterValueInvalid", message, 400)
    sns.publish(TopicArn=arn, Message="m", MessageAttributes={"a.b-c_1": {"DataType": "String.Custom", "StringValue": "x"}})


def test_http_endpoint_must_match_its_protocol(sns, unique):
    arn = sns.create_topic(Name=f"proto-{unique}")["TopicArn"]
    for protocol, endpoint in (("https", "http://example.com/hook"), ("http", "https://example.com/hook")):
        assert _invalid(error_of(sns.subscribe, TopicArn=arn, Protocol=protocol, Endpoint=endpoint),
                        "Invalid parameter: Endpoint must match the specified protocol")


@pytest.mark.parametrize("body, message", [
    ("not json", "Invalid parameter: Message Structure - JSON message body failed to parse"),
    ('["default"]', "Invalid parameter: Message Structure - JSON message body failed to parse"),
    ("null", "Invalid parameter: Message Structure - JSON message body failed to parse"),
    ('{"sqs": "only"}', "Invalid parameter: Message Structure - No default entry in JSON message body"),
    ('{"default": 5}', "Invalid parameter: Message Structure - No default entry in JSON message body"),
])
def test_a_json_message_structure_must_parse_and_have_a_string_default(sns, unique, body, message):
    """Publish API reference, JSON-specific constraints: a syntactically valid JSON object with a string "default";
    a key whose value is not a string is ignored."""
    arn = sns.create_topic(Name=f"structure-{unique}")["TopicArn"]
    assert _invalid(error_of(sns.publish, TopicArn=arn, Message=body, MessageStructure="json"), message)


def test_delivery_status_logging_attributes_are_kept(sns, unique):
    """CreateTopic / SetTopicAttributes: the delivery status attributes of each endpoint type (<Type>SuccessFeedback
    RoleArn, <Type>SuccessFeedbackSampleRate, <Type>FailureFeedbackRoleArn)."""
    role = "arn:aws:iam::000000000000:role/SNSDeliveryStatus"
    arn = sns.create_topic(Name=f"status-{unique}", Attributes={
        "SQSSuccessFeedbackRoleArn": role, "SQSSuccessFeedbackSampleRate": "50"})["TopicArn"]
    for kind in ("HTTP", "Lambda", "Firehose", "Application"):
        sns.set_topic_attributes(TopicArn=arn, AttributeName=f"{kind}FailureFeedbackRoleArn", AttributeValue=role)
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert (attributes["SQSSuccessFeedbackRoleArn"], attributes["SQSSuccessFeedbackSampleRate"]) == (role, "50")
    assert all(attributes[f"{kind}FailureFeedbackRoleArn"] == role for kind in ("HTTP", "Lambda", "Firehose",
                                                                                 "Application"))
