"""Trails deliver log files to S3: bucket checks at CreateTrail and the audit writer's per-batch delivery.

A logging trail receives the records of its account (an organization trail: of every account in the management
account's organization) for its home region (every region when multi-region), as gzipped ``{"Records": [...]}``
objects under ``[prefix/]AWSLogs/[<org-id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/`` named
``<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<random>.json.gz``. Each write is checked against the bucket
policy (``cloudtrail.amazonaws.com`` s3:PutObject with ``s3:x-amz-acl`` bucket-owner-full-control and
``aws:SourceArn``) and the bucket owner's RCPs like AWS; a refused or missing bucket becomes the trail's
LatestDeliveryError. A trail with log file validation also writes signed digest files listing them (digests.py); a
trail with a CloudWatch Logs log group also delivers the records there (logs_delivery.py); a trail with an SNS topic
announces each log file there.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import hashlib
import json
import logging
import secrets
from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from rootplane.authz.gather import source
from rootplane.core.errors import AwsError
from rootplane.services.cloudtrail import digests, logs_delivery, repo, selectors, topics
from rootplane.services.cloudtrail.tables import TrailRow

__all__ = ["SERVICE", "check_bucket", "deliver", "log_prefix"]

SERVICE = "cloudtrail.amazonaws.com"
# Global service events, recorded in us-east-1: a trail logs them only with IncludeGlobalServiceEvents (User Guide,
# "Enabling and disabling global service event logging").
GLOBAL_EVENT_SOURCES = frozenset({"iam.amazonaws.com", "sts.amazonaws.com", "signin.amazonaws.com",
                                  "cloudfront.amazonaws.com"})
log = logging.getLogger("rootplane.cloudtrail")
_ACL = "bucket-owner-full-control"


def _s3():
    return source("rootplane.services.s3.api")


def log_prefix(trail: TrailRow, account_id: str, org_id: str | None) -> str:
    """``[prefix/]AWSLogs/[<org-id>/]<account>/`` for a trail and the account whose records it writes."""
    path = f"AWSLogs/{org_id}/{account_id}/" if org_id else f"AWSLogs/{account_id}/"
    return f"{trail.s3_key_prefix}/{path}" if trail.s3_key_prefix else path


def _context(trail_arn: str, account_id: str) -> dict[str, Any]:
    return {"aws:SourceArn": trail_arn, "aws:SourceAccount": account_id}


def _may_write(session: Session, trail: TrailRow, key: str, *, with_rcps: bool = True) -> bool:
    """Whether CloudTrail may write ``key``: the bucket policy allows and (a delivery, not CreateTrail's check of
    the bucket policy) no RCP of the bucket owner's account denies."""
    context = {**_context(trail.trail_arn, trail.account_id), "s3:x-amz-acl": _ACL}
    return _s3().service_allowed(session, trail.s3_bucket_name, "s3:PutObject",
                                 f"arn:aws:s3:::{trail.s3_bucket_name}/{key}", SERVICE, context, with_rcps=with_rcps)


def check_bucket(session: Session, trail: TrailRow, org_id: str | None) -> None:
    """CreateTrail's checks: the bucket exists and its policy lets CloudTrail read its ACL and write logs."""
    s3 = _s3()
    bucket = trail.s3_bucket_name
    if s3 is None or not s3.bucket_exists(session, bucket):
        raise AwsError("S3BucketDoesNotExistException", f"S3 bucket {bucket} does not exist.", 400)
    acl_allowed = s3.service_allowed(session, bucket, "s3:GetBucketAcl", f"arn:aws:s3:::{bucket}", SERVICE,
                                     _context(trail.trail_arn, trail.account_id), with_rcps=False)
    sample = f"{log_prefix(trail, trail.account_id, org_id)}CloudTrail/{trail.home_region}/sample.json.gz"
    if not acl_allowed or not _may_write(session, trail, sample, with_rcps=False):
        raise AwsError("InsufficientS3BucketPolicyException", f"Incorrect S3 bucket policy is detected for bucket: "
                       f"{bucket}", 400)


def _file_key(prefix: str, account_id: str, region: str, now: _dt.datetime) -> str:
    stamp = now.strftime("%Y%m%dT%H%MZ")
    return (f"{prefix}CloudTrail/{region}/{now:%Y/%m/%d}/"
            f"{account_id}_CloudTrail_{region}_{stamp}_{secrets.token_hex(8)}.json.gz")


def _organization(session: Session, account_id: str) -> tuple[str, str] | None:
    """(organization id, management account) of an account's organization."""
    organizations = source("rootplane.services.organizations.repo")
    found = organizations.organization_of(session, account_id) if organizations is not None else None
    return (found[0].id, found[0].management_account_id) if found else None


