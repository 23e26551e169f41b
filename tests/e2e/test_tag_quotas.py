"""AWS's quota of 50 tags per resource (counted after merging with the resource's tags) for SQS queues, SNS
topics and EventBridge rules and buses, with each service's own error; a refused request stores nothing."""

from __future__ import annotations

import json

import pytest

from harness import error_of


def _tag_map(count: int, prefix: str = "k") -> dict[str, str]:
    return {f"{prefix}{index}": f"v{index}" for index in range(count)}


def _tag_list(count: int, prefix: str = "k") -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in _tag_map(count, prefix).items()]


@pytest.fixture(scope="module")
def sqs(server):
    return server.client("sqs")


@pytest.fixture(scope="module")
def sns(server):
    return server.client("sns")


# -- SQS -----------------------------------------------------------------------------------------------------------
def test_sqs_create_queue_with_51_tags(sqs, unique) -> None:
    name = f"q51-{unique}"
    assert error_of(sqs.create_queue, QueueName=name, tags=_tag_map(51)) == (
        "InvalidParameterValue", f"Too many tags added for queue {name}.", 400)
    assert error_of(sqs.get_queue_url, QueueName=name)[0] == "AWS.SimpleQueueService.NonExistentQueue"
    url = sqs.create_queue(QueueName=name, tags=_tag_map(50))["QueueUrl"]
    assert len(sqs.list_queue_tags(QueueUrl=url)["Tags"]) == 50


def test_sqs_tag_queue_counts_existing_tags(sqs, unique) -> None:
    name = f"qtag-{unique}"
    url = sqs.create_queue(QueueName=name, tags=_tag_map(30, "a"))["QueueUrl"]
    assert error_of(sqs.tag_queue, QueueUrl=url, Tags=_tag_map(21, "b")) == (
        "InvalidParameterValue", f"Too many tags added for queue {name}.", 400)
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == _tag_map(30, "a")
    sqs.tag_queue(QueueUrl=url, Tags={**_tag_map(10, "a"), **_tag_map(20, "b")})  # 10 replace: 50 in all
    assert len(sqs.list_queue_tags(QueueUrl=url)["Tags"]) == 50


def test_sqs_empty_tag_and_untag_requests(sqs, unique) -> None:
    url = sqs.create_queue(QueueName=f"qempty-{unique}", tags={"a": "1"})["QueueUrl"]
    assert error_of(sqs.tag_queue, QueueUrl=url, Tags={}) == (
        "MissingParameter", "The request must contain the parameter Tags.", 400)
    assert error_of(sqs.untag_queue, QueueUrl=url, TagKeys=[]) == (
        "InvalidParameterValue", "Tag keys must be between 1 and 128 characters in length.", 400)
    sqs.untag_queue(QueueUrl=url, TagKeys=["a", "absent"])
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)


def test_sqs_tag_quota_with_cli(server, sqs, unique) -> None:
    name = f"qcli-{unique}"
    url = sqs.create_queue(QueueName=name, tags=_tag_map(50))["QueueUrl"]
    result = server.cli("sqs", "tag-queue", "--queue-url", url, "--tags", "one-more=x", check=False)
    assert result.returncode != 0
    assert f"(InvalidParameterValue) when calling the TagQueue operation: Too many tags added for queue {name}." \
        in result.stderr


# -- SNS -----------------------------------------------------------------------------------------------------------
def test_sns_create_topic_with_51_tags(sns, unique) -> None:
    name = f"t51-{unique}"
    assert error_of(sns.create_topic, Name=name, Tags=_tag_list(51)) == (
        "TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded", 400)
    assert name not in json.dumps(sns.list_topics()["Topics"])
    arn = sns.create_topic(Name=name, Tags=_tag_list(50))["TopicArn"]
    assert len(sns.list_tags_for_resource(ResourceArn=arn)["Tags"]) == 50


def test_sns_tag_resource_counts_existing_tags(sns, unique) -> None:
    arn = sns.create_topic(Name=f"ttag-{unique}", Tags=_tag_list(30, "a"))["TopicArn"]
    assert error_of(sns.tag_resource, ResourceArn=arn, Tags=_tag_list(21, "b")) == (
        "TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded", 400)
    assert len(sns.list_tags_for_resource(ResourceArn=arn)["Tags"]) == 30
    sns.tag_resource(ResourceArn=arn, Tags=_tag_list(10, "a") + _tag_list(20, "b"))
    assert len(sns.list_tags_for_resource(ResourceArn=arn)["Tags"]) == 50
    sns.untag_resource(ResourceArn=arn, TagKeys=[f"b{index}" for index in range(20)])
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == _tag_list(30, "a")


