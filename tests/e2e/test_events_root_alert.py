"""EventBridge rules and targets, and the knowledge-center recipe "notify me when my root user is used"."""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

ROOT_PATTERN = json.dumps({"detail-type": ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"],
                           "detail": {"userIdentity": {"type": ["Root"]}}})


def _queue(server, name: str, rule_arn: str | None = None, service: str = "events.amazonaws.com") -> tuple[str, str]:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    if rule_arn is not None:
        policy = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": service}, "Action": "sqs:SendMessage", "Resource": arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}}}]}
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    return url, arn


def _drain(server, url: str, wait: int = 1) -> list[str]:
    server.client("cloudtrail").lookup_events(MaxResults=1)  # flushes pending records and their deliveries
    sqs = server.client("sqs")
    bodies: list[str] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait).get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        wait = 0


def test_rule_lifecycle_and_validation(server, unique):
    events = server.client("events")
    arn = events.put_rule(Name=f"r-{unique}", EventPattern=ROOT_PATTERN)["RuleArn"]
    assert arn == f"arn:aws:events:us-east-1:000000000000:rule/r-{unique}"
    described = events.describe_rule(Name=f"r-{unique}")
    assert (described["State"], described["EventBusName"], described["EventPattern"]) == ("ENABLED", "default",
                                                                                           ROOT_PATTERN)
    assert f"r-{unique}" in [r["Name"] for r in events.list_rules(NamePrefix="r-")["Rules"]]
    with pytest.raises(ClientError) as caught:
        events.put_rule(Name=f"bad-{unique}", EventPattern='{"source": "aws.iam"}')
    error = caught.value.response["Error"]
    assert error["Code"] == "InvalidEventPatternException"
    assert error["Message"] == 'Event pattern is not valid. Reason: "source" must be an object or an array'
    with pytest.raises(ClientError) as caught:
        events.describe_rule(Name=f"missing-{unique}")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    events.put_targets(Rule=f"r-{unique}", Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:000000000000:x"}])
    with pytest.raises(ClientError) as caught:
        events.delete_rule(Name=f"r-{unique}")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert events.list_targets_by_rule(Rule=f"r-{unique}")["Targets"][0]["Id"] == "q"
    assert events.remove_targets(Rule=f"r-{unique}", Ids=["q"])["FailedEntryCount"] == 0
    events.delete_rule(Name=f"r-{unique}")
    events.put_rule(Name=f"s-{unique}", ScheduleExpression="rate(5 minutes)", State="DISABLED")
    assert events.describe_rule(Name=f"s-{unique}")["ScheduleExpression"] == "rate(5 minutes)"


def test_test_event_pattern_matches_for_real(server):
    events = server.client("events")
    event = json.dumps({"id": "1", "account": "000000000000", "source": "aws.iam", "time": "2024-01-01T00:00:00Z",
                        "region": "us-east-1", "resources": [], "detail-type": "AWS API Call via CloudTrail",
                        "detail": {"userIdentity": {"type": "Root"}, "eventName": "CreateUser"}})
    assert events.test_event_pattern(EventPattern=ROOT_PATTERN, Event=event)["Result"] is True
    other = json.dumps({"detail": {"eventName": [{"prefix": "Delete"}]}})
    assert events.test_event_pattern(EventPattern=other, Event=event)["Result"] is False
    with pytest.raises(ClientError) as caught:
        events.test_event_pattern(EventPattern='{"a": [{"numeric": [">", "x"]}]}', Event=event)
    assert caught.value.response["Error"]["Code"] == "InvalidEventPatternException"


def test_put_events_reach_sqs_with_input_transformer(server, unique):
    events = server.client("events")
    pattern = json.dumps({"source": ["my.app"], "detail": {"size": [{"numeric": [">", 10]}]}})
    rule_arn = events.put_rule(Name=f"app-{unique}", EventPattern=pattern)["RuleArn"]
    url, arn = _queue(server, f"app-{unique}", rule_arn)
    denied_url, denied_arn = _queue(server, f"nopolicy-{unique}")
    events.put_targets(Rule=f"app-{unique}", Targets=[
        {"Id": "t", "Arn": arn, "InputTransformer": {"InputPathsMap": {"size": "$.detail.size"},
                                                     "InputTemplate": '{"big": <size>, "note": "size <size>"}'}},
        {"Id": "denied", "Arn": denied_arn},
    ])
    result = events.put_events(Entries=[
        {"Source": "my.app", "DetailType": "t", "Detail": json.dumps({"size": 11})},
        {"Source": "my.app", "DetailType": "t", "Detail": json.dumps({"size": 3})},
        {"Source": "aws.iam", "DetailType": "t", "Detail": "{}"},
    ])
    assert result["FailedEntryCount"] == 1 and result["Entries"][2]["ErrorCode"] == "NotAuthorizedForSourceException"
    assert [json.loads(body) for body in _drain(server, url)] == [{"big": 11, "note": "size 11"}]
    assert _drain(server, denied_url, wait=0) == []


def test_root_alert_recipe_delivers_exactly_root_writes(server, unique):
    events, sns, iam = server.client("events"), server.client("sns"), server.client("iam")
    rule_arn = events.put_rule(Name=f"root-{unique}", EventPattern=ROOT_PATTERN)["RuleArn"]
    url, queue_arn = _queue(server, f"root-{unique}", rule_arn)
    topic = sns.create_topic(Name=f"root-{unique}")["TopicArn"]
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                                "Action": "sns:Publish", "Resource": topic}]}))
    email = f"sec-{unique}@example.com"
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=email)
    confirmation = server.get_json(f"/_rootplane/outbox?to={email}")[-1]["body"]
    token = re.search(r"Token=([0-9a-f]+)", confirmation).group(1)
    sns.confirm_subscription(TopicArn=topic, Token=token)
    events.put_targets(Rule=f"root-{unique}", Targets=[{"Id": "q", "Arn": queue_arn}, {"Id": "t", "Arn": topic}])
    _drain(server, url, wait=0)  # the setup calls above were root writes too
    before = len(server.get_json(f"/_rootplane/outbox?to={email}"))

    iam.create_user(UserName=f"alice-{unique}")                # root write: alert
    iam.list_users()                                           # root read: no alert (rule state ENABLED)
    key = iam.create_access_key(UserName=f"alice-{unique}")["AccessKey"]  # root write: alert
    iam.attach_user_policy(UserName=f"alice-{unique}", PolicyArn="arn:aws:iam::aws:policy/IAMFullAccess")  # alert
    alice = server.client_for(key, "iam")
    alice.create_group(GroupName=f"by-alice-{unique}")         # IAM-user write: no alert

    raw = _drain(server, url)
    assert all(body.startswith('{"version":"0","id":"') for body in raw)  # compact JSON, as EventBridge sends
    bodies = [json.loads(body) for body in raw]
    names = [body["detail"]["eventName"] for body in bodies]
    assert names == ["CreateUser", "CreateAccessKey", "AttachUserPolicy"]
    first = bodies[0]
    assert first["detail-type"] == "AWS API Call via CloudTrail" and first["source"] == "aws.iam"
    assert first["account"] == "000000000000" and first["region"] == "us-east-1"
    assert first["detail"]["userIdentity"]["type"] == "Root"
    assert key["SecretAccessKey"] not in json.dumps(bodies)
    mails = server.get_json(f"/_rootplane/outbox?to={email}")[before:]
    assert len(mails) == 3
    assert [json.loads(mail["body"].split("\n\n--\n")[0])["detail"]["eventName"] for mail in mails] == names
