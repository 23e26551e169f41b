"""Log groups, retention, tags and log streams."""

from __future__ import annotations

import json
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.logs import repo, tokens
from rootplane.services.logs.authz import group_arn, group_name, stream_arn
from rootplane.services.logs.ingest import epoch_ms
from rootplane.services.logs.lookup import (already_exists, group_of_request, invalid, require_group,
                                            require_group_arn, require_stream)
from rootplane.services.logs.tables import LogGroupRow, LogStreamRow
from rootplane.services.tagging import merged_tags

__all__ = ["GroupOperations", "RETENTION_DAYS"]

RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
                  3653)
DEFAULT_LIMIT = 50


def _listed(group: LogGroupRow, filter_count: int) -> repo.ListedGroup:
    return repo.ListedGroup(*(getattr(group, name) for name in repo.ListedGroup._fields[:-1]), filter_count)


def _group_shape(group: repo.ListedGroup) -> dict[str, Any]:
    shape: dict[str, Any] = {"logGroupName": group.name, "creationTime": group.created_at}
    if group.retention_days:
        shape["retentionInDays"] = group.retention_days
    shape.update(metricFilterCount=group.filter_count, arn=f"{group.arn}:*", storedBytes=group.stored_bytes or 0)
    if group.kms_key_id:
        shape["kmsKeyId"] = group.kms_key_id
    shape.update(logGroupClass=group.log_group_class, logGroupArn=group.arn,
                 deletionProtectionEnabled=bool(group.deletion_protection))
    return shape


def _pattern_shape(group: repo.ListedGroup) -> dict[str, Any]:
    """A group as DescribeLogGroups shows it to a logGroupNamePattern search: only its name, creation time and arn."""
    return {"logGroupName": group.name, "creationTime": group.created_at, "arn": f"{group.arn}:*"}


def _stream_shape(group: LogGroupRow, stream: LogStreamRow) -> dict[str, Any]:
    shape: dict[str, Any] = {"logStreamName": stream.name, "creationTime": stream.created_at}
    for member, value in (("firstEventTimestamp", stream.first_event_at), ("lastEventTimestamp", stream.last_event_at),
                          ("lastIngestionTime", stream.last_ingestion_at)):
        if value is not None:
            shape[member] = value
    shape.update(uploadSequenceToken=f"{stream.last_ingestion_at or stream.created_at:056d}",
                 arn=stream_arn(group.region, group.account_id, group.name, stream.name), storedBytes=0)
    return shape


def _tags(current: dict[str, str], added: dict[str, str], code: str) -> dict[str, str]:
    if any(key.startswith("aws:") for key in added):
        raise invalid("Tag keys beginning with 'aws:' are reserved.")
    return merged_tags(current, added, lambda: AwsError(code, "A resource can have no more than 50 tags.", 400))


