"""CloudTrail operations: Event history (LookupEvents) and trails."""

from __future__ import annotations

import datetime as _dt
import json
import re
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.cloudtrail import digests, history, logs_delivery, organization, repo, selectors
from rootplane.services.cloudtrail.authz import trail_arn
from rootplane.services.cloudtrail.delivery import check_bucket
from rootplane.services.cloudtrail.lookup import encode_token, parse_lookup
from rootplane.services.cloudtrail.tables import TrailRow
from rootplane.services.cloudtrail.encryption import check_key
from rootplane.services.cloudtrail.topics import check_topic, topic_arn
from rootplane.services.context import RequestContext
from rootplane.services.provider import Provider
from rootplane.services.tagging import MAX_TAGS_PER_RESOURCE

__all__ = ["CloudTrailProvider", "PROVIDER"]

_TRAIL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{1,126}[A-Za-z0-9]$")
_ADJACENT_SEPARATORS = re.compile(r"[._-]{2}")  # "my-_namespace and my--namespace are invalid"
_IP_ADDRESS = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")  # InvalidTrailNameException: "Not be in IP address format"
# UpdateTrail's members -> the trail's columns ("" clears an optional one: AWS's way to stop CloudWatch Logs delivery).
_UPDATABLE = {
    "S3BucketName": "s3_bucket_name", "S3KeyPrefix": "s3_key_prefix", "SnsTopicName": "sns_topic_name",
    "IncludeGlobalServiceEvents": "include_global_service_events", "IsMultiRegionTrail": "is_multi_region",
    "EnableLogFileValidation": "log_file_validation", "KmsKeyId": "kms_key_id",
    "IsOrganizationTrail": "is_organization_trail", "CloudWatchLogsLogGroupArn": "cloud_watch_logs_group_arn",
    "CloudWatchLogsRoleArn": "cloud_watch_logs_role_arn",
}
# GetTrailStatus's times given as text (the others are timestamps, answered only once they happen).
_STATUS_TEXTS = ("LatestDeliveryAttemptTime", "LatestNotificationAttemptTime", "LatestNotificationAttemptSucceeded",
                 "LatestDeliveryAttemptSucceeded", "TimeLoggingStarted", "TimeLoggingStopped")


def _event_shape(row: repo.ListedEvent) -> dict[str, Any]:
    return {
        "EventId": row.event_id, "EventName": row.event_name, "ReadOnly": "true" if row.read_only else "false",
        "AccessKeyId": row.access_key_id, "EventTime": row.event_time.replace(microsecond=0),  # the record's second
        "EventSource": row.event_source, "Username": row.username,
        "Resources": [{"ResourceType": kind, "ResourceName": name} for kind, name in json.loads(row.resources)],
        "CloudTrailEvent": row.record,
    }


def _status_text(moment: _dt.datetime) -> str:
    """GetTrailStatus's time strings (TimeLoggingStarted...): ``2015-11-06T18:36:38Z``."""
    return moment.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_name(name: str) -> None:
    if not _TRAIL_NAME.match(name) or _IP_ADDRESS.match(name) or _ADJACENT_SEPARATORS.search(name):
        raise AwsError("InvalidTrailNameException",
                       "Trail name must starts with a letter or number, end with a letter or number, be between 3 "
                       "and 128 characters, have no adjacent periods, underscores or dashes and contain only "
                       "ASCII letters, numbers, periods, underscores and dashes.", 400)


def _tags(pairs: list[dict[str, str]] | None, current: dict[str, str | None] | None = None) -> dict[str, str | None]:
    """A trail's tags after adding ``pairs`` (a tag's Value is optional), within CloudTrail's 50 per trail."""
    tags = {**(current or {}), **{pair["Key"]: pair.get("Value") for pair in pairs or ()}}
    if len(tags) > MAX_TAGS_PER_RESOURCE:
        raise AwsError("TagsLimitExceededException", "The number of tags per trail, event data store, or channel has "
                       f"exceeded the permitted amount. Currently, the limit is {MAX_TAGS_PER_RESOURCE}.", 400)
    return tags


