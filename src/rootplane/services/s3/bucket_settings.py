"""Bucket configurations kept as documents (logging, default encryption, Object Lock, replication, notifications,
lifecycle, CORS, website, request payment, transfer acceleration): one generic Put/Get/Delete per kind, each with
S3's answer for a bucket without one (an error, or the default AWS reports)."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.s3 import repo
from rootplane.services.s3.lookup import bucket_of
from rootplane.wire.validate import MALFORMED_XML

__all__ = ["BucketSettingOperations", "OBJECT_LOCK", "LIFECYCLE", "enable_object_lock", "has_setting"]

_DATETIME = "__datetime__"


def _encode(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return {_DATETIME: value.isoformat()}
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _decode(document: dict[str, Any]) -> Any:
    return _dt.datetime.fromisoformat(document[_DATETIME]) if set(document) == {_DATETIME} else document


def _not_found(code: str, message: str) -> Callable[[str], AwsError]:
    return lambda bucket: AwsError(code, message, 404, fields={"BucketName": bucket})


def _versioning_required(code: str, status: int, what: str) -> Callable[[str], AwsError]:
    return lambda bucket: AwsError(code, f"Versioning must be 'Enabled' on the bucket to apply a {what}", status)


@dataclass(frozen=True)
class BucketSetting:
    """How one kind of bucket configuration travels: the Put operation's input member, the Get operation's output
    member (None: the document's own members are the output), and what Get answers when none is stored."""

    kind: str
    input_member: str
    output_member: str | None
    missing: Callable[[str], AwsError] | None = None
    default: dict[str, Any] | None = None
    needs_versioning: Callable[[str], AwsError] | None = None
    refused_with_mfa_delete: Callable[[str], AwsError] | None = None
    check: Callable[[dict[str, Any]], None] | None = None  # refuses a document S3 would not store (raises AwsError)

    def put(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = bucket_of(ctx, params)
        if self.needs_versioning is not None and row.versioning != "Enabled":
            raise self.needs_versioning(row.name)
        if self.refused_with_mfa_delete is not None and row.mfa_delete == "Enabled":
            raise self.refused_with_mfa_delete(row.name)
        document = params.get(self.input_member) or {}
        if self.check is not None:
            self.check(document)
        repo.put_setting(ctx.session, row.name, self.kind, json.dumps(document, default=_encode))

    def get(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = bucket_of(ctx, params)
        stored = repo.find_setting(ctx.session, row.name, self.kind)
        if stored is not None:
            document = json.loads(stored.document, object_hook=_decode)
        elif self.missing is not None:
            raise self.missing(row.name)
        else:
            document = self.default or {}
        return {self.output_member: document} if self.output_member else document

    def delete(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        repo.delete_setting(ctx.session, bucket_of(ctx, params).name, self.kind)


def _check_object_lock(document: dict[str, Any]) -> None:
    """An Object Lock rule's DefaultRetention needs a mode and exactly one period, Days or Years (S3 API reference:
    DefaultRetention), else MalformedXML; a period below one is InvalidArgument naming it (S3's answer recorded in
    versity/versitygw#1738). ObjectLockEnabled and Mode are enumerations the model's validation checks."""
    if "Rule" not in document:
        return
    retention = document["Rule"].get("DefaultRetention") or {}
    periods = [name for name in ("Days", "Years") if name in retention]
    if "Mode" not in retention or len(periods) != 1:
        raise AwsError("MalformedXML", MALFORMED_XML, 400)
    if retention[periods[0]] < 1:
        raise AwsError("InvalidArgument", "Default retention period must be a positive integer value.", 400,
                       fields={"ArgumentName": periods[0]})


OBJECT_LOCK = BucketSetting(
    "object-lock", "ObjectLockConfiguration", "ObjectLockConfiguration",
    missing=_not_found("ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket"),
    needs_versioning=_versioning_required("InvalidBucketState", 409, "Object Lock configuration"),
    check=_check_object_lock)
_LOGGING = BucketSetting("logging", "BucketLoggingStatus", None)
# Since January 2023 every bucket encrypts new objects with SSE-S3 unless configured otherwise.
_ENCRYPTION = BucketSetting("encryption", "ServerSideEncryptionConfiguration", "ServerSideEncryptionConfiguration",
                            default={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                                                "BucketKeyEnabled": False}]})
_REPLICATION = BucketSetting(
    "replication", "ReplicationConfiguration", "ReplicationConfiguration",
    missing=_not_found("ReplicationConfigurationNotFoundError", "The replication configuration was not found"),
    needs_versioning=_versioning_required("InvalidRequest", 400, "replication configuration"))
_NOTIFICATION = BucketSetting("notification", "NotificationConfiguration", None)
# AWS refuses lifecycle rules on an MFA-delete bucket (and MFA delete on a bucket with lifecycle rules).
LIFECYCLE = BucketSetting("lifecycle", "LifecycleConfiguration", None, missing=_not_found(
    "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"),
    refused_with_mfa_delete=lambda bucket: AwsError("InvalidBucketState", "Lifecycle configuration is not supported "
                                                    "on a bucket with Mfa Authentication enabled.", 409))
_CORS = BucketSetting("cors", "CORSConfiguration", None, missing=_not_found(
    "NoSuchCORSConfiguration", "The CORS configuration does not exist"))
_WEBSITE = BucketSetting("website", "WebsiteConfiguration", None, missing=_not_found(
    "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"))
_REQUEST_PAYMENT = BucketSetting("request-payment", "RequestPaymentConfiguration", None,
                                 default={"Payer": "BucketOwner"})
_ACCELERATE = BucketSetting("accelerate", "AccelerateConfiguration", None)


def has_setting(ctx: RequestContext, bucket: str, setting: BucketSetting) -> bool:
    return repo.find_setting(ctx.session, bucket, setting.kind) is not None


def enable_object_lock(ctx: RequestContext, bucket: str) -> None:
    """CreateBucket with ObjectLockEnabledForBucket: Object Lock on (versioning is enabled by the caller)."""
    repo.put_setting(ctx.session, bucket, OBJECT_LOCK.kind, json.dumps({"ObjectLockEnabled": "Enabled"}))


def _handler(method: Callable[[RequestContext, dict[str, Any]], Any]) -> Callable[..., Any]:
    return lambda _provider, ctx, params: method(ctx, params)


class BucketSettingOperations:
    """The S3 provider's operations on bucket configurations kept as documents."""

    put_bucket_logging = _handler(_LOGGING.put)
    get_bucket_logging = _handler(_LOGGING.get)
    put_bucket_encryption = _handler(_ENCRYPTION.put)
    get_bucket_encryption = _handler(_ENCRYPTION.get)
    delete_bucket_encryption = _handler(_ENCRYPTION.delete)
    put_object_lock_configuration = _handler(OBJECT_LOCK.put)
    get_object_lock_configuration = _handler(OBJECT_LOCK.get)
    put_bucket_replication = _handler(_REPLICATION.put)
    get_bucket_replication = _handler(_REPLICATION.get)
    delete_bucket_replication = _handler(_REPLICATION.delete)
    put_bucket_notification_configuration = _handler(_NOTIFICATION.put)
    get_bucket_notification_configuration = _handler(_NOTIFICATION.get)
    put_bucket_lifecycle_configuration = _handler(LIFECYCLE.put)
    get_bucket_lifecycle_configuration = _handler(LIFECYCLE.get)
    delete_bucket_lifecycle = _handler(LIFECYCLE.delete)
    put_bucket_cors = _handler(_CORS.put)
    get_bucket_cors = _handler(_CORS.get)
    delete_bucket_cors = _handler(_CORS.delete)
    put_bucket_website = _handler(_WEBSITE.put)
    get_bucket_website = _handler(_WEBSITE.get)
    delete_bucket_website = _handler(_WEBSITE.delete)
    put_bucket_request_payment = _handler(_REQUEST_PAYMENT.put)
    get_bucket_request_payment = _handler(_REQUEST_PAYMENT.get)
    put_bucket_accelerate_configuration = _handler(_ACCELERATE.put)
    get_bucket_accelerate_configuration = _handler(_ACCELERATE.get)