def _selected(session: Session, trail: TrailRow, batch, organizations: dict) -> dict[tuple[str, str], list]:
    """The batch's records this trail logs, grouped by (account, region)."""
    groups: dict[tuple[str, str], list] = defaultdict(list)
    chosen = selectors.stored(trail.event_selectors)
    for item in batch:
        if trail.started_at is not None and item.event_time < trail.started_at:
            continue  # written after StartLogging, but the call happened before it
        if not trail.is_logging and trail.stopped_at is not None and item.event_time > trail.stopped_at:
            continue  # after StopLogging (what happened before it, StopLogging itself included, is delivered)
        if not (trail.is_multi_region or item.region == trail.home_region):
            continue
        if not trail.include_global_service_events and item.record.get("eventSource") in GLOBAL_EVENT_SOURCES:
            continue
        if item.account_id != trail.account_id:
            if not trail.is_organization_trail:
                continue
            if item.account_id not in organizations:
                organizations[item.account_id] = _organization(session, item.account_id)
            org = organizations[item.account_id]
            if org is None or org[1] != trail.account_id:
                continue
        if not selectors.selects(chosen, item.record):
            continue  # the trail's event selectors leave it out (ReadWriteType, excluded sources, advanced ones)
        groups[(item.account_id, item.region)].append(item.record)
    return groups


def _notify(session: Session, trail: TrailRow, key: str, now: _dt.datetime) -> None:
    """Tell the trail's SNS topic, if it has one, about a log file just delivered: ``{"s3Bucket", "s3ObjectKey":
    [key]}`` (User Guide, "Configuring Amazon SNS notifications for CloudTrail"). A topic gone or closed to CloudTrail
    since CreateTrail loses the notification, never the log file."""
    arn = topics.topic_arn(trail)
    sns = source("rootplane.services.sns.delivery") if arn else None
    if sns is None:
        return
    message = json.dumps({"s3Bucket": trail.s3_bucket_name, "s3ObjectKey": [key]}, separators=(",", ":"))
    try:
        with session.begin_nested():
            sns.publish_from_service(session, arn, message, now, SERVICE, source_arn=trail.trail_arn,
                                     source_account=trail.account_id)
    except AwsError as error:
        log.info("trail %s could not notify %s: %s", trail.trail_arn, arn, error.message)


def _encryption_context(trail: TrailRow) -> dict[str, str] | None:
    """A trail with a KMS key encrypts its log files (SSE-KMS) with the trail's ARN in the encryption context beside
    the object's (User Guide, "Encrypting CloudTrail log files with AWS KMS keys (SSE-KMS)"); digest files keep the
    bucket's own encryption."""
    return {"aws:cloudtrail:arn": trail.trail_arn} if trail.kms_key_id else None


def _write(session: Session, trail: TrailRow, groups, org_id: str | None, now: _dt.datetime) -> None:
    s3 = _s3()
    trail.latest_delivery_attempt = now
    delivered: list[digests.DeliveredLog] = []
    for (account_id, region), records in groups.items():
        key = _file_key(log_prefix(trail, account_id, org_id), account_id, region, now)
        if s3 is None or not s3.bucket_exists(session, trail.s3_bucket_name):
            trail.latest_delivery_error = "NoSuchBucket"
            break
        if not _may_write(session, trail, key):
            trail.latest_delivery_error = "AccessDenied"
            break
        content = json.dumps({"Records": records}, separators=(",", ":")).encode()
        s3.put_object_as_service(session, trail.s3_bucket_name, key, gzip.compress(content), now,
                                 content_type="application/json", content_encoding="gzip",
                                 kms_key_arn=trail.kms_key_id, encryption_context=_encryption_context(trail))
        _notify(session, trail, key, now)
        times = [record["eventTime"] for record in records]
        delivered.append(digests.DeliveredLog(account_id, region, trail.s3_bucket_name, key,
                                              hashlib.sha256(content).hexdigest(), min(times), max(times)))
    else:
        trail.latest_delivery_time, trail.latest_delivery_error = now, None
    if trail.log_file_validation and delivered:  # what was delivered before a refusal is digested all the same
        digests.write_digests(
            session, trail, delivered, lambda account_id: log_prefix(trail, account_id, org_id),
            lambda key: _may_write(session, trail, key),
            lambda key, body, metadata: s3.put_object_as_service(
                session, trail.s3_bucket_name, key, body, now, content_type="application/json",
                content_encoding="gzip", metadata=metadata),
            now)


def deliver(session: Session, batch: list, now: _dt.datetime) -> None:
    """The audit writer's consumer: write this batch's records to every trail that logged when they happened and
    selects them."""
    trails = repo.list_receiving_trails(session, min(item.event_time for item in batch)) if batch else []
    if not trails:
        return
    organizations: dict[str, tuple[str, str] | None] = {}
    for trail in trails:
        groups = _selected(session, trail, batch, organizations)
        if not groups:
            continue
        org = _organization(session, trail.account_id) if trail.is_organization_trail else None
        _write(session, trail, groups, org[0] if org else None, now)
        if trail.cloud_watch_logs_group_arn:
            logs_delivery.deliver(session, trail, groups, org[0] if org else None, now)
