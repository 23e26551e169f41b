"""Object Lock on object versions (the S3 User Guide: "Locking objects with Object Lock", "How S3 Object Lock
works"; the S3 API reference: PutObjectRetention, GetObjectRetention, PutObjectLegalHold, GetObjectLegalHold).

A version's retention (GOVERNANCE or COMPLIANCE until a date) and legal hold live in its ``lock_json``. A locked
version cannot be deleted for good; GOVERNANCE gives way to x-amz-bypass-governance-retention with the
s3:BypassGovernanceRetention permission, COMPLIANCE and a legal hold to nobody. A delete marker is always allowed."""

from __future__ import annotations

import datetime as _dt
import json
from typing import TYPE_CHECKING, Any

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.s3 import repo
from rootplane.services.s3.authz import object_check
from rootplane.services.s3.bucket_views import Bucket
from rootplane.services.s3.bucket_settings import OBJECT_LOCK, has_setting
from rootplane.services.s3.lookup import bucket_view_of
from rootplane.services.s3.repo import ObjectVersion, StoredVersion
from rootplane.services.s3.tables import BucketRow, BucketSettingRow
from rootplane.services.s3.versions import read_version
from rootplane.store.changes import TableCache
from rootplane.wire.validate import MALFORMED_XML

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["ObjectLockOperations", "check_deletable", "default_lock", "new_lock"]

_HEADERS = ("ObjectLockMode", "ObjectLockRetainUntilDate", "ObjectLockLegalHoldStatus")

# Each bucket's Object Lock configuration document (None: no Object Lock), read by every PutObject into a versioning
# bucket: kept until a commit writes bucket settings or buckets (a bucket deleted and made again drops its settings
# by a cascade the ORM does not see), so that write reads no setting row (issue #19).
_CONFIGURATIONS: TableCache[str | None] = TableCache([BucketSettingRow.__tablename__, BucketRow.__tablename__])


def _configuration(session: Session, bucket: str) -> str | None:
    """The bucket's Object Lock configuration document, or None."""
    def load(session) -> str | None:
        row = repo.find_setting(session, bucket, OBJECT_LOCK.kind)
        return row.document if row is not None else None

    return _CONFIGURATIONS.get(session, bucket, load)


def _default_retention(configuration: str, now: _dt.datetime) -> dict[str, Any]:
    """The retention a configuration's default rule gives a version written at ``now`` (empty: no rule)."""
    default = (json.loads(configuration).get("Rule") or {}).get("DefaultRetention")
    if not default:
        return {}
    days = default.get("Days") or 365 * default.get("Years", 0)
    return {"Mode": default["Mode"], "RetainUntilDate": (now + _dt.timedelta(days=days)).isoformat()}


def default_lock(session: Session, bucket: str, versioning: str | None, now: _dt.datetime) -> dict[str, Any] | None:
    """The lock of a version written without Object Lock headers, as a service delivers one (a CloudTrail log file):
    the bucket's default retention, if any (S3 User Guide, "Bucket configuration": it applies to every new object
    version placed in the bucket)."""
    if versioning != "Enabled":
        return None
    configuration = _configuration(session, bucket)
    return (_default_retention(configuration, now) or None) if configuration is not None else None


def _protected() -> AwsError:
    return AwsError("AccessDenied", "Access Denied because object protected by object lock.", 403)


def _lock(row: ObjectVersion) -> dict[str, Any]:
    return json.loads(row.lock_json) if row.lock_json else {}


def _retained(lock: dict[str, Any], now: _dt.datetime) -> str | None:
    """The retention mode still in force on a version, or None."""
    until = lock.get("RetainUntilDate")
    return lock["Mode"] if until and _dt.datetime.fromisoformat(until) > now else None


def _bypass(ctx: RequestContext, row: ObjectVersion, params: dict[str, Any]) -> bool:
    """Whether the request bypasses GOVERNANCE retention: the header, and the permission (else AccessDenied)."""
    if not params.get("BypassGovernanceRetention"):
        return False
    ctx.authorizer(ctx, [object_check(ctx, "s3:BypassGovernanceRetention", row.bucket, row.key)])
    return True


def check_deletable(ctx: RequestContext, row: ObjectVersion, params: dict[str, Any]) -> None:
    """Refuse deleting a version under a legal hold or a retention in force (GOVERNANCE yields to a bypass)."""
    if not row.lock_json:
        return
    lock = _lock(row)
    mode = _retained(lock, ctx.now())
    if lock.get("LegalHold") == "ON" or mode == "COMPLIANCE" or (mode == "GOVERNANCE" and not _bypass(ctx, row, params)):
        raise _protected()


