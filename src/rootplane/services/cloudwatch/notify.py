"""Alarm actions: AWS's alarm message published to SNS topics when an alarm changes state."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from importlib.resources import files
from typing import Any

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.services.cloudwatch.evaluation import aws_time
from rootplane.services.cloudwatch.tables import AlarmRow
from rootplane.services.sns import delivery as sns_delivery

__all__ = ["run_actions", "alarm_message", "subject", "region_name", "SERVICE_PRINCIPAL"]

SERVICE_PRINCIPAL = "cloudwatch.amazonaws.com"
_ACTIONS_OF_STATE = {"ALARM": "AlarmActions", "OK": "OKActions", "INSUFFICIENT_DATA": "InsufficientDataActions"}
_SUBJECT_MAX = 100  # SNS's limit on a subject


@lru_cache(maxsize=1)
def _region_names() -> dict[str, str]:
    data = json.loads((files("botocore") / "data" / "partitions.json").read_text(encoding="utf-8"))
    return {region: details.get("description", region)
            for partition in data["partitions"] for region, details in partition.get("regions", {}).items()}


def region_name(region: str) -> str:
    """A region's long name as alarm messages give it (``US East (N. Virginia)``)."""
    return _region_names().get(region, region)


def subject(alarm: AlarmRow) -> str:
    """``ALARM: "name" in US East (N. Virginia)``, cut to SNS's 100 characters."""
    return f'{alarm.state_value}: "{alarm.name}" in {region_name(alarm.region)}'[:_SUBJECT_MAX]


def alarm_message(alarm: AlarmRow, config: dict[str, Any], old_state: str) -> dict[str, Any]:
    """The JSON CloudWatch publishes for a state change of a metric alarm."""
    return {
        "AlarmName": alarm.name,
        "AlarmDescription": config.get("AlarmDescription"),
        "AWSAccountId": alarm.account_id,
        "AlarmConfigurationUpdatedTimestamp": aws_time(alarm.configuration_updated),
        "NewStateValue": alarm.state_value,
        "NewStateReason": alarm.state_reason,
        "StateChangeTime": aws_time(alarm.state_transitioned),
        "Region": region_name(alarm.region),
        "AlarmArn": alarm.arn,
        "OldStateValue": old_state,
        "OKActions": config.get("OKActions", []),
        "AlarmActions": config.get("AlarmActions", []),
        "InsufficientDataActions": config.get("InsufficientDataActions", []),
        "Trigger": {
            "MetricName": config["MetricName"],
            "Namespace": config["Namespace"],
            "StatisticType": "Statistic",
            "Statistic": config["Statistic"].upper(),
            "Unit": config.get("Unit"),
            "Dimensions": [{"value": item["Value"], "name": item["Name"]} for item in config.get("Dimensions", [])],
            "Period": config["Period"],
            "EvaluationPeriods": config["EvaluationPeriods"],
            **({"DatapointsToAlarm": config["DatapointsToAlarm"]} if config.get("DatapointsToAlarm") else {}),
            "ComparisonOperator": config["ComparisonOperator"],
            "Threshold": float(config["Threshold"]),
            # spelled as AWS's alarm messages spell it, label and padding included
            "TreatMissingData": f"- TreatMissingData:{' ' * 20}{config.get('TreatMissingData', 'missing')}",
            "EvaluateLowSampleCountPercentile": "",
        },
    }


def run_actions(session: Session, alarm: AlarmRow, old_state: str, now: datetime) -> list[tuple[str, str | None]]:
    """Run the actions of the alarm's new state: ``(action, None)`` when done, ``(action, error)`` when not."""
    config = json.loads(alarm.configuration)
    actions = config.get(_ACTIONS_OF_STATE[alarm.state_value], [])
    if not actions:
        return []
    text = json.dumps(alarm_message(alarm, config, old_state), separators=(",", ":"))
    outcomes: list[tuple[str, str | None]] = []
    for action in actions:
        if not action.startswith("arn:aws:sns:"):
            outcomes.append((action, f"rootplane runs only SNS alarm actions, not {action.split(':')[2]}"))
            continue
        try:
            sns_delivery.publish_from_service(session, action, text, now, SERVICE_PRINCIPAL, source_arn=alarm.arn,
                                              source_account=alarm.account_id, subject=subject(alarm),
                                              owner_publishes=True)
        except AwsError as error:
            outcomes.append((action, error.message))
        else:
            outcomes.append((action, None))
    return outcomes
