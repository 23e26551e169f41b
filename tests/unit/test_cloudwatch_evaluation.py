"""Alarm evaluation as AWS documents it ("Configuring how CloudWatch alarms treat missing data"): each case is an
evaluation range (oldest first, None = no data), the alarm's settings and the state it must lead to."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from rootplane.services.cloudwatch.evaluation import Point, evaluate
from rootplane.services.cloudwatch.statistics import Bucket, period_start, statistic_value

NOW = datetime(2026, 12, 5, 6, 43, 0, 500000, tzinfo=timezone.utc)
START = datetime(2026, 12, 5, 6, 40, tzinfo=timezone.utc)


def _points(*values: float | None) -> list[Point]:
    return [Point(START + timedelta(minutes=i), value, 1.0 if value is not None else 0.0)
            for i, value in enumerate(values)]


def _config(**overrides) -> dict:
    return {"Statistic": "Sum", "Period": 60, "Threshold": 1.0, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            **overrides}


# (values, settings, current state, expected state or None for "keeps its state")
CASES = [
    ((1.0,), {}, "OK", "ALARM"),
    ((0.0,), {}, "ALARM", "OK"),
    ((None,), {}, "OK", "INSUFFICIENT_DATA"),
    ((None,), {"TreatMissingData": "notBreaching"}, "ALARM", "OK"),
    ((None,), {"TreatMissingData": "breaching"}, "OK", "ALARM"),
    ((None,), {"TreatMissingData": "ignore"}, "ALARM", None),
    # 2 of 3: two breaching periods raise the alarm, one does not
    ((5.0, 0.0, 5.0), {"DatapointsToAlarm": 2}, "OK", "ALARM"),
    ((5.0, 0.0, 0.0), {"DatapointsToAlarm": 2}, "ALARM", "OK"),
    # missing periods count as breaching only with "breaching"
    ((5.0, None, None), {"DatapointsToAlarm": 2}, "OK", "OK"),
    ((5.0, None, None), {"DatapointsToAlarm": 2, "TreatMissingData": "breaching"}, "OK", "ALARM"),
    ((5.0, None, None), {"DatapointsToAlarm": 2, "TreatMissingData": "notBreaching"}, "ALARM", "OK"),
    # all periods must breach without DatapointsToAlarm
    ((5.0, 5.0, 0.0), {}, "OK", "OK"),
    ((5.0, 5.0, 5.0), {}, "OK", "ALARM"),
    # the comparison operators
    ((1.0,), {"ComparisonOperator": "GreaterThanThreshold"}, "ALARM", "OK"),
    ((0.5,), {"ComparisonOperator": "LessThanThreshold"}, "OK", "ALARM"),
    ((1.0,), {"ComparisonOperator": "LessThanOrEqualToThreshold"}, "OK", "ALARM"),
]


@pytest.mark.parametrize(("values", "settings", "state", "expected"), CASES)
def test_state_of_an_evaluation_range(values, settings, state, expected) -> None:
    outcome = evaluate(_config(**settings), _points(*values), state, NOW)
    assert (outcome.state if outcome else None) == expected


def test_reason_and_reason_data_are_aws_worded() -> None:
    outcome = evaluate(_config(), _points(3.0), "OK", NOW)
    assert outcome.reason == ("Threshold Crossed: 1 out of the last 1 datapoints [3.0 (05/12/26 06:40:00)] was "
                              "greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM "
                              "transition).")
    assert outcome.reason_data == {
        "version": "1.0", "queryDate": "2026-12-05T06:43:00.500+0000", "startDate": "2026-12-05T06:40:00.000+0000",
        "statistic": "Sum", "period": 60, "recentDatapoints": [3.0], "threshold": 1.0,
        "evaluatedDatapoints": [{"timestamp": "2026-12-05T06:40:00.000+0000", "sampleCount": 1.0, "value": 3.0}]}
    two = evaluate(_config(DatapointsToAlarm=2, ComparisonOperator="GreaterThanThreshold"), _points(5.0, 0.0, 6.0),
                   "OK", NOW)
    assert two.reason == ("Threshold Crossed: 2 out of the last 3 datapoints [6.0 (05/12/26 06:42:00), 5.0 "
                          "(05/12/26 06:40:00)] were greater than the threshold (1.0) (minimum 2 datapoints for OK -> "
                          "ALARM transition).")
    assert evaluate(_config(), _points(None, None), "OK", NOW).reason == "Insufficient Data: 2 datapoints were unknown."


def test_periods_are_aligned_and_statistics_computed() -> None:
    assert period_start(datetime(2026, 12, 5, 6, 41, 59, tzinfo=timezone.utc), 60) == \
        datetime(2026, 12, 5, 6, 41, tzinfo=timezone.utc)
    assert period_start(datetime(2026, 12, 5, 6, 41, 59, tzinfo=timezone.utc), 300) == \
        datetime(2026, 12, 5, 6, 40, tzinfo=timezone.utc)
    bucket = Bucket(START, sample_count=4, total=10.0, minimum=1.0, maximum=4.0, unit="Count")
    assert [statistic_value(bucket, s) for s in ("SampleCount", "Sum", "Minimum", "Maximum", "Average")] == \
        [4, 10.0, 1.0, 4.0, 2.5]
