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