def _locked_version(ctx: RequestContext, params: dict[str, Any], method: str) -> StoredVersion:
    """The version a request names, on a bucket with Object Lock (else 400 InvalidRequest)."""
    bucket = bucket_view_of(ctx, params)
    if not has_setting(ctx, bucket.name, OBJECT_LOCK):
        raise _missing_configuration()
    return read_version(ctx, bucket.name, params["Key"], params.get("VersionId"), method, with_body=False)


def _missing_configuration() -> AwsError:
    return AwsError("InvalidRequest", "Bucket is missing Object Lock Configuration", 400)


def _in_future(until: _dt.datetime, now: _dt.datetime) -> None:
    if until <= now:
        raise AwsError("InvalidArgument", "The retain until date must be in the future!", 400)


def new_lock(ctx: RequestContext, bucket: Bucket, params: dict[str, Any], *,
             digested: bool = True) -> dict[str, Any] | None:
    """The lock of a version PutObject, CopyObject or CreateMultipartUpload writes: its x-amz-object-lock-* headers,
    else the bucket's default retention. Only a versioning bucket can have Object Lock: others read nothing.
    A PutObject with the headers needs Content-MD5 or a checksum of its body (``digested``; PutObject's reference)."""
    asked = any(params.get(name) is not None for name in _HEADERS)
    if not asked and bucket.versioning != "Enabled":
        return None
    if asked and not digested:
        raise AwsError("InvalidRequest", "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object "
                       "requests with Object Lock parameters", 400)
    stored = _configuration(ctx.session, bucket.name)
    if stored is None:
        if asked:
            raise _missing_configuration()
        return None
    mode, until = params.get("ObjectLockMode"), params.get("ObjectLockRetainUntilDate")
    if (mode is None) != (until is None):
        raise AwsError("InvalidArgument",
                       "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied", 400)
    now = ctx.now()
    lock: dict[str, Any] = {}
    if until is not None:
        _in_future(until, now)
        lock.update(Mode=mode, RetainUntilDate=until.isoformat())
    else:
        lock.update(_default_retention(stored, now))
    if params.get("ObjectLockLegalHoldStatus") is not None:
        lock["LegalHold"] = params["ObjectLockLegalHoldStatus"]
    return lock or None


def _no_configuration() -> AwsError:
    return AwsError("NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration",
                    404)


class ObjectLockOperations:
    """The S3 provider's Object Lock operations on object versions."""

    def put_object_retention(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """Set, extend, or (GOVERNANCE with a bypass only) shorten or remove a version's retention."""
        row = _locked_version(ctx, params, "PUT")
        retention = params.get("Retention") or {}
        mode, until = retention.get("Mode"), retention.get("RetainUntilDate")
        if (mode is None) != (until is None):
            raise AwsError("MalformedXML", MALFORMED_XML, 400)
        now = ctx.now()
        if until is not None:
            _in_future(until, now)
        lock = _lock(row)
        current = _retained(lock, now)
        if current is not None and (mode != current or until < _dt.datetime.fromisoformat(lock["RetainUntilDate"])):
            if current == "COMPLIANCE" or not _bypass(ctx, row, params):
                raise _protected()
        lock = {name: value for name, value in lock.items() if name == "LegalHold"}
        if until is not None:
            lock.update(Mode=mode, RetainUntilDate=until.isoformat())
        repo.set_version_value(ctx.session, row, "lock_json", json.dumps(lock) if lock else None)
        return {}

    def get_object_retention(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _locked_version(ctx, params, "GET")
        lock = _lock(row)
        if "Mode" not in lock:
            raise _no_configuration()
        return {"Retention": {"Mode": lock["Mode"],
                              "RetainUntilDate": _dt.datetime.fromisoformat(lock["RetainUntilDate"])}}

    def put_object_legal_hold(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _locked_version(ctx, params, "PUT")
        status = (params.get("LegalHold") or {}).get("Status")
        if status is None:
            raise AwsError("MalformedXML", MALFORMED_XML, 400)
        lock = {**_lock(row), "LegalHold": status}
        repo.set_version_value(ctx.session, row, "lock_json", json.dumps(lock))
        return {}

    def get_object_legal_hold(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _locked_version(ctx, params, "GET")
        status = _lock(row).get("LegalHold")
        if status is None:
            raise _no_configuration()
        return {"LegalHold": {"Status": status}}