def _tag_list(tags: dict[str, str | None]) -> list[dict[str, str]]:
    return [{"Key": key} if value is None else {"Key": key, "Value": value} for key, value in tags.items()]


def _check_global_events(trail: TrailRow) -> None:
    """A multi-Region trail logs global service events (AWS's answer to CreateTrail/UpdateTrail otherwise)."""
    if trail.is_multi_region and not trail.include_global_service_events:
        raise AwsError("InvalidParameterCombinationException", "Multi-Region trail must include global service events.",
                       400)


def _trail_shape(trail: TrailRow | repo.ListedTrail, with_region: bool = True) -> dict[str, Any]:
    shape: dict[str, Any] = {"Name": trail.name, "S3BucketName": trail.s3_bucket_name}
    if trail.s3_key_prefix:
        shape["S3KeyPrefix"] = trail.s3_key_prefix
    if trail.sns_topic_name:
        shape.update(SnsTopicName=trail.sns_topic_name, SnsTopicARN=topic_arn(trail))
    shape.update(IncludeGlobalServiceEvents=trail.include_global_service_events,
                 IsMultiRegionTrail=trail.is_multi_region)
    if with_region:
        shape["HomeRegion"] = trail.home_region
    shape.update(TrailARN=trail.trail_arn, LogFileValidationEnabled=trail.log_file_validation)
    if trail.cloud_watch_logs_group_arn:
        shape.update(CloudWatchLogsLogGroupArn=trail.cloud_watch_logs_group_arn,
                     CloudWatchLogsRoleArn=trail.cloud_watch_logs_role_arn)
    if trail.kms_key_id:
        shape["KmsKeyId"] = trail.kms_key_id
    if with_region:
        shape.update(HasCustomEventSelectors=trail.event_selectors is not None,
                     HasInsightSelectors=trail.insight_selectors is not None)
    shape["IsOrganizationTrail"] = trail.is_organization_trail
    return shape


