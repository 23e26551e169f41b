"""CloudWatch metric alarms through real clients: the alarm API, IAM on alarm ARNs, and the background evaluator
driven by the --time-travel clock (moved past a period boundary, then DescribeAlarms polled with a deadline)."""

from __future__ import annotations

import json
import math

import pytest
from cloudwatch_helpers import (DELAY_SECONDS, PERIOD, alarm_of, evaluate_period_of, latest_datapoint, next_period,
                                notifications, topic_with_queue, wait_for_state)
from harness import error_of
from server_clock import ServerClock



def _alarm(cw, name: str, namespace: str, **overrides) -> None:
    params = {"AlarmName": name, "MetricName": "Errors", "Namespace": namespace, "Statistic": "Sum",
              "Period": PERIOD, "EvaluationPeriods": 1, "Threshold": 1.0,
              "ComparisonOperator": "GreaterThanOrEqualToThreshold", **overrides}
    cw.put_metric_alarm(**params)


def _topic_with_queue(server, name: str) -> tuple[str, str]:
    return topic_with_queue(server.client("sns"), server.client("sqs"), name)


def _notifications(server, url: str, count: int, deadline: float = 20.0) -> list[dict]:
    return notifications(server.client("sqs"), url, count, deadline)


def _put(server, clock: ServerClock, namespace: str, value: float, **datum) -> float:
    """Put one value and return the start of the period the server stamped it in."""
    cw = server.client("cloudwatch")
    cw.put_metric_data(Namespace=namespace, MetricData=[{"MetricName": "Errors", "Value": value, **datum}])
    return latest_datapoint(cw, clock, namespace, "Errors", datum.get("Dimensions", ()))


@pytest.fixture(scope="module")
def clock(server) -> ServerClock:
    return ServerClock(server)


def test_alarm_raises_and_delivers_aws_alarm_message(server, clock, unique):
    cw = server.client("cloudwatch")
    topic, url = _topic_with_queue(server, f"alarms-{unique}")
    namespace, name = f"Ops/{unique}", f"errors-{unique}"
    _alarm(cw, name, namespace, AlarmActions=[topic], OKActions=[topic], AlarmDescription="too many errors",
           Dimensions=[{"Name": "Service", "Value": "api"}])
    wait_for_state(cw, name, "INSUFFICIENT_DATA", "Insufficient Data: 1 datapoint was unknown.")
    stamped = _put(server, clock, namespace, 3.0, Dimensions=[{"Name": "Service", "Value": "api"}])
    evaluate_period_of(clock, stamped)
    alarm = wait_for_state(cw, name, "ALARM")
    assert alarm["StateReason"].startswith("Threshold Crossed: 1 out of the last 1 datapoints [3.0 (")
    assert alarm["StateReason"].endswith("was greater than or equal to the threshold (1.0) (minimum 1 datapoint "
                                         "for OK -> ALARM transition).")
    reason_data = json.loads(alarm["StateReasonData"])
    assert (reason_data["statistic"], reason_data["period"], reason_data["recentDatapoints"]) == ("Sum", 60, [3.0])
    [envelope] = _notifications(server, url, 1)
    assert envelope["Subject"] == f'ALARM: "{name}" in US East (N. Virginia)'
    message = json.loads(envelope["Message"])
    assert list(message) == ["AlarmName", "AlarmDescription", "AWSAccountId", "AlarmConfigurationUpdatedTimestamp",
                             "NewStateValue", "NewStateReason", "StateChangeTime", "Region", "AlarmArn",
                             "OldStateValue", "OKActions", "AlarmActions", "InsufficientDataActions", "Trigger"]
    assert message["AlarmName"] == name and message["AlarmDescription"] == "too many errors"
    assert (message["OldStateValue"], message["NewStateValue"]) == ("INSUFFICIENT_DATA", "ALARM")
    assert message["NewStateReason"] == alarm["StateReason"]
    assert message["AlarmArn"] == f"arn:aws:cloudwatch:us-east-1:000000000000:alarm:{name}" == alarm["AlarmArn"]
    assert message["Region"] == "US East (N. Virginia)" and message["AWSAccountId"] == "000000000000"
    assert message["StateChangeTime"].endswith("+0000") and message["AlarmActions"] == [topic]
    assert message["Trigger"] == {
        "MetricName": "Errors", "Namespace": namespace, "StatisticType": "Statistic", "Statistic": "SUM",
        "Unit": None, "Dimensions": [{"value": "api", "name": "Service"}], "Period": 60, "EvaluationPeriods": 1,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold", "Threshold": 1.0,
        # AWS's alarm messages spell it so (label and padding), and name DatapointsToAlarm only when it is set
        "TreatMissingData": "- TreatMissingData:                    missing", "EvaluateLowSampleCountPercentile": ""}
    # the next period has no data: with TreatMissingData=missing the alarm has nothing to go on
    next_period(clock)
    wait_for_state(cw, name, "INSUFFICIENT_DATA")
    assert _notifications(server, url, 1, deadline=2) == []  # no InsufficientDataActions
    history = cw.describe_alarm_history(AlarmName=name)["AlarmHistoryItems"]
    kinds = [item["HistoryItemType"] for item in history]
    assert kinds[-1] == "ConfigurationUpdate" and "StateUpdate" in kinds and "Action" in kinds
    summaries = [item["HistorySummary"] for item in history]
    assert "Alarm updated from INSUFFICIENT_DATA to ALARM" in summaries
    assert f"Successfully executed action {topic}" in summaries
    ascending = cw.describe_alarm_history(AlarmName=name, ScanBy="TimestampAscending",
                                          HistoryItemType="StateUpdate")["AlarmHistoryItems"]
    assert [item["HistorySummary"] for item in ascending][-1] == "Alarm updated from ALARM to INSUFFICIENT_DATA"


