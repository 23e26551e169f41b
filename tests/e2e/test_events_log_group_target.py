"""EventBridge rules whose target is a CloudWatch Logs log group: each matching event becomes one log event (its JSON,
at the event's time) in a stream named by the event's id, only when a resource policy of the group's account lets
events.amazonaws.com create the stream and put the event; the group's metric filters then count it."""

from __future__ import annotations

import datetime as dt
import json
import time

from harness import BOOT_ACCOUNT, policy_document

REGION = "us-east-1"
ROOT_PATTERN = json.dumps({"detail-type": ["AWS API Call via CloudTrail"],
                           "detail": {"userIdentity": {"type": ["Root"]}}})


def _events_policy(resource: str, **condition) -> str:
    """The statement the EventBridge console puts (User Guide, "CloudWatch Logs permissions")."""
    statement = {"Sid": "TrustEventsToStoreLogEvent", "Effect": "Allow",
                 "Principal": {"Service": ["events.amazonaws.com", "delivery.logs.amazonaws.com"]},
                 "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return policy_document(statement)


def _group(server, name: str, region: str = REGION) -> str:
    server.client("logs", region=region).create_log_group(logGroupName=name)
    return f"arn:aws:logs:{region}:{BOOT_ACCOUNT}:log-group:{name}"


def _logged(server, group: str, count: int, region: str = REGION, deadline: float = 20.0) -> list[tuple[str, dict]]:
    """(stream, log event) of the group once it holds ``count`` events (polled until the deadline)."""
    logs = server.client("logs", region=region)
    end = time.monotonic() + deadline
    while True:
        server.client("cloudtrail").lookup_events(MaxResults=1)  # flushes the audit writer and its deliveries
        found = [(stream["logStreamName"], event)
                 for stream in logs.describe_log_streams(logGroupName=group)["logStreams"]
                 for event in logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"],
                                                  startFromHead=True)["events"]]
        if len(found) >= count or time.monotonic() > end:
            return found
        time.sleep(0.2)


