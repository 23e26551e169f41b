"""CloudTrail authorization facts: trail operations on the trail ARN; Event history and listings on ``*``.

A trail's ``CloudWatchLogsRoleArn`` (CreateTrail, UpdateTrail) is a role handed to CloudTrail: ``iam:PassRole``
with ``iam:PassedToService`` ``cloudtrail.amazonaws.com``.
"""

from __future__ import annotations

from typing import Any

from rootplane.authz.checks import AuthzCheck, pass_role

__all__ = ["checks", "trail_arn"]

# Operation -> the request member naming the trail (by name or ARN).
_TRAIL_MEMBER = {
    "CreateTrail": "Name", "GetTrail": "Name", "DeleteTrail": "Name", "StartLogging": "Name", "StopLogging": "Name",
    "GetTrailStatus": "Name", "UpdateTrail": "Name", "PutEventSelectors": "TrailName", "GetEventSelectors": "TrailName",
    "PutInsightSelectors": "TrailName", "GetInsightSelectors": "TrailName", "AddTags": "ResourceId",
    "RemoveTags": "ResourceId",
}


def trail_arn(region: str, account_id: str, name_or_arn: str) -> str:
    if name_or_arn.startswith("arn:"):
        return name_or_arn
    return f"arn:aws:cloudtrail:{region}:{account_id}:trail/{name_or_arn}"


def checks(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    action = f"cloudtrail:{operation}"
    member = _TRAIL_MEMBER.get(operation)
    if member is None or not params.get(member):
        return [AuthzCheck(action, "*", ctx.account_id)]
    arn = trail_arn(ctx.region, ctx.account_id, params[member])
    own = [AuthzCheck(action, arn, arn.split(":")[4] or ctx.account_id)]
    role = params.get("CloudWatchLogsRoleArn") if operation in ("CreateTrail", "UpdateTrail") else None
    return own + [pass_role(role, "cloudtrail.amazonaws.com", ctx.account_id)] if role else own
