"""CloudWatch Logs' errors and the lookups every operation family shares (a request's log group and stream)."""

from __future__ import annotations

from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.logs import repo
from rootplane.services.logs.authz import group_name
from rootplane.services.logs.tables import LogGroupRow, LogStreamRow

__all__ = ["invalid", "not_found", "already_exists", "require_group", "require_stream", "group_of_request",
           "require_group_arn"]


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message, 400)


def not_found(message: str) -> AwsError:
    return AwsError("ResourceNotFoundException", message, 400)


def already_exists(message: str) -> AwsError:
    return AwsError("ResourceAlreadyExistsException", message, 400)


def require_group(ctx: RequestContext, name: str) -> LogGroupRow:
    group = repo.find_group(ctx.session, ctx.account_id, ctx.region, name)
    if group is None:
        raise not_found("The specified log group does not exist.")
    return group


def group_of_request(ctx: RequestContext, params: dict[str, Any]) -> LogGroupRow:
    """The group a request names by ``logGroupName`` or ``logGroupIdentifier`` (exactly one of them)."""
    name, identifier = params.get("logGroupName"), params.get("logGroupIdentifier")
    if name and identifier:
        raise invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
    if not (name or identifier):
        raise invalid("Either logGroupName or logGroupIdentifier must be specified.")
    if identifier and identifier.startswith("arn:"):
        return require_group_arn(ctx, identifier)
    return require_group(ctx, name or group_name(identifier))


def require_group_arn(ctx: RequestContext, arn: str) -> LogGroupRow:
    """The caller's group an ARN names (``...:log-group:<name>``, optionally ``:*``)."""
    parts = arn.split(":", 6)
    if len(parts) < 7 or parts[:3] != ["arn", "aws", "logs"] or parts[5] != "log-group":
        raise invalid(f"Invalid ARN: {arn}")
    if parts[3] != ctx.region or parts[4] != ctx.account_id:
        raise not_found("The specified log group does not exist.")
    return require_group(ctx, group_name(arn))


def require_stream(ctx: RequestContext, group: LogGroupRow, name: str) -> LogStreamRow:
    stream = repo.find_stream(ctx.session, group.arn, name)
    if stream is None:
        raise not_found("The specified log stream does not exist.")
    return stream
