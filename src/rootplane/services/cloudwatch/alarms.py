"""Metric alarms: PutMetricAlarm's rules, the MetricAlarm answer, state changes with their history and actions."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.services.cloudwatch import notify
from rootplane.services.cloudwatch.evaluation import COMPARISONS, TREATMENTS
from rootplane.services.cloudwatch.statistics import STATISTICS
from rootplane.services.cloudwatch.tables import AlarmHistoryRow, AlarmRow

__all__ = ["alarm_arn", "check_configuration", "metric_alarm", "change_state", "record", "not_found", "CONFIG_KEYS",
           "ACTION_LISTS"]

# PutMetricAlarm members kept as the alarm's configuration (tags and ActionsEnabled live in their own columns).
CONFIG_KEYS = ("AlarmDescription", "OKActions", "AlarmActions", "InsufficientDataActions", "MetricName", "Namespace",
               "Statistic", "Dimensions", "Period", "Unit", "EvaluationPeriods", "DatapointsToAlarm", "Threshold",
               "ComparisonOperator", "TreatMissingData", "EvaluationWindow")
_PERIODS_SHORT = (10, 20, 30)
MAX_RANGE_SECONDS = 7 * 86400
MAX_SHORT_RANGE_SECONDS = 86400  # the evaluation range of alarms whose period is shorter than an hour
ACTION_LISTS = ("OKActions", "AlarmActions", "InsufficientDataActions")


def alarm_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:cloudwatch:{region}:{account_id}:alarm:{name}"


def not_found(name: str) -> AwsError:
    return AwsError("ResourceNotFound", f"Alarm {name} not found", 404)


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValueException", message, 400)


def _validation(message: str) -> AwsError:
    return AwsError("ValidationException", message, 400)


def _not_built(member: str) -> AwsError:
    return _invalid(f"rootplane evaluates alarms on one metric (MetricName, Namespace, Statistic); {member} is not "
                    "supported.")


def check_configuration(params: dict[str, Any]) -> dict[str, Any]:
    """The stored configuration of a PutMetricAlarm request, after AWS's checks (raises AwsError)."""
    for member in ("Metrics", "ThresholdMetricId", "ExtendedStatistic", "EvaluateLowSampleCountPercentile"):
        if params.get(member) is not None:
            raise _not_built(member)
    for member in ("MetricName", "Namespace", "Period", "Statistic"):
        if params.get(member) is None:
            raise AwsError("MissingRequiredParameterException", f"The parameter {member} is required.", 400)
    if params["Statistic"] not in STATISTICS:
        raise _invalid(f"The value {params['Statistic']} for parameter Statistic is invalid.")
    if params["ComparisonOperator"] not in COMPARISONS:
        raise _not_built(f"ComparisonOperator {params['ComparisonOperator']}")
    if params.get("Threshold") is None:
        raise _validation("Comparison operators other than LessThanLowerOrGreaterThanUpperThreshold, "
                          "LessThanLowerThreshold, and GreaterThanUpperThreshold require a Threshold value.")
    period = params["Period"]
    if period not in _PERIODS_SHORT and period % 60:
        raise _validation("Period must be 10, 20, 30 or a multiple of 60")
    if period < 3600 and period * params["EvaluationPeriods"] > MAX_SHORT_RANGE_SECONDS:
        raise _validation("Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be "
                          f"<= {MAX_SHORT_RANGE_SECONDS}).")
    if period * params["EvaluationPeriods"] > MAX_RANGE_SECONDS:
        raise _validation("The evaluation period (Period * EvaluationPeriods) must not exceed 7 days.")
    to_alarm = params.get("DatapointsToAlarm")
    if to_alarm is not None and to_alarm > params["EvaluationPeriods"]:
        raise _validation("DatapointsToAlarm must be less than or equal to EvaluationPeriods")
    treatment = params.get("TreatMissingData")
    if treatment is not None and treatment not in TREATMENTS:
        raise _validation(f"Invalid value for TreatMissingData: {treatment}. Valid values are: "
                          f"{', '.join(TREATMENTS)}")
    for key in ACTION_LISTS:
        for action in params.get(key) or ():
            if not action.startswith("arn:") or action.count(":") < 5:
                raise _validation(f"Invalid arn syntax: {action}")
    config = {key: params[key] for key in CONFIG_KEYS if params.get(key) is not None}
    config["Threshold"] = float(config["Threshold"])
    return config


def metric_alarm(alarm: AlarmRow) -> dict[str, Any]:
    """The MetricAlarm shape of an alarm."""
    config = json.loads(alarm.configuration)
    answer = {
        "AlarmName": alarm.name, "AlarmArn": alarm.arn, "AlarmConfigurationUpdatedTimestamp": alarm.configuration_updated,
        "ActionsEnabled": alarm.actions_enabled, "OKActions": [], "AlarmActions": [], "InsufficientDataActions": [],
        "StateValue": alarm.state_value, "StateReason": alarm.state_reason,
        "StateUpdatedTimestamp": alarm.state_updated, "StateTransitionedTimestamp": alarm.state_transitioned,
        "Dimensions": [],
    }
    if alarm.state_reason_data:
        answer["StateReasonData"] = alarm.state_reason_data
    answer.update(config)
    return answer


def record(session: Session, alarm: AlarmRow, item_type: str, summary: str, data: dict[str, Any],
           now: datetime) -> None:
    """One alarm history item."""
    session.add(AlarmHistoryRow(account_id=alarm.account_id, region=alarm.region, alarm_name=alarm.name,
                                alarm_type="MetricAlarm", timestamp=now, item_type=item_type, summary=summary,
                                data=json.dumps(data, separators=(",", ":"))))


def _state(value: str, reason: str, reason_data: str | None) -> dict[str, Any]:
    state: dict[str, Any] = {"stateValue": value, "stateReason": reason}
    if reason_data:
        state["stateReasonData"] = json.loads(reason_data)
    return state


def change_state(session: Session, alarm: AlarmRow, state: str, reason: str, reason_data: str | None,
                 now: datetime) -> None:
    """Move the alarm to ``state`` (a transition when it differs): history, then its actions when enabled."""
    old_state, old_reason, old_data = alarm.state_value, alarm.state_reason, alarm.state_reason_data
    alarm.state_value, alarm.state_reason, alarm.state_reason_data = state, reason, reason_data
    alarm.state_updated = now
    if state == old_state:
        return
    alarm.state_transitioned = now
    record(session, alarm, "StateUpdate", f"Alarm updated from {old_state} to {state}",
           {"version": "1.0", "oldState": _state(old_state, old_reason, old_data),
            "newState": _state(state, reason, reason_data)}, now)
    if alarm.actions_enabled:
        for action, error in notify.run_actions(session, alarm, old_state, now):
            if error is None:
                record(session, alarm, "Action", f"Successfully executed action {action}",
                       {"actionState": "Succeeded", "notificationResource": action, "stateUpdateTimestamp":
                        int(now.timestamp() * 1000)}, now)
            else:
                record(session, alarm, "Action", f"Failed to execute action {action}. Received error: \"{error}\"",
                       {"actionState": "Failed", "notificationResource": action, "stateUpdateTimestamp":
                        int(now.timestamp() * 1000), "error": error}, now)

