"""IAM policies on EventBridge rules and buses: rule ARNs, events:source / events:detail-type / events:TargetArn."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"


def _user(server, name: str, statements: list[dict]) -> dict:
    iam = server.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}


def _denied(call) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    return error["Message"]


def test_put_rule_limited_to_sources_and_rule_names(server, unique):
    rule_arn = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/iam-{unique}*"
    creds = _user(server, f"ev-{unique}", [{
        "Effect": "Allow", "Action": "events:PutRule", "Resource": rule_arn,
        "Condition": {"ForAllValues:StringEquals": {"events:source": ["aws.iam"]}, "Null": {"events:source": "false"}},
    }, {"Effect": "Allow", "Action": "events:DescribeRule", "Resource": rule_arn}])
    events = server.client_for(creds, "events")
    allowed = json.dumps({"source": ["aws.iam"], "detail-type": ["AWS API Call via CloudTrail"]})
    arn = events.put_rule(Name=f"iam-{unique}", EventPattern=allowed)["RuleArn"]
    assert arn == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/iam-{unique}"
    assert events.describe_rule(Name=f"iam-{unique}")["Arn"] == arn
    message = _denied(lambda: events.put_rule(Name=f"iam-{unique}-2", EventPattern=json.dumps({"source": ["aws.s3"]})))
    assert f"events:PutRule on resource: arn:aws:events:us-east-1:{ACCOUNT}:rule/iam-{unique}-2" in message
    _denied(lambda: events.put_rule(Name=f"iam-{unique}-3", EventPattern=json.dumps({"detail-type": ["x"]})))
    _denied(lambda: events.put_rule(Name=f"other-{unique}", EventPattern=allowed))


def test_rules_on_custom_bus_and_target_arn_condition(server, unique):
    root = server.client("events")
    bus = f"bus-{unique}"
    root.create_event_bus(Name=bus)
    root.put_rule(Name="r", EventBusName=bus, EventPattern=json.dumps({"source": ["app"]}))
    allowed_queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:ok-{unique}"
    creds = _user(server, f"tg-{unique}", [{
        "Effect": "Allow", "Action": "events:PutTargets",
        "Resource": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{bus}/*",
        "Condition": {"ForAllValues:ArnEquals": {"events:TargetArn": [allowed_queue]}},
    }, {"Effect": "Allow", "Action": "events:ListTargetsByRule", "Resource": "*"}])
    events = server.client_for(creds, "events")
    events.put_targets(Rule="r", EventBusName=bus, Targets=[{"Id": "a", "Arn": allowed_queue}])
    _denied(lambda: events.put_targets(Rule="r", EventBusName=bus,
                                       Targets=[{"Id": "b", "Arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:other"}]))
    assert [t["Id"] for t in events.list_targets_by_rule(Rule="r", EventBusName=bus)["Targets"]] == ["a"]


def test_put_events_on_bus_with_source_condition(server, unique):
    creds = _user(server, f"pe-{unique}", [{
        "Effect": "Allow", "Action": "events:PutEvents",
        "Resource": f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default",
        "Condition": {"StringEquals": {"events:source": "com.example"}},
    }])
    events = server.client_for(creds, "events")
    result = events.put_events(Entries=[{"Source": "com.example", "DetailType": "t", "Detail": "{}"}])
    assert result["FailedEntryCount"] == 0
    _denied(lambda: events.put_events(Entries=[{"Source": "com.other", "DetailType": "t", "Detail": "{}"}]))