def test_not_breaching_data_keeps_the_alarm_ok_and_ok_actions_run(server, clock, unique):
    cw = server.client("cloudwatch")
    topic, url = _topic_with_queue(server, f"ok-{unique}")
    namespace, name = f"Ok/{unique}", f"quiet-{unique}"
    _alarm(cw, name, namespace, OKActions=[topic], TreatMissingData="notBreaching")
    next_period(clock)
    wait_for_state(cw, name, "OK", "treated as [NonBreaching]")
    [envelope] = _notifications(server, url, 1)
    assert envelope["Subject"] == f'OK: "{name}" in US East (N. Virginia)'
    assert json.loads(envelope["Message"])["OldStateValue"] == "INSUFFICIENT_DATA"
    evaluate_period_of(clock, _put(server, clock, namespace, 5.0))
    wait_for_state(cw, name, "ALARM", "[5.0 (")
    assert _notifications(server, url, 1, deadline=2) == []  # no AlarmActions
    next_period(clock)
    wait_for_state(cw, name, "OK", "treated as [NonBreaching]")
    [envelope] = _notifications(server, url, 1)
    assert json.loads(envelope["Message"])["OldStateValue"] == "ALARM"


def test_m_of_n_with_breaching_missing_data(server, clock, unique):
    cw = server.client("cloudwatch")
    namespace, name = f"Mn/{unique}", f"heartbeat-{unique}"
    _alarm(cw, name, namespace, EvaluationPeriods=3, DatapointsToAlarm=2, TreatMissingData="breaching",
           ComparisonOperator="LessThanThreshold", Statistic="SampleCount")
    next_period(clock)
    wait_for_state(cw, name, "ALARM", "3 missing datapoints were treated as [Breaching]")


def test_disabled_actions_change_state_without_notifying(server, clock, unique):
    cw = server.client("cloudwatch")
    topic, url = _topic_with_queue(server, f"off-{unique}")
    name = f"silent-{unique}"
    _alarm(cw, name, f"Off/{unique}", AlarmActions=[topic])
    # A new alarm is evaluated within a tick; a state set before that evaluation would be overridden by it (as on
    # AWS, where SetAlarmState lasts until the next evaluation): wait for it.
    wait_for_state(cw, name, "INSUFFICIENT_DATA")
    cw.disable_alarm_actions(AlarmNames=[name])
    assert alarm_of(cw, name)["ActionsEnabled"] is False
    cw.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="testing", StateReasonData='{"a": 1}')
    alarm = alarm_of(cw, name)
    assert (alarm["StateValue"], alarm["StateReason"]) == ("ALARM", "testing")
    assert _notifications(server, url, 1, deadline=2) == []
    cw.enable_alarm_actions(AlarmNames=[name])
    cw.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="back")
    cw.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="again")
    [envelope] = _notifications(server, url, 1)
    assert json.loads(envelope["Message"])["NewStateReason"] == "again"
    code, *_ = error_of(cw.set_alarm_state, AlarmName=name, StateValue="OK", StateReason="x", StateReasonData="{")
    assert code == "InvalidFormat"
    assert error_of(cw.set_alarm_state, AlarmName=f"none-{unique}", StateValue="OK", StateReason="x")[:3:2] == \
        ("ResourceNotFound", 404)