def test_sns_create_existing_topic_with_other_tags(sns, unique) -> None:
    name = f"tsame-{unique}"
    arn = sns.create_topic(Name=name, Tags=[{"Key": "team", "Value": "a"}])["TopicArn"]
    assert sns.create_topic(Name=name, Tags=[{"Key": "team", "Value": "a"}])["TopicArn"] == arn
    assert sns.create_topic(Name=name)["TopicArn"] == arn
    assert error_of(sns.create_topic, Name=name, Tags=[{"Key": "team", "Value": "b"}]) == (
        "InvalidParameter", "Invalid parameter: Tags Reason: Topic already exists with different tags", 400)


def test_sns_tagging_a_missing_topic_is_resource_not_found(sns, unique) -> None:
    arn = f"arn:aws:sns:us-east-1:000000000000:missing-{unique}"
    expected = ("ResourceNotFound", "Resource does not exist", 404)
    assert error_of(sns.tag_resource, ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}]) == expected
    assert error_of(sns.untag_resource, ResourceArn=arn, TagKeys=["k"]) == expected
    assert error_of(sns.list_tags_for_resource, ResourceArn=arn) == expected
    assert error_of(sns.get_topic_attributes, TopicArn=arn) == ("NotFound", "Topic does not exist", 404)


def test_sns_tag_quota_with_cli(server, sns, unique) -> None:
    arn = sns.create_topic(Name=f"tcli-{unique}", Tags=_tag_list(50))["TopicArn"]
    result = server.cli("sns", "tag-resource", "--resource-arn", arn, "--tags", "Key=one-more,Value=x", check=False)
    assert result.returncode != 0
    assert "(TagLimitExceeded) when calling the TagResource operation: Could not complete request: tag quota of " \
        "per resource exceeded" in result.stderr


# -- EventBridge -----------------------------------------------------------------------------------------------------
_PATTERN = json.dumps({"source": ["my.app"]})
_LIMIT = ("LimitExceededException", "The requested resource exceeds the maximum number allowed.", 400)


@pytest.fixture(scope="module")
def events(server):
    return server.client("events")


def test_events_put_rule_with_51_tags(events, unique) -> None:
    name = f"r51-{unique}"
    assert error_of(events.put_rule, Name=name, EventPattern=_PATTERN, Tags=_tag_list(51)) == _LIMIT
    assert error_of(events.describe_rule, Name=name)[0] == "ResourceNotFoundException"
    arn = events.put_rule(Name=name, EventPattern=_PATTERN, Tags=_tag_list(50))["RuleArn"]
    assert len(events.list_tags_for_resource(ResourceARN=arn)["Tags"]) == 50
    # as on AWS, PutRule on an existing rule leaves its tags
    events.put_rule(Name=name, EventPattern=_PATTERN, Tags=[{"Key": "other", "Value": "x"}])
    assert len(events.list_tags_for_resource(ResourceARN=arn)["Tags"]) == 50


def test_events_tag_resource_counts_existing_tags(events, unique) -> None:
    bus = f"bus-{unique}"
    bus_arn = events.create_event_bus(Name=bus, Tags=_tag_list(30, "a"))["EventBusArn"]
    rule_arn = events.put_rule(Name="r", EventBusName=bus, EventPattern=_PATTERN, Tags=_tag_list(30, "a"))["RuleArn"]
    for arn in (bus_arn, rule_arn):
        events.tag_resource(ResourceARN=arn, Tags=_tag_list(20, "b"))
        assert error_of(events.tag_resource, ResourceARN=arn, Tags=[{"Key": "c", "Value": "x"}]) == _LIMIT
        events.untag_resource(ResourceARN=arn, TagKeys=["b0"])
        events.tag_resource(ResourceARN=arn, Tags=[{"Key": "c", "Value": "x"}])
        tags = {tag["Key"]: tag["Value"] for tag in events.list_tags_for_resource(ResourceARN=arn)["Tags"]}
        assert len(tags) == 50 and "b0" not in tags and tags["c"] == "x"
    assert error_of(events.create_event_bus, Name=f"bus51-{unique}", Tags=_tag_list(51)) == _LIMIT
    assert error_of(events.tag_resource, ResourceARN=rule_arn.replace("/r", "/absent"),
                    Tags=[{"Key": "c", "Value": "x"}])[::2] == ("ResourceNotFoundException", 400)


def test_events_tag_quota_with_cli(server, events, unique) -> None:
    arn = events.put_rule(Name=f"rcli-{unique}", EventPattern=_PATTERN, Tags=_tag_list(50))["RuleArn"]
    result = server.cli("events", "tag-resource", "--resource-arn", arn, "--tags", "Key=one-more,Value=x",
                        check=False)
    assert result.returncode != 0
    assert "(LimitExceededException) when calling the TagResource operation" in result.stderr