class GroupOperations:
    # -- groups -------------------------------------------------------------------------------------------------
    def create_log_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["logGroupName"]
        exists = already_exists("The specified log group already exists")
        if repo.find_group(ctx.session, ctx.account_id, ctx.region, name) is not None:
            raise exists
        tags = _tags({}, params.get("tags") or {}, "InvalidParameterException")
        repo.put(ctx.session, LogGroupRow(
            arn=group_arn(ctx.region, ctx.account_id, name), account_id=ctx.account_id, region=ctx.region, name=name,
            created_at=epoch_ms(ctx.now()), kms_key_id=params.get("kmsKeyId"),
            log_group_class=params.get("logGroupClass") or "STANDARD", tags_json=json.dumps(tags), stored_bytes=0,
            deletion_protection=bool(params.get("deletionProtectionEnabled"))),
            conflict=exists)
        return {}

    def delete_log_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        repo.delete_group(ctx.session, _deletable(require_group(ctx, params["logGroupName"])))
        return {}

    def put_log_group_deletion_protection(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group_of_request(ctx, params).deletion_protection = params["deletionProtectionEnabled"]
        return {}

    def describe_log_groups(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        prefix, pattern = params.get("logGroupNamePrefix"), params.get("logGroupNamePattern")
        if prefix and pattern:
            raise invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
        if params.get("logGroupIdentifiers") and (prefix or pattern):
            raise invalid("logGroupIdentifiers cannot be combined with a name prefix or pattern.")
        after = tokens.decode(params.get("nextToken"))
        if after is not None and not isinstance(after, str):
            raise tokens.invalid_token()
        limit = params.get("limit") or DEFAULT_LIMIT
        names = [group_name(item) for item in params.get("logGroupIdentifiers") or ()] or None
        if prefix or pattern or names:
            found = repo.list_groups(ctx.session, ctx.account_id, ctx.region, prefix, after, limit + 1,
                                     pattern=pattern, names=names)
            counts = repo.count_filters(ctx.session, [row.arn for row in found])
            rows = [_listed(row, counts.get(row.arn, 0)) for row in found]
        else:  # every group: one prepared statement, its filters counted in it
            rows = repo.listed_groups(ctx.session, ctx.account_id, ctx.region, after, limit + 1)
        result: dict[str, Any] = {}
        if len(rows) > limit:
            rows = rows[:limit]
            result["nextToken"] = tokens.encode(rows[-1].name)
        shape = _pattern_shape if pattern else _group_shape
        result["logGroups"] = [shape(row) for row in rows]
        return result

    def put_retention_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        days = params["retentionInDays"]
        if days not in RETENTION_DAYS:
            raise invalid(f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy "
                          f"constraint: Member must satisfy enum value set: [{', '.join(map(str, RETENTION_DAYS))}]")
        require_group(ctx, params["logGroupName"]).retention_days = days
        return {}

    def delete_retention_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        require_group(ctx, params["logGroupName"]).retention_days = None
        return {}

    # -- tags ---------------------------------------------------------------------------------------------------
    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = require_group_arn(ctx, params["resourceArn"])
        group.tags_json = json.dumps(_tags(json.loads(group.tags_json), params["tags"], "TooManyTagsException"))
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = require_group_arn(ctx, params["resourceArn"])
        _untag(group, params["tagKeys"])
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"tags": json.loads(require_group_arn(ctx, params["resourceArn"]).tags_json)}

    def tag_log_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = require_group(ctx, params["logGroupName"])
        group.tags_json = json.dumps(_tags(json.loads(group.tags_json), params["tags"], "InvalidParameterException"))
        return {}

    def untag_log_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _untag(require_group(ctx, params["logGroupName"]), params["tags"])
        return {}

    def list_tags_log_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"tags": json.loads(require_group(ctx, params["logGroupName"]).tags_json)}

    # -- streams ------------------------------------------------------------------------------------------------
    def create_log_stream(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = require_group(ctx, params["logGroupName"])
        name = params["logStreamName"]
        exists = already_exists("The specified log stream already exists")
        if repo.find_stream(ctx.session, group.arn, name) is not None:
            raise exists
        repo.add_stream(ctx.session, group, name, epoch_ms(ctx.now()), conflict=exists)
        return {}

    def delete_log_stream(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = _deletable(require_group(ctx, params["logGroupName"]))
        stream = require_stream(ctx, group, params["logStreamName"])
        repo.delete_stream(ctx.session, group, stream)
        return {}

    def describe_log_streams(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = group_of_request(ctx, params)
        by_time = params.get("orderBy") == "LastEventTime"
        prefix = params.get("logStreamNamePrefix")
        if by_time and prefix:
            raise invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
        after = tokens.decode(params.get("nextToken"))
        if after is not None and not (isinstance(after, list) and len(after) == 2 and type(after[0]) is int
                                      and 0 <= after[0] <= tokens.MAX_POSITION and isinstance(after[1], str)):
            raise tokens.invalid_token()
        limit = params.get("limit") or DEFAULT_LIMIT
        rows = repo.list_streams(ctx.session, group.arn, prefix, by_time, bool(params.get("descending")),
                                 tuple(after) if after else None, limit + 1)
        result: dict[str, Any] = {}
        if len(rows) > limit:
            rows = rows[:limit]
            result["nextToken"] = tokens.encode([rows[-1].last_event_at or 0, rows[-1].name])
        result["logStreams"] = [_stream_shape(group, row) for row in rows]
        return result


def _deletable(group: LogGroupRow) -> LogGroupRow:
    """The group, unless deletion protection blocks deleting it or its streams."""
    if group.deletion_protection:
        raise AwsError("ValidationException", f"Log group {group.name} has deletion protection enabled. Disable "
                       "deletion protection before deleting it or its log streams.", 400)
    return group


def _untag(group: LogGroupRow, keys: list[str]) -> None:
    removed = set(keys)
    group.tags_json = json.dumps({k: v for k, v in json.loads(group.tags_json).items() if k not in removed})


