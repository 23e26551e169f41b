"""Trails deliver their events to a CloudWatch Logs log group through a role CloudTrail assumes.

A trail with ``CloudWatchLogsLogGroupArn`` (``arn:aws:logs:<region>:<account>:log-group:<name>:*``, in the trail's
account and home region) and ``CloudWatchLogsRoleArn`` puts each record it logs (the CloudTrail record JSON) into the
stream ``<account>_CloudTrail_<region>`` of that group (an organization trail writes its member accounts' records
to ``<org-id>_<account>_CloudTrail_<region>``). Each delivery, like CreateTrail and UpdateTrail, checks that
the role's trust policy lets ``cloudtrail.amazonaws.com`` assume it and that the role's policies (with its
permissions boundary and the account's SCPs) allow ``logs:CreateLogStream`` and ``logs:PutLogEvents`` on the
stream; a refused or missing group or role becomes the trail's LatestCloudWatchLogsDeliveryError.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from sqlalchemy.orm import Session

from rootplane.authz.gather import source
from rootplane.authz.service_requests import decide_for_role_session, role_for_service
from rootplane.core.errors import AwsError
from rootplane.services.cloudtrail.tables import TrailRow

__all__ = ["check", "deliver", "stream_name"]

SERVICE = "cloudtrail.amazonaws.com"
_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
_BOTH = "You must specify a log group and a role ARN."


class _Refused(Exception):
    """Why CloudTrail cannot deliver: (exception code of CreateTrail/UpdateTrail, its message, status text)."""

    def __init__(self, code: str, message: str, status: str) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def stream_name(account_id: str, region: str, org_id: str | None = None) -> str:
    """``<account>_CloudTrail_<region>``; an organization trail's member accounts get ``<org-id>_`` in front."""
    return f"{org_id}_{account_id}_CloudTrail_{region}" if org_id else f"{account_id}_CloudTrail_{region}"


def _group(session: Session, trail: TrailRow) -> Any:
    arn = trail.cloud_watch_logs_group_arn or ""
    parts = arn.split(":")
    logs = source("rootplane.services.logs.api")
    if (len(parts) < 8 or parts[3] != trail.home_region or parts[4] != trail.account_id or parts[-1] != "*"
            or logs is None):
        raise _Refused("InvalidCloudWatchLogsLogGroupArnException",
                       "CloudTrail cannot validate the specified log group ARN.", "ResourceNotFoundException")
    group = logs.find_group_by_arn(session, arn)
    if group is None:
        raise _Refused("InvalidCloudWatchLogsLogGroupArnException",
                       "CloudTrail cannot validate the specified log group ARN.", "ResourceNotFoundException")
    return group


def _role(session: Session, trail: TrailRow) -> Any:
    role = role_for_service(session, SERVICE, trail.cloud_watch_logs_role_arn,
                            {"aws:SourceArn": trail.trail_arn, "aws:SourceAccount": trail.account_id})
    if role is None:
        raise _Refused("InvalidCloudWatchLogsRoleArnException",
                       "Access denied. Check the trust relationships for your role.", "AccessDeniedException")
    return role


def _role_allows(session: Session, role: Any, resource: str) -> bool:
    """Whether a CloudTrail session of ``role`` may create the stream and put events into it."""
    return all(decide_for_role_session(session, role, "CloudTrailSession", action, resource).allowed
               for action in _ACTIONS)


def _checked(session: Session, trail: TrailRow, streams: list[str]) -> Any:
    """The trail's log group, once its role is shown to let CloudTrail write ``streams`` (else :class:`_Refused`)."""
    group = _group(session, trail)
    role = _role(session, trail)
    for name in streams:
        if not _role_allows(session, role, f"{group.arn}:log-stream:{name}"):
            raise _Refused("InvalidCloudWatchLogsLogGroupArnException",
                           "Access denied. Check the permissions for your role.", "AccessDeniedException")
    return group


def check(session: Session, trail: TrailRow) -> None:
    """CreateTrail's and UpdateTrail's checks of the trail's log group and role (none when neither is set)."""
    group_arn, role_arn = trail.cloud_watch_logs_group_arn, trail.cloud_watch_logs_role_arn
    if not group_arn and not role_arn:
        return
    if not role_arn:
        raise AwsError("InvalidCloudWatchLogsRoleArnException", _BOTH, 400)
    if not group_arn:
        raise AwsError("InvalidCloudWatchLogsLogGroupArnException", _BOTH, 400)
    try:
        _checked(session, trail, [stream_name(trail.account_id, trail.home_region)])
    except _Refused as refused:
        raise AwsError(refused.code, refused.message, 400) from None


def _timestamp(record: dict[str, Any]) -> int:
    moment = _dt.datetime.strptime(record["eventTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=_dt.timezone.utc)
    return int(moment.timestamp() * 1000)


def deliver(session: Session, trail: TrailRow, groups: dict[tuple[str, str], list], org_id: str | None,
            now: _dt.datetime) -> None:
    """Put the records of one batch (grouped by (account, region)) into the trail's log group (``org_id``: the
    organization of an organization trail)."""
    streams = {(account, region): stream_name(account, region, org_id if account != trail.account_id else None)
               for account, region in groups}
    try:
        group = _checked(session, trail, list(streams.values()))
    except _Refused as refused:
        trail.latest_cloud_watch_logs_delivery_error = refused.status
        return
    logs = source("rootplane.services.logs.api")
    try:
        with session.begin_nested():  # a refusal leaves this trail's other deliveries (and other trails) alone
            for key, records in groups.items():
                events = [(_timestamp(record), json.dumps(record, separators=(",", ":"))) for record in records]
                logs.deliver(session, group, streams[key], events, now)
    except AwsError as refused:
        trail.latest_cloud_watch_logs_delivery_error = refused.code
        return
    trail.latest_cloud_watch_logs_delivery_time, trail.latest_cloud_watch_logs_delivery_error = now, None
