"""CloudTrail authorization facts: trail operations on the trail ARN; Event history and listings on ``*``.

A trail's ``CloudWatchLogsRoleArn`` (CreateTrail, UpdateTrail) is a role handed to CloudTrail: ``iam:PassRole``
with ``iam:PassedToService`` ``cloudtrail.amazonaws.com``. A CloudTrail delegated administrator's calls on its
organization's trails (the management account's) are decided by its own account's policies.
"""

from __future__ import annotations

from typing import Any

from rootplane.authz.checks import AuthzCheck, pass_role
from rootplane.services.cloudtrail.organization import administered

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


def _administers(ctx: Any, owner: str) -> bool:
    """The caller is a CloudTrail delegated administrator of the organization ``owner`` manages."""
    found = administered(ctx.session, ctx.account_id)
    return found is not None and found.owner == owner


def checks(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    action = f"cloudtrail:{operation}"
    member = _TRAIL_MEMBER.get(operation)
    if member is None or not params.get(member):
        return [AuthzCheck(action, "*", ctx.account_id)]
    arn = trail_arn(ctx.region, ctx.account_id, params[member])
    owner = arn.split(":")[4] or ctx.account_id
    if owner != ctx.account_id and _administers(ctx, owner):
        owner = ctx.account_id  # a delegated administrator acts on the organization's trails as its own account
    own = [AuthzCheck(action, arn, owner)]
    role = params.get("CloudWatchLogsRoleArn") if operation in ("CreateTrail", "UpdateTrail") else None
    return own + [pass_role(role, "cloudtrail.amazonaws.com", ctx.account_id)] if role else own
