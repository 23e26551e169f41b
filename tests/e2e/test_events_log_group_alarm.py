"""The root-activity alert through a log group, end to end: an EventBridge rule sends root API calls to a log group
(allowed by the account's CloudWatch Logs resource policy), a metric filter counts them, and an alarm on that metric
notifies an SNS topic. The alarm period is evaluated by moving the --time-travel clock past it."""

from __future__ import annotations

import json

import pytest

from cloudwatch_helpers import PERIOD, evaluate_period_of, latest_datapoint, notifications, topic_with_queue, \
    wait_for_state
from harness import BOOT_ACCOUNT, policy_document, start_server
from server_clock import ServerClock

REGION = "us-east-1"


@pytest.fixture(scope="module")
def server():
    running = start_server(args=("--time-travel",))
    yield running
    running.close()


def test_root_call_through_a_log_group_raises_the_alarm(server, unique):
    logs, events, cw = server.client("logs"), server.client("events"), server.client("cloudwatch")
    clock = ServerClock(server)
    group, namespace, alarm_name = f"/aws/events/root-{unique}", f"Sec/{unique}", f"root-{unique}"
    logs.create_log_group(logGroupName=group)
    logs.put_resource_policy(policyName=f"events-{unique}", policyDocument=policy_document({
        "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"arn:aws:logs:{REGION}:{BOOT_ACCOUNT}:log-group:/aws/events/*:*"}))
    logs.put_metric_filter(logGroupName=group, filterName="root", filterPattern='{ $.detail.userIdentity.type = "Root" }',
                           metricTransformations=[{"metricName": "RootActivity", "metricNamespace": namespace,
                                                   "metricValue": "1"}])
    topic, queue = topic_with_queue(server.client("sns"), server.client("sqs"), f"root-{unique}")
    cw.put_metric_alarm(AlarmName=alarm_name, MetricName="RootActivity", Namespace=namespace, Statistic="Sum",
                        Period=PERIOD, EvaluationPeriods=1, Threshold=1.0,
                        ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic],
                        TreatMissingData="notBreaching")
    events.put_rule(Name=f"root-{unique}", EventPattern=json.dumps({
        "detail-type": ["AWS API Call via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}))
    events.put_targets(Rule=f"root-{unique}", Targets=[
        {"Id": "log", "Arn": f"arn:aws:logs:{REGION}:{BOOT_ACCOUNT}:log-group:{group}"}])

    server.client("iam").create_user(UserName=f"root-made-{unique}")  # root activity
    server.client("cloudtrail").lookup_events(MaxResults=1)  # flushes the audit writer and its deliveries
    evaluate_period_of(clock, latest_datapoint(cw, clock, namespace, "RootActivity"))
    alarm = wait_for_state(cw, alarm_name, "ALARM")
    assert alarm["StateReason"].startswith("Threshold Crossed: 1 out of the last 1 datapoints [")
    [envelope] = notifications(server.client("sqs"), queue, 1)
    message = json.loads(envelope["Message"])
    assert (envelope["TopicArn"], message["AlarmName"], message["NewStateValue"]) == (topic, alarm_name, "ALARM")