class CloudTrailProvider(Provider):
    service_name = "cloudtrail"
    waiting_operations = frozenset({"LookupEvents"})  # flushes the audit writer before reading
    write_operations = frozenset({"ListPublicKeys"})  # a Region's first signing key is made when first asked for

    # -- Event history -------------------------------------------------------------------------------------------
    def lookup_events(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        query = parse_lookup(params, ctx.now(), _dt.timedelta(days=ctx.config.trail_retention_days))
        if query.insight:
            return {"Events": []}
        with history.reading(ctx.session) as session:
            rows = repo.list_events(session, ctx.account_id, ctx.region, attribute=query.attribute,
                                    start=query.start, end=query.end, after=query.after, limit=query.limit + 1)
        result: dict[str, Any] = {"Events": [_event_shape(row) for row in rows[:query.limit]]}
        if len(rows) > query.limit:
            last = rows[query.limit - 1]
            result["NextToken"] = encode_token(repo.Cursor(last.event_time, last.event_id), query.fingerprint)
        return result

    # -- trails --------------------------------------------------------------------------------------------------
    def _require_trail(self, ctx: RequestContext, name: str, *, home: bool = False) -> TrailRow:
        """The trail of a name or ARN; ``home``: for an operation only the trail's home region may call (those
        whose model lists InvalidHomeRegionException: they cannot change a shadow trail)."""
        trail = repo.find_trail(ctx.session, ctx.account_id, name, ctx.region) or self._administered_trail(ctx, name)
        if trail is None:
            arn = name if name.startswith("arn:") else trail_arn(ctx.region, ctx.account_id, name)
            raise AwsError("TrailNotFoundException", f"Unknown trail: {arn} for the user: {ctx.account_id}", 400)
        if home and trail.home_region != ctx.region:
            raise AwsError("InvalidHomeRegionException",
                           f"This operation must be called from the trail's home region, {trail.home_region}.", 400)
        return trail

    @staticmethod
    def _administered_trail(ctx: RequestContext, name: str) -> TrailRow | None:
        """An organization trail another account (the management account) owns, named by its ARN, when the caller
        administers that organization's trails (CloudTrail User Guide, "Organization delegated administrator")."""
        owner = name.split(":")[4] if name.startswith("arn:") and name.count(":") >= 5 else ctx.account_id
        if owner == ctx.account_id:
            return None
        trail = repo.find_trail(ctx.session, owner, name, ctx.region)
        admin = organization.administered(ctx.session, ctx.account_id) if trail is not None else None
        return trail if trail is not None and trail.is_organization_trail and admin is not None \
            and admin.owner == owner else None

    @staticmethod
    def _organization(ctx: RequestContext, organization_trail: bool) -> organization.Administered | None:
        """The organization of an organization trail, and its owner (the management account)."""
        return organization.trail_organization(ctx.session, ctx.account_id) if organization_trail else None

    def create_trail(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["Name"]
        _check_name(name)
        org = self._organization(ctx, params.get("IsOrganizationTrail", False))
        owner = org.owner if org is not None else ctx.account_id  # a delegated admin's trail is the management's
        if repo.find_trail(ctx.session, owner, name, ctx.region) is not None:
            raise AwsError("TrailAlreadyExistsException", f"Trail {name} already exists for customer: {owner}", 400)
        trail = TrailRow(
            trail_arn=trail_arn(ctx.region, owner, name), account_id=owner, name=name, home_region=ctx.region,
            s3_bucket_name=params["S3BucketName"], s3_key_prefix=params.get("S3KeyPrefix"),
            sns_topic_name=params.get("SnsTopicName"),
            include_global_service_events=params.get("IncludeGlobalServiceEvents", True),
            is_multi_region=params.get("IsMultiRegionTrail", False),
            is_organization_trail=params.get("IsOrganizationTrail", False),
            log_file_validation=params.get("EnableLogFileValidation", False), kms_key_id=params.get("KmsKeyId"),
            is_logging=False, created_at=ctx.now(), tags_json=json.dumps(_tags(params.get("TagsList"))),
            cloud_watch_logs_group_arn=params.get("CloudWatchLogsLogGroupArn") or None,
            cloud_watch_logs_role_arn=params.get("CloudWatchLogsRoleArn") or None,
        )
        _check_global_events(trail)
        check_bucket(ctx.session, trail, org.org_id if org is not None else None)
        logs_delivery.check(ctx.session, trail)
        check_topic(ctx.session, trail)
        check_key(ctx.session, trail, ctx.now())
        repo.put_trail(ctx.session, trail)
        ctx.audit["resources"] = [{"type": "AWS::CloudTrail::Trail", "name": trail.trail_arn,
                                   "arn": trail.trail_arn}]
        return _trail_shape(trail, with_region=False)

    def update_trail(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        trail = self._require_trail(ctx, params["Name"], home=True)
        if "S3BucketName" in params and not params["S3BucketName"]:
            raise AwsError("InvalidS3BucketNameException", "S3 bucket name cannot be empty.", 400)
        for member, column in _UPDATABLE.items():
            if member in params:
                setattr(trail, column, params[member] if params[member] != "" else None)
        _check_global_events(trail)
        if "S3BucketName" in params or "S3KeyPrefix" in params or "IsOrganizationTrail" in params:
            org = self._organization(ctx, trail.is_organization_trail)
            check_bucket(ctx.session, trail, org.org_id if org is not None else None)
        if "CloudWatchLogsLogGroupArn" in params or "CloudWatchLogsRoleArn" in params:
            logs_delivery.check(ctx.session, trail)
        if "SnsTopicName" in params:
            check_topic(ctx.session, trail)
        if "KmsKeyId" in params or "S3BucketName" in params:
            check_key(ctx.session, trail, ctx.now())
        return _trail_shape(trail, with_region=False)

    def get_trail(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"Trail": _trail_shape(self._require_trail(ctx, params["Name"]))}

    def describe_trails(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        names = params.get("trailNameList")
        shadows = params.get("includeShadowTrails", True)
        trails = self._visible_trails(ctx)
        wanted = set(names or ())
        # A name finds a trail as this region sees it; an ARN finds one of any region (AWS: "To return information
        # about a trail in another Region, you must specify its trail ARN").
        trails = [t for t in trails if t.trail_arn in wanted or ((not wanted or t.name in wanted) and (
            t.home_region == ctx.region or (shadows and t.is_multi_region)))]
        return {"trailList": [_trail_shape(t) for t in trails]}

    @staticmethod
    def _visible_trails(ctx: RequestContext) -> list[repo.ListedTrail]:
        """The account's trails, then its organization's trails when a member account sees them (CloudTrail User
        Guide, "Creating a trail for an organization": member accounts see the organization trail)."""
        trails = repo.list_trails(ctx.session, ctx.account_id)
        owner = organization.management_of(ctx.session, ctx.account_id)
        if owner is not None and owner != ctx.account_id:
            trails += [t for t in repo.list_trails(ctx.session, owner) if t.is_organization_trail]
        return trails

    def list_trails(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        trails = self._visible_trails(ctx)
        return {"Trails": [{"TrailARN": t.trail_arn, "Name": t.name, "HomeRegion": t.home_region} for t in trails]}

    def delete_trail(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        trail = self._require_trail(ctx, params["Name"], home=True)
        digests.delete_chains(ctx.session, trail.trail_arn)
        repo.delete_trail(ctx.session, trail)
        return {}

    def start_logging(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        trail = self._require_trail(ctx, params["Name"], home=True)
        if not trail.is_logging:
            trail.is_logging, trail.started_at = True, ctx.now()
        return {}

    def stop_logging(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        trail = self._require_trail(ctx, params["Name"], home=True)
        if trail.is_logging:
            trail.is_logging, trail.stopped_at = False, ctx.now()
        return {}

    def get_trail_status(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        trail = self._require_trail(ctx, params["Name"])
        # The times given as text are always answered, "" until they happen (CloudTrail User Guide's examples).
        status: dict[str, Any] = {"IsLogging": trail.is_logging, **dict.fromkeys(_STATUS_TEXTS, "")}
        if trail.started_at:
            status.update(StartLoggingTime=trail.started_at, TimeLoggingStarted=_status_text(trail.started_at))
        if trail.stopped_at:
            status.update(StopLoggingTime=trail.stopped_at, TimeLoggingStopped=_status_text(trail.stopped_at))
        if trail.latest_delivery_time:
            status["LatestDeliveryTime"] = trail.latest_delivery_time
        if trail.latest_delivery_attempt:
            attempt = _status_text(trail.latest_delivery_attempt)
            status["LatestDeliveryAttemptTime"] = attempt
            status["LatestDeliveryAttemptSucceeded"] = "" if trail.latest_delivery_error else attempt
        if trail.latest_delivery_error:
            status["LatestDeliveryError"] = trail.latest_delivery_error
        if trail.latest_digest_delivery_time:
            status["LatestDigestDeliveryTime"] = trail.latest_digest_delivery_time
        if trail.latest_digest_delivery_error:
            status["LatestDigestDeliveryError"] = trail.latest_digest_delivery_error
        if trail.latest_cloud_watch_logs_delivery_time:
            status["LatestCloudWatchLogsDeliveryTime"] = trail.latest_cloud_watch_logs_delivery_time
        if trail.latest_cloud_watch_logs_delivery_error:
            status["LatestCloudWatchLogsDeliveryError"] = trail.latest_cloud_watch_logs_delivery_error
        return status

    def list_public_keys(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """The Region's digest signing keys valid in the time range (the current one when none is given)."""
        now = ctx.now()
        start, end = params.get("StartTime") or now, params.get("EndTime") or now
        if start > end:
            raise AwsError("InvalidTimeRangeException", "Occurs if the timestamp values are not valid. Either the "
                           "start time occurs after the end time, or the time range is outside the range of possible "
                           "values.", 400)
        return {"PublicKeyList": digests.public_keys(ctx.session, ctx.region, start, end, now)}

    def put_event_selectors(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        trail = self._require_trail(ctx, params["TrailName"], home=True)
        chosen = selectors.checked(params)
        trail.event_selectors = json.dumps(chosen)
        return {"TrailARN": trail.trail_arn, **chosen}

    def get_event_selectors(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        trail = self._require_trail(ctx, params["TrailName"])
        return {"TrailARN": trail.trail_arn, **selectors.stored(trail.event_selectors)}

    def _insight_trail(self, ctx: RequestContext, params: dict[str, Any], *, home: bool = False) -> TrailRow:
        """The trail of an Insights request (event data stores, the other target, are not served)."""
        if not params.get("TrailName"):
            raise AwsError("InvalidParameterCombinationException",
                           "You must specify either a trail name or an event data store.", 400)
        return self._require_trail(ctx, params["TrailName"], home=home)

    def put_insight_selectors(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        trail = self._insight_trail(ctx, params, home=True)
        chosen = params.get("InsightSelectors") or []
        trail.insight_selectors = json.dumps(chosen) if chosen else None
        return {"TrailARN": trail.trail_arn, "InsightSelectors": chosen}

    def get_insight_selectors(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        trail = self._insight_trail(ctx, params)
        if trail.insight_selectors is None:
            raise AwsError("InsightNotEnabledException",
                           f"Trail {trail.trail_arn} does not have Insights enabled.", 400)
        return {"TrailARN": trail.trail_arn, "InsightSelectors": json.loads(trail.insight_selectors)}

    # ------------------------------------------------------------------------------- delegated administrators
    def register_organization_delegated_admin(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        organization.register(ctx.session, ctx.account_id, params["MemberAccountId"], ctx.now())
        return {}

    def deregister_organization_delegated_admin(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        organization.deregister(ctx.session, ctx.account_id, params["DelegatedAdminAccountId"])
        return {}

    # -------------------------------------------------------------------------------------------------- tags
    @staticmethod
    def _tagged_trail(ctx: RequestContext, resource_id: str) -> TrailRow:
        """The trail a tagging request names by ARN."""
        if not resource_id.startswith("arn:"):
            raise AwsError("CloudTrailARNInvalidException", f"Invalid trail ARN: {resource_id}", 400)
        trail = repo.find_trail(ctx.session, ctx.account_id, resource_id, ctx.region) or \
            CloudTrailProvider._administered_trail(ctx, resource_id)
        if trail is None:
            raise AwsError("ResourceNotFoundException", f"Resource {resource_id} not found.", 400)
        return trail

    def add_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        trail = self._tagged_trail(ctx, params["ResourceId"])
        trail.tags_json = json.dumps(_tags(params.get("TagsList"), json.loads(trail.tags_json)))
        return {}

    def remove_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        trail = self._tagged_trail(ctx, params["ResourceId"])
        removed = {pair["Key"] for pair in params.get("TagsList") or ()}
        trail.tags_json = json.dumps({k: v for k, v in json.loads(trail.tags_json).items() if k not in removed})
        return {}

    def list_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        trails = [self._tagged_trail(ctx, resource_id) for resource_id in params["ResourceIdList"]]
        return {"ResourceTagList": [{"ResourceId": trail.trail_arn, "TagsList": _tag_list(json.loads(trail.tags_json))}
                                    for trail in trails]}


PROVIDER = CloudTrailProvider()
