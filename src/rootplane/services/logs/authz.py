"""CloudWatch Logs authorization facts: ``logs:<Operation>`` on the resource ARNs AWS evaluates.

A log group's operations are checked on ``arn:aws:logs:<region>:<account>:log-group:<name>:log-stream:`` and a
stream's on ``...:log-group:<name>:log-stream:<stream>`` (what AWS's AccessDenied messages name), so the usual
policy resource ``arn:aws:logs:<region>:<account>:log-group:<name>:*`` covers both; account-wide reads
(DescribeLogGroups, DescribeMetricFilters without a group, TestMetricFilter) on ``...:log-group::log-stream:``;
the tagging operations on the ARN they are given.
"""

from __future__ import annotations

from typing import Any

from rootplane.authz.checks import AuthzCheck

__all__ = ["checks", "group_arn", "stream_arn", "group_name"]

_BY_RESOURCE_ARN = frozenset({"TagResource", "UntagResource", "ListTagsForResource"})
_STREAM_OPERATIONS = frozenset({"CreateLogStream", "DeleteLogStream", "PutLogEvents", "GetLogEvents"})


def group_arn(region: str, account_id: str, name: str) -> str:
    """The log group's ARN as ``logGroupArn`` reports it (no trailing ``:*``)."""
    return f"arn:aws:logs:{region}:{account_id}:log-group:{name}"


def stream_arn(region: str, account_id: str, group: str, stream: str) -> str:
    return f"{group_arn(region, account_id, group)}:log-stream:{stream}"


def group_name(identifier: str) -> str:
    """A group given by name or ARN (with or without ``:*``)."""
    if not identifier.startswith("arn:"):
        return identifier
    name = identifier.split(":log-group:", 1)[-1]
    return name[:-2] if name.endswith(":*") else name


def _identifier(params: dict[str, Any]) -> tuple[str, str] | None:
    """(account, group name) the request names, from logGroupName or logGroupIdentifier."""
    if params.get("logGroupName"):
        return "", params["logGroupName"]
    identifier = params.get("logGroupIdentifier")
    if not identifier:
        return None
    account = identifier.split(":")[4] if identifier.startswith("arn:") and identifier.count(":") >= 5 else ""
    return account, group_name(identifier)


def checks(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    action = f"logs:{operation}"
    if operation in _BY_RESOURCE_ARN:
        return [AuthzCheck(action, params.get("resourceArn") or "*", ctx.account_id)]
    found = _identifier(params)
    if found is None:
        return [AuthzCheck(action, f"arn:aws:logs:{ctx.region}:{ctx.account_id}:log-group::log-stream:",
                           ctx.account_id)]
    account = found[0] or ctx.account_id
    stream = params.get("logStreamName", "") if operation in _STREAM_OPERATIONS else ""
    return [AuthzCheck(action, stream_arn(ctx.region, account, found[1], stream), account)]
