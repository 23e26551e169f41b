"""CloudWatch authorization facts: ``cloudwatch:<Action>`` on the alarm ARNs an operation names, else ``*``.

As the Service Authorization Reference lists them: alarm operations (PutMetricAlarm, DeleteAlarms, SetAlarmState,
Enable/DisableAlarmActions, DescribeAlarms and DescribeAlarmHistory of named alarms, tags) name each alarm, and
those reads without names ``alarm:*``; metric operations name ``*``, PutMetricData with the ``cloudwatch:namespace``
condition key.
"""

from __future__ import annotations

from typing import Any

from rootplane.authz.checks import AuthzCheck
from rootplane.services.cloudwatch.alarms import alarm_arn
from rootplane.services.tagging import tag_map

__all__ = ["checks"]

_ONE_ALARM = frozenset({"PutMetricAlarm", "SetAlarmState", "DescribeAlarmHistory"})
_EACH_ALARM = frozenset({"DeleteAlarms", "EnableAlarmActions", "DisableAlarmActions", "DescribeAlarms"})
# Reads over every alarm of the Region name them all (a policy on "alarm:*" allows them, as "*" does).
_ALL_ALARMS = frozenset({"DescribeAlarms", "DescribeAlarmHistory"})
_BY_ARN = frozenset({"TagResource", "UntagResource", "ListTagsForResource"})


def _request_tags(params: dict[str, Any]) -> dict[str, Any]:
    tags = tag_map(params.get("Tags"))
    context: dict[str, Any] = {f"aws:RequestTag/{key}": value for key, value in tags.items()}
    if tags:
        context["aws:TagKeys"] = list(tags)
    return context


def checks(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    action = f"cloudwatch:{operation}"
    account = ctx.account_id
    if operation in _ONE_ALARM and params.get("AlarmName"):
        arn = alarm_arn(ctx.region, account, params["AlarmName"])
        context = _request_tags(params) if operation == "PutMetricAlarm" else {}
        return [AuthzCheck(action, arn, account, context=context)]
    if operation in _EACH_ALARM and params.get("AlarmNames"):
        return [AuthzCheck(action, alarm_arn(ctx.region, account, name), account)
                for name in dict.fromkeys(params["AlarmNames"])]
    if operation in _ALL_ALARMS:
        return [AuthzCheck(action, alarm_arn(ctx.region, account, "*"), account)]
    if operation in _BY_ARN:
        context = _request_tags(params) if operation == "TagResource" else {}
        if operation == "UntagResource":
            context = {"aws:TagKeys": list(params.get("TagKeys") or ())}
        return [AuthzCheck(action, params["ResourceARN"], account, context=context)]
    if operation == "PutMetricData":
        return [AuthzCheck(action, "*", account, context={"cloudwatch:namespace": params.get("Namespace", "")})]
    return [AuthzCheck(action, "*", account)]