def test_describe_alarms_filters_pages_and_deletes(server, unique):
    cw = server.client("cloudwatch")
    namespace = f"Many/{unique}"
    for index in range(7):
        _alarm(cw, f"{unique}-{index}", namespace, AlarmActions=[f"arn:aws:sns:us-east-1:000000000000:t{index % 2}"])
    _alarm(cw, f"other-{unique}", namespace, MetricName="Other")
    pages = list(cw.get_paginator("describe_alarms").paginate(AlarmNamePrefix=unique, PaginationConfig={"PageSize": 3}))
    assert [len(page["MetricAlarms"]) for page in pages] == [3, 3, 1]
    assert [a["AlarmName"] for page in pages for a in page["MetricAlarms"]] == [f"{unique}-{i}" for i in range(7)]
    by_action = cw.describe_alarms(AlarmNamePrefix=unique, ActionPrefix="arn:aws:sns:us-east-1:000000000000:t1")
    assert [a["AlarmName"] for a in by_action["MetricAlarms"]] == [f"{unique}-{i}" for i in (1, 3, 5)]
    named = cw.describe_alarms(AlarmNames=[f"{unique}-2", f"{unique}-missing"])["MetricAlarms"]
    assert [a["AlarmName"] for a in named] == [f"{unique}-2"]
    assert cw.describe_alarms(AlarmNamePrefix=unique, AlarmTypes=["CompositeAlarm"])["MetricAlarms"] == []
    for_metric = cw.describe_alarms_for_metric(Namespace=namespace, MetricName="Other")["MetricAlarms"]
    assert [a["AlarmName"] for a in for_metric] == [f"other-{unique}"]
    assert cw.describe_alarms_for_metric(Namespace=namespace, MetricName="Errors", Period=300)["MetricAlarms"] == []
    code, *_ = error_of(cw.delete_alarms, AlarmNames=[f"{unique}-0", f"{unique}-nope"])
    assert code == "ResourceNotFound"
    assert cw.describe_alarms(AlarmNames=[f"{unique}-0"])["MetricAlarms"]  # nothing deleted
    cw.delete_alarms(AlarmNames=[f"{unique}-{i}" for i in range(7)])
    assert cw.describe_alarms(AlarmNamePrefix=unique)["MetricAlarms"] == []


def test_put_metric_alarm_follows_aws_rules(server, unique):
    cw = server.client("cloudwatch")
    namespace = f"Rules/{unique}"
    cases = [
        ({"Period": 45}, "ValidationError"),
        ({"DatapointsToAlarm": 3, "EvaluationPeriods": 2}, "ValidationError"),
        ({"TreatMissingData": "sometimes"}, "ValidationError"),
        ({"AlarmActions": ["not-an-arn"]}, "ValidationError"),
        ({"Statistic": "p99"}, "ValidationError"),
        ({"Period": 86400, "EvaluationPeriods": 8}, "ValidationError"),
    ]
    for overrides, expected in cases:
        code, *_ = error_of(_alarm, cw, f"bad-{unique}", namespace, **overrides)
        assert code == expected, overrides
    code, message, _ = error_of(cw.put_metric_alarm, AlarmName=f"bad-{unique}", EvaluationPeriods=1, Threshold=1.0,
                                ComparisonOperator="GreaterThanThreshold", Statistic="Sum", Period=60)
    assert code == "MissingParameter" and "MetricName" in message
    assert cw.describe_alarms(AlarmNamePrefix=f"bad-{unique}")["MetricAlarms"] == []


def test_alarms_with_periods_under_an_hour_evaluate_at_most_a_day(server, unique):
    """AWS's PutMetricAlarm reference: Period * EvaluationPeriods can't be more than 604,800 seconds, and for alarms
    with a period of less than one hour (3,600 seconds) not more than one day (86,400 seconds)."""
    cw = server.client("cloudwatch")
    namespace, name = f"Range/{unique}", f"range-{unique}"
    _alarm(cw, name, namespace, Period=60, EvaluationPeriods=1440)
    _alarm(cw, name, namespace, Period=3600, EvaluationPeriods=168)
    for period, periods in ((60, 1441), (1800, 49), (10, 8641)):
        code, message, status = error_of(_alarm, cw, name, namespace, Period=period, EvaluationPeriods=periods)
        assert (code, status) == ("ValidationError", 400) and "86400" in message, (period, periods)
    assert alarm_of(cw, name)["EvaluationPeriods"] == 168


