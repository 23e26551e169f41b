"""The CIS root-usage control end to end ("Ensure a log metric filter and alarm exist for usage of the root account"):
a trail delivers to a log group through a role, the CIS metric filter counts root calls, an alarm (Sum >= 1 over one
60-second period) notifies an SNS topic with an SQS subscriber (built by tests/e2e/cis_chain.py). An IAM user's
calls leave the alarm OK; a root API call raises ALARM and delivers AWS's alarm message, and so does a root console
sign-in (its ConsoleLogin record, signed in over HTTP by tests/e2e/console_http.py).

Everything but the root call is done by an administrator IAM user (created before the trail exists), so the only
root activity the trail sees is the call under test. The alarm period is evaluated by moving the --time-travel
clock past it."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from cis_chain import METRIC, REGION, root_usage_chain, stream_of
from cloudwatch_helpers import PERIOD, evaluate_period_of, latest_datapoint, notifications, wait_for_state
from console_http import sign_in_root
from harness import BOOT_ACCOUNT, iam_user_key, start_server
from server_clock import ServerClock

STREAM = stream_of(BOOT_ACCOUNT)
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
ROOT_EMAIL, ROOT_PASSWORD = "root@example.com", "Corr3ct-Horse!"


@pytest.fixture(scope="module")
def server():
    """The module's server, with a console password for the bootstrap root user."""
    running = start_server(args=("--time-travel", "--root-password", ROOT_PASSWORD))
    yield running
    running.close()


def _delivered(client, group: str, wanted, deadline: float = 20.0) -> dict:
    """The first CloudTrail record in the group's stream for which ``wanted(record)`` holds (polled)."""
    logs = client("logs")
    end = time.monotonic() + deadline
    while True:
        client("cloudtrail").lookup_events(MaxResults=1)  # waits for the audit writer and its deliveries
        streams = [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]]
        if STREAM in streams:
            events = logs.get_log_events(logGroupName=group, logStreamName=STREAM, startFromHead=True)["events"]
            found = [record for record in (json.loads(event["message"]) for event in events) if wanted(record)]
            if found:
                return found[0]
        assert time.monotonic() < end, "the record was not delivered to the log group"
        time.sleep(0.2)


def _epoch(event_time: str) -> float:
    return dt.datetime.strptime(event_time, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc).timestamp()


def test_root_call_raises_the_cis_alarm_and_iam_user_calls_do_not(server, unique):
    admin_key = iam_user_key(server, f"cis-admin-{unique}", ADMIN)  # root's last call before the trail exists

    def client(service: str):
        return server.client_for(admin_key, service)

    clock = ServerClock(server)
    chain = root_usage_chain(client, BOOT_ACCOUNT, unique)
    group, namespace, metric, alarm_name = chain.group, chain.namespace, METRIC, chain.alarm_name
    topic, queue, cw = chain.topic, chain.queue, client("cloudwatch")

    # An IAM user's call: delivered to the log group, not counted, the alarm is OK.
    client("iam").list_users()
    user_call = _delivered(client, group, lambda r: r["eventName"] == "ListUsers"
                           and r["userIdentity"]["type"] == "IAMUser")
    evaluate_period_of(clock, _epoch(user_call["eventTime"]))
    wait_for_state(cw, alarm_name, "OK", "treated as [NonBreaching]")
    now = clock.now()
    assert cw.get_metric_statistics(
        Namespace=namespace, MetricName=metric, Period=PERIOD, Statistics=["Sum"],
        StartTime=dt.datetime.fromtimestamp(now - 3600, dt.timezone.utc),
        EndTime=dt.datetime.fromtimestamp(now + 600, dt.timezone.utc))["Datapoints"] == []
    assert notifications(client("sqs"), queue, 1, deadline=2) == []

    # A root API call: counted by the metric filter, the alarm goes to ALARM and notifies the topic.
    server.client("iam").get_account_summary()
    root_call = _delivered(client, group, lambda r: r["eventName"] == "GetAccountSummary")
    assert root_call["userIdentity"]["type"] == "Root" and "invokedBy" not in root_call["userIdentity"]
    evaluate_period_of(clock, latest_datapoint(cw, clock, namespace, metric))
    alarm = wait_for_state(cw, alarm_name, "ALARM")
    assert alarm["StateReason"].startswith("Threshold Crossed: 1 out of the last 1 datapoints [1.0 (")
    [envelope] = notifications(client("sqs"), queue, 1)
    assert envelope["TopicArn"] == topic
    assert envelope["Subject"] == f'ALARM: "{alarm_name}" in US East (N. Virginia)'
    message = json.loads(envelope["Message"])
    assert (message["AlarmName"], message["OldStateValue"], message["NewStateValue"]) == (alarm_name, "OK", "ALARM")
    assert message["AlarmDescription"] == "CIS 4.3: usage of the root account"
    assert message["AWSAccountId"] == BOOT_ACCOUNT and message["Region"] == "US East (N. Virginia)"
    assert message["AlarmArn"] == f"arn:aws:cloudwatch:{REGION}:{BOOT_ACCOUNT}:alarm:{alarm_name}"
    assert message["NewStateReason"] == alarm["StateReason"]
    assert message["Trigger"] == {
        "MetricName": metric, "Namespace": namespace, "StatisticType": "Statistic", "Statistic": "SUM", "Unit": None,
        "Dimensions": [], "Period": PERIOD, "EvaluationPeriods": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "Threshold": 1.0, "TreatMissingData": "- TreatMissingData:                    notBreaching",
        "EvaluateLowSampleCountPercentile": ""}


def test_root_console_sign_in_raises_the_cis_alarm(server, unique):
    """A root console sign-in (over HTTP, the first one, with its forced MFA registration) is a ConsoleLogin record
    of userIdentity.type Root: delivered to the log group, the CIS filter counts it and the alarm notifies."""
    admin_key = iam_user_key(server, f"cis-console-{unique}", ADMIN)

    def client(service: str):
        return server.client_for(admin_key, service)

    clock = ServerClock(server)
    chain = root_usage_chain(client, BOOT_ACCOUNT, unique)
    cw = client("cloudwatch")

    sign_in_root(server, ROOT_EMAIL, ROOT_PASSWORD)
    login = _delivered(client, chain.group, lambda r: r["eventName"] == "ConsoleLogin")
    assert (login["userIdentity"]["type"], login["eventType"]) == ("Root", "AwsConsoleSignIn")
    assert login["responseElements"] == {"ConsoleLogin": "Success"}
    assert login["additionalEventData"]["MFAUsed"] == "Yes"
    evaluate_period_of(clock, latest_datapoint(cw, clock, chain.namespace, METRIC))
    alarm = wait_for_state(cw, chain.alarm_name, "ALARM")
    assert alarm["StateReason"].startswith("Threshold Crossed: 1 out of the last 1 datapoints [")
    [envelope] = notifications(client("sqs"), chain.queue, 1)
    assert envelope["Subject"] == f'ALARM: "{chain.alarm_name}" in US East (N. Virginia)'
