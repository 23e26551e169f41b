"""Looking up the request's bucket, object and copy source with S3's errors."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.s3 import repo
from rootplane.services.s3.bucket_views import BucketView, find_bucket_view
from rootplane.services.s3.versions import read_version
from rootplane.services.s3.names import bucket_arn, no_such_bucket
from rootplane.services.s3.repo import StoredVersion
from rootplane.services.s3.tables import BucketRow

__all__ = ["bucket_of", "bucket_view_of", "object_of", "copy_source", "copied_object"]

B = TypeVar("B", BucketRow, BucketView)


def bucket_of(ctx: RequestContext, params: dict[str, Any]) -> BucketRow:
    """The request's bucket as the ORM row, for the bucket handlers that change it or delete it, checking
    ExpectedBucketOwner."""
    return _checked(ctx, params, repo.find_bucket(ctx.session, params["Bucket"]))


def bucket_view_of(ctx: RequestContext, params: dict[str, Any]) -> BucketView:
    """The request's bucket as the object, listing and multipart handlers read it (s3/bucket_views.py: no SQL
    when cached), checking ExpectedBucketOwner."""
    return _checked(ctx, params, find_bucket_view(ctx.session, params["Bucket"]))


def _checked(ctx: RequestContext, params: dict[str, Any], row: B | None) -> B:
    """``row`` when the request's bucket exists and is the expected owner's (NoSuchBucket, AccessDenied)."""
    if row is None:
        raise no_such_bucket(params["Bucket"])
    expected = params.get("ExpectedBucketOwner")
    if expected is not None and expected != row.account_id:
        raise AwsError("AccessDenied", "Access Denied", 403)
    ctx.audit.setdefault("resources", [{"type": "AWS::S3::Bucket", "name": row.name, "arn": bucket_arn(row.name)}])
    return row


def object_of(ctx: RequestContext, bucket: str, key: str, version_id: str | None = None, *,
              with_body: bool = True) -> StoredVersion:
    """An object of ``bucket`` (its current version, or the one named; its body only ``with_body``); S3's errors
    when absent."""
    return read_version(ctx, bucket, key, version_id, "GET", with_body=with_body)


def copied_object(ctx: RequestContext, bucket: str, key: str, version_id: str | None) -> StoredVersion:
    """The object a CopyObject or UploadPartCopy copies, read as GetObject reads it (404 NoSuchKey with
    x-amz-delete-marker when a delete marker is current), except that a delete marker named by version id is
    400 InvalidRequest (the S3 API reference, UploadPartCopy's x-amz-copy-source), not GetObject's 405."""
    try:
        return read_version(ctx, bucket, key, version_id, "GET")
    except AwsError as error:
        if error.code != "MethodNotAllowed":
            raise
    raise AwsError("InvalidRequest", "The source of a copy request may not specifically refer to a delete marker by "
                   "version id.", 400)


def copy_source(text: str) -> tuple[str, str, str | None]:
    """(bucket, key, version id or None) of an ``x-amz-copy-source`` header (``bucket/key?versionId=...``)."""
    path, _, query = text.partition("?")
    source = unquote(path).lstrip("/")
    bucket, _, key = source.partition("/")
    if not bucket or not key:
        raise AwsError("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
                       400, fields={"ArgumentName": "x-amz-copy-source", "ArgumentValue": text})
    version_id = parse_qs(query, keep_blank_values=True).get("versionId", [None])[0] if query else None
    return bucket, key, version_id