def test_root_activity_reaches_a_log_group_and_its_metric_filter(server, unique):
    logs, events, iam = server.client("logs"), server.client("events"), server.client("iam")
    name = f"/aws/events/root-{unique}"
    group_arn = _group(server, name)
    logs.put_metric_filter(logGroupName=name, filterName="root", filterPattern='{ $.detail.userIdentity.type = "Root" }',
                           metricTransformations=[{"metricName": "RootActivity", "metricNamespace": f"Sec/{unique}",
                                                   "metricValue": "1"}])
    logs.put_resource_policy(policyName=f"events-{unique}", policyDocument=_events_policy(
        f"arn:aws:logs:{REGION}:{BOOT_ACCOUNT}:log-group:/aws/events/*:*"))
    events.put_rule(Name=f"root-{unique}", EventPattern=ROOT_PATTERN)
    events.put_targets(Rule=f"root-{unique}", Targets=[{"Id": "log", "Arn": f"{group_arn}:*"}])

    iam.create_user(UserName=f"bob-{unique}")  # root activity

    logged = _logged(server, name, 1)
    created = [(stream, event) for stream, event in logged
               if json.loads(event["message"])["detail"]["eventName"] == "CreateUser"]
    assert len(created) == 1
    stream, log_event = created[0]
    body = json.loads(log_event["message"])
    assert log_event["message"].startswith('{"version":"0","id":"')  # the event's JSON, as EventBridge sends it
    assert stream == body["id"]
    assert body["detail"]["requestParameters"]["userName"] == f"bob-{unique}"
    event_time = dt.datetime.strptime(body["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    assert log_event["timestamp"] == int(event_time.timestamp() * 1000)

    now = dt.datetime.now(dt.timezone.utc)
    points = server.client("cloudwatch").get_metric_statistics(
        Namespace=f"Sec/{unique}", MetricName="RootActivity", Period=3600, Statistics=["Sum"],
        StartTime=now - dt.timedelta(hours=2), EndTime=now + dt.timedelta(hours=1))["Datapoints"]
    assert sum(point["Sum"] for point in points) == len(logged) >= 1
    logs.delete_resource_policy(policyName=f"events-{unique}")  # the CLI test puts its own


def test_put_events_are_logged_at_their_time(server, unique):
    events = server.client("events")
    name = f"/aws/events/app-{unique}"
    group_arn = _group(server, name)
    server.client("logs").put_resource_policy(policyName=f"app-{unique}", policyDocument=_events_policy(
        f"arn:aws:logs:{REGION}:{BOOT_ACCOUNT}:log-group:/aws/events/app-{unique}:*"))
    events.put_rule(Name=f"app-{unique}", EventPattern=json.dumps({"source": [f"my.app.{unique}"]}))
    events.put_targets(Rule=f"app-{unique}", Targets=[{"Id": "log", "Arn": group_arn}])
    at = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(hours=3)
    entry = events.put_events(Entries=[{"Source": f"my.app.{unique}", "DetailType": "ping",
                                        "Detail": json.dumps({"n": 1}), "Time": at}])["Entries"][0]
    [(stream, log_event)] = _logged(server, name, 1)
    assert stream == entry["EventId"]
    assert log_event["timestamp"] == int(at.timestamp() * 1000)
    assert json.loads(log_event["message"])["detail"] == {"n": 1}


def test_no_resource_policy_allowing_events_means_nothing_is_logged(server, unique):
    region = "eu-west-2"  # this account's policies there are the test's alone
    events, logs = server.client("events", region=region), server.client("logs", region=region)
    prefix = f"arn:aws:logs:{region}:{BOOT_ACCOUNT}:log-group:"
    names = {"ok": f"/aws/events/both-ok-{unique}", "denied": f"/aws/events/both-denied-{unique}",
             "condition": f"/aws/events/cond-{unique}", "uncovered": f"/custom/x-{unique}"}
    arns = {key: _group(server, name, region) for key, name in names.items()}
    logs.put_resource_policy(policyName="other-rule", policyDocument=_events_policy(
        f"{prefix}/aws/events/*:*", ArnEquals={"aws:SourceArn": f"arn:aws:events:{region}:{BOOT_ACCOUNT}:rule/other"}))
    logs.put_resource_policy(policyName="both", policyDocument=_events_policy(f"{prefix}/aws/events/both-*:*"))
    logs.put_resource_policy(policyName="deny", policyDocument=policy_document({
        "Effect": "Deny", "Principal": {"Service": "events.amazonaws.com"}, "Action": "logs:*",
        "Resource": f"{prefix}/aws/events/both-denied-*"}))
    events.put_rule(Name=f"many-{unique}", EventPattern=json.dumps({"source": [f"many.{unique}"]}))
    events.put_targets(Rule=f"many-{unique}", Targets=[{"Id": key, "Arn": arn} for key, arn in arns.items()])
    events.put_events(Entries=[{"Source": f"many.{unique}", "DetailType": "x", "Detail": "{}"}])
    assert len(_logged(server, names["ok"], 1, region)) == 1
    for key in ("denied", "condition", "uncovered"):
        assert _logged(server, names[key], 1, region, deadline=0) == []


def test_a_log_groups_own_policy_lets_events_in(server, unique):
    events, logs = server.client("events"), server.client("logs")
    name = f"/custom/own-{unique}"  # no account-level policy covers it
    arn = _group(server, name)
    rule_arn = events.put_rule(Name=f"own-{unique}", EventPattern=json.dumps({"source": [f"own.{unique}"]}))["RuleArn"]
    events.put_targets(Rule=f"own-{unique}", Targets=[{"Id": "log", "Arn": arn}])
    events.put_events(Entries=[{"Source": f"own.{unique}", "DetailType": "x", "Detail": "{}"}])
    assert _logged(server, name, 1, deadline=0) == []
    logs.put_resource_policy(resourceArn=arn, policyDocument=_events_policy(
        f"{arn}:*", ArnEquals={"aws:SourceArn": rule_arn}))
    events.put_events(Entries=[{"Source": f"own.{unique}", "DetailType": "x", "Detail": "{}"}])
    assert len(_logged(server, name, 1)) == 1


def test_the_alert_set_up_with_the_cli(server, unique):
    name = f"/aws/events/cli-{unique}"
    server.cli("logs", "create-log-group", "--log-group-name", name)
    server.cli("logs", "put-resource-policy", "--policy-name", f"cli-{unique}", "--policy-document",
               _events_policy(f"arn:aws:logs:{REGION}:{BOOT_ACCOUNT}:log-group:/aws/events/cli-*:*"))
    server.cli("events", "put-rule", "--name", f"cli-{unique}", "--event-pattern", ROOT_PATTERN)
    server.cli("events", "put-targets", "--rule", f"cli-{unique}", "--targets",
               json.dumps([{"Id": "log", "Arn": f"arn:aws:logs:{REGION}:{BOOT_ACCOUNT}:log-group:{name}"}]))
    server.cli("iam", "create-user", "--user-name", f"cli-{unique}")  # root activity
    _logged(server, name, 1)
    found = server.cli_json("logs", "filter-log-events", "--log-group-name", name, "--filter-pattern",
                            '{ $.detail.eventName = "CreateUser" }')["events"]
    assert [json.loads(event["message"])["detail"]["requestParameters"]["userName"] for event in found] == [
        f"cli-{unique}"]
    server.cli("logs", "delete-resource-policy", "--policy-name", f"cli-{unique}")