def test_alarm_tags(server, unique):
    cw = server.client("cloudwatch")
    name = f"tagged-{unique}"
    _alarm(cw, name, f"Tags/{unique}", Tags=[{"Key": "team", "Value": "ops"}])
    arn = alarm_of(cw, name)["AlarmArn"]
    cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "env", "Value": "prod"}])
    cw.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "env", "Value": "prod"}]
    missing = arn + "-gone"
    assert error_of(cw.list_tags_for_resource, ResourceARN=missing)[::2] == ("ResourceNotFoundException", 404)
    code, *_ = error_of(cw.tag_resource, ResourceARN=arn,
                        Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert code == "LimitExceeded"


def test_alarm_operations_are_authorized_on_the_alarm_arn(server, unique):
    iam = server.client("iam")
    user = f"alarm-user-{unique}"
    iam.create_user(UserName=user)
    allowed = f"arn:aws:cloudwatch:us-east-1:000000000000:alarm:team-{unique}-*"
    iam.put_user_policy(UserName=user, PolicyName="alarms", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms",
                                           "cloudwatch:DescribeAlarms"], "Resource": allowed}]}))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    cw = server.client_for(key, "cloudwatch")
    _alarm(cw, f"team-{unique}-1", f"Authz/{unique}")
    code, message, status = error_of(_alarm, cw, f"else-{unique}", f"Authz/{unique}")
    assert (code, status) == ("AccessDenied", 403)
    assert f"cloudwatch:PutMetricAlarm on resource: arn:aws:cloudwatch:us-east-1:000000000000:alarm:else-{unique}" \
        in message
    assert [a["AlarmName"] for a in cw.describe_alarms(AlarmNames=[f"team-{unique}-1"])["MetricAlarms"]] == \
        [f"team-{unique}-1"]
    # without names DescribeAlarms reads every alarm: alarm:* (or *) must be allowed
    code, message, _ = error_of(cw.describe_alarms, AlarmNamePrefix=f"team-{unique}")
    assert code == "AccessDenied" and "arn:aws:cloudwatch:us-east-1:000000000000:alarm:*" in message
    assert error_of(cw.set_alarm_state, AlarmName=f"team-{unique}-1", StateValue="OK", StateReason="x")[0] == \
        "AccessDenied"
    cw.delete_alarms(AlarmNames=[f"team-{unique}-1"])


def test_aws_cli_describe_alarms(server, unique):
    name = f"cli-{unique}"
    _alarm(server.client("cloudwatch"), name, f"Cli/{unique}")
    answer = server.cli_json("cloudwatch", "describe-alarms", "--alarm-names", name)
    [alarm] = answer["MetricAlarms"]
    assert (alarm["AlarmName"], alarm["Namespace"], alarm["Threshold"]) == (name, f"Cli/{unique}", 1.0)
    assert alarm["StateValue"] in ("INSUFFICIENT_DATA",)


def test_evaluator_on_sqlite_and_postgresql(store_server, unique):
    """The evaluator's own transaction (due alarms locked SKIP LOCKED on PostgreSQL) changes state, writes history and
    publishes to SNS on both stores: a new alarm treating missing data as not breaching is OK at its first evaluation."""
    cw = store_server.client("cloudwatch")
    topic, url = _topic_with_queue(store_server, f"stores-{unique}")
    name = f"stores-{unique}"
    _alarm(cw, name, f"Stores/{unique}", OKActions=[topic], TreatMissingData="notBreaching")
    wait_for_state(cw, name, "OK", "treated as [NonBreaching]")
    [envelope] = _notifications(store_server, url, 1)
    assert json.loads(envelope["Message"])["NewStateValue"] == "OK"
    kinds = {item["HistoryItemType"] for item in cw.describe_alarm_history(AlarmName=name)["AlarmHistoryItems"]}
    assert kinds == {"ConfigurationUpdate", "StateUpdate", "Action"}


def test_sliding_window_is_the_default_and_a_wall_clock_window_waits_for_its_period(server, clock, unique):
    """Without EvaluationWindow an alarm slides: a breach counts at the next minute's evaluation whatever its period
    (the CIS root-usage alarm's 300 s included). A WallClockWindow alarm evaluates periods aligned on the clock, so the
    same breach counts only once its 5-minute period has ended (CloudWatch User Guide, "Alarm evaluation windows")."""
    cw = server.client("cloudwatch")
    namespace, sliding, wall = f"Win/{unique}", f"sliding-{unique}", f"wall-{unique}"
    boundary = math.ceil(clock.now() / 300) * 300
    clock.advance_to(boundary + 10)
    _alarm(cw, sliding, namespace, Period=300)
    _alarm(cw, wall, namespace, Period=300, EvaluationWindow={"WallClockWindow": {}})
    assert "EvaluationWindow" not in alarm_of(cw, sliding)
    assert alarm_of(cw, wall)["EvaluationWindow"] == {"WallClockWindow": {}}
    cw.put_metric_data(Namespace=namespace, MetricData=[{"MetricName": "Errors", "Value": 3.0}])
    clock.advance_to(boundary + 60 + DELAY_SECONDS + 1)
    reason = json.loads(wait_for_state(cw, sliding, "ALARM")["StateReasonData"])
    assert (reason["period"], reason["recentDatapoints"]) == (300, [3.0])
    assert alarm_of(cw, wall)["StateValue"] != "ALARM"
    clock.advance_to(boundary + 300 + DELAY_SECONDS + 1)
    wait_for_state(cw, wall, "ALARM")
