"""Looking up the request's bucket, object and copy source with S3's errors."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.s3 import repo
from rootplane.services.s3.names import bucket_arn, no_such_bucket
from rootplane.services.s3.tables import BucketRow, ObjectRow

__all__ = ["bucket_of", "object_of", "copy_source"]


def bucket_of(ctx: RequestContext, params: dict[str, Any]) -> BucketRow:
    """The request's bucket, checking ExpectedBucketOwner."""
    row = repo.find_bucket(ctx.session, params["Bucket"])
    if row is None:
        raise no_such_bucket(params["Bucket"])
    expected = params.get("ExpectedBucketOwner")
    if expected is not None and expected != row.account_id:
        raise AwsError("AccessDenied", "Access Denied", 403)
    ctx.audit.setdefault("resources", [{"type": "AWS::S3::Bucket", "name": row.name, "arn": bucket_arn(row.name)}])
    return row


def object_of(ctx: RequestContext, bucket: str, key: str) -> ObjectRow:
    """An object of ``bucket``; NoSuchKey (404) when absent."""
    row = repo.find_object(ctx.session, bucket, key)
    if row is None:
        raise AwsError("NoSuchKey", "The specified key does not exist.", 404, fields={"Key": key})
    return row


def copy_source(text: str) -> tuple[str, str]:
    """(bucket, key) of an ``x-amz-copy-source`` header."""
    source = unquote(text.split("?", 1)[0]).lstrip("/")
    bucket, _, key = source.partition("/")
    if not bucket or not key:
        raise AwsError("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
                       400, fields={"ArgumentName": "x-amz-copy-source", "ArgumentValue": text})
    return bucket, key
