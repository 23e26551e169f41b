"""S3 operations: buckets, objects, ListObjectsV2 and bucket policies."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.provider import Provider
from rootplane.services.s3 import listing, repo
from rootplane.services.s3.authz import object_check
from rootplane.services.s3.bucket_policy import validate_bucket_policy
from rootplane.services.s3.names import bucket_arn, canonical_user_id, check_bucket_name, no_such_bucket
from rootplane.services.s3.objects import check_digests, new_object, object_headers
from rootplane.services.s3.tables import BucketRow, ObjectRow

__all__ = ["S3Provider", "PROVIDER"]

LEGACY_REGION = "us-east-1"
MAX_LIST = 1000
MAX_BUCKETS = 10000


def _bucket(ctx: RequestContext, params: dict[str, Any]) -> BucketRow:
    """The request's bucket, checking ExpectedBucketOwner."""
    row = repo.find_bucket(ctx.session, params["Bucket"])
    if row is None:
        raise no_such_bucket(params["Bucket"])
    expected = params.get("ExpectedBucketOwner")
    if expected is not None and expected != row.account_id:
        raise AwsError("AccessDenied", "Access Denied", 403)
    ctx.audit.setdefault("resources", [{"type": "AWS::S3::Bucket", "name": row.name, "arn": bucket_arn(row.name)}])
    return row


def _policy_bucket(ctx: RequestContext, params: dict[str, Any]) -> BucketRow:
    """Bucket policies are managed only from the owning account (others get 405, aws-spec f.1)."""
    row = _bucket(ctx, params)
    if ctx.principal.account_id != row.account_id:
        raise AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405,
                       fields={"Method": ctx.operation.replace("BucketPolicy", "").upper(), "ResourceType": "BUCKETPOLICY"})
    return row


def _object(ctx: RequestContext, bucket: str, key: str) -> ObjectRow:
    row = repo.find_object(ctx.session, bucket, key)
    if row is None:
        raise AwsError("NoSuchKey", "The specified key does not exist.", 404, fields={"Key": key})
    return row


def _copy_source(text: str) -> tuple[str, str]:
    source = unquote(text.split("?", 1)[0]).lstrip("/")
    bucket, _, key = source.partition("/")
    if not bucket or not key:
        raise AwsError("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
                       400, fields={"ArgumentName": "x-amz-copy-source", "ArgumentValue": text})
    return bucket, key


def _bucket_region(ctx: RequestContext, params: dict[str, Any]) -> str:
    """The region a CreateBucket places the bucket in (LocationConstraint rules of the regional endpoints)."""
    constraint = (params.get("CreateBucketConfiguration") or {}).get("LocationConstraint")
    if constraint == LEGACY_REGION:
        raise AwsError("InvalidLocationConstraint", "The specified location-constraint is not valid", 400,
                       fields={"LocationConstraint": constraint})
    if ctx.region == LEGACY_REGION:
        return constraint or LEGACY_REGION
    if constraint is None:
        raise AwsError("IllegalLocationConstraintException", "The unspecified location constraint is incompatible "
                       "for the region specific endpoint this request was sent to.", 400)
    if constraint != ctx.region:
        raise AwsError("IllegalLocationConstraintException", f"The {constraint} location constraint is incompatible "
                       "for the region specific endpoint this request was sent to.", 400)
    return constraint


class S3Provider(Provider):
    service_name = "s3"

    # ------------------------------------------------------------------------------------------------ buckets
    def create_bucket(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["Bucket"]
        check_bucket_name(name)
        region = _bucket_region(ctx, params)
        location = f"/{name}" if region == LEGACY_REGION else f"http://{name}.s3.amazonaws.com/"
        existing = repo.find_bucket(ctx.session, name)
        if existing is not None:
            if existing.account_id != ctx.account_id:
                raise AwsError("BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace "
                               "is shared by all users of the system. Please select a different name and try again.",
                               409, fields={"BucketName": name})
            if ctx.region != LEGACY_REGION or existing.region != LEGACY_REGION:
                raise AwsError("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded "
                               "and you already own it.", 409, fields={"BucketName": name})
            return {"Location": location}
        repo.put_bucket(ctx.session, BucketRow(name=name, account_id=ctx.account_id, region=region,
                                               created_at=ctx.now(), policy=None))
        return {"Location": location}

    def delete_bucket(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _bucket(ctx, params)
        if repo.bucket_has_objects(ctx.session, row.name):
            raise AwsError("BucketNotEmpty", "The bucket you tried to delete is not empty", 409,
                           fields={"BucketName": row.name})
        repo.delete_bucket(ctx.session, row)

    def list_buckets(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        limit = params.get("MaxBuckets") or MAX_BUCKETS
        after = params.get("ContinuationToken")
        rows = repo.list_buckets(ctx.session, ctx.account_id, after, params.get("Prefix"), params.get("BucketRegion"),
                                 limit + 1)
        output: dict[str, Any] = {
            "Buckets": [{"Name": row.name, "CreationDate": row.created_at, "BucketRegion": row.region}
                        for row in rows[:limit]],
            "Owner": {"ID": canonical_user_id(ctx.account_id)},
        }
        if len(rows) > limit:
            output["ContinuationToken"] = rows[limit - 1].name
        if params.get("Prefix") is not None:
            output["Prefix"] = params["Prefix"]
        return output

    def head_bucket(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _bucket(ctx, params)
        return {"BucketRegion": row.region}

    def get_bucket_location(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _bucket(ctx, params)
        return {"LocationConstraint": None if row.region == LEGACY_REGION else row.region}

    # ------------------------------------------------------------------------------------------------ policies
    def put_bucket_policy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _policy_bucket(ctx, params)
        text = params.get("Policy") or ""
        validate_bucket_policy(text, row.name)
        row.policy = text

    def get_bucket_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _policy_bucket(ctx, params)
        if row.policy is None:
            raise AwsError("NoSuchBucketPolicy", "The bucket policy does not exist", 404, fields={"BucketName": row.name})
        return {"Policy": row.policy}

    def delete_bucket_policy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _policy_bucket(ctx, params)
        row.policy = None

    # ------------------------------------------------------------------------------------------------ objects
    def put_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _bucket(ctx, params)
        body = params.get("Body") or b""
        checksums = check_digests(params, body)
        stored = repo.put_object(ctx.session, new_object(row.name, params["Key"], body, params, ctx.now()))
        return {"ETag": stored.etag, "Size": stored.size, **checksums}

    def get_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _object(ctx, _bucket(ctx, params).name, params["Key"])
        return {**object_headers(row, params), "Body": row.body}

    def head_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _object(ctx, _bucket(ctx, params).name, params["Key"])
        return object_headers(row, params)

    def delete_object(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        repo.delete_object(ctx.session, _bucket(ctx, params).name, params["Key"])

    def delete_objects(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _bucket(ctx, params)
        request = params.get("Delete") or {}
        deleted: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for item in request.get("Objects") or []:
            key = item["Key"]
            try:
                ctx.authorizer([object_check(ctx.session, "s3:DeleteObject", row.name, key)])
            except AwsError as error:
                errors.append({"Key": key, "Code": error.code, "Message": error.message})
                continue
            repo.delete_object(ctx.session, row.name, key)
            deleted.append({"Key": key})
        output: dict[str, Any] = {"Deleted": [] if request.get("Quiet") else deleted}
        if errors:
            output["Errors"] = errors
        return output

    def copy_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        target = _bucket(ctx, params)
        source_bucket, source_key = _copy_source(params["CopySource"])
        ctx.authorizer([object_check(ctx.session, "s3:GetObject", source_bucket, source_key)])
        source = _object(ctx, source_bucket, source_key)
        replace = params.get("MetadataDirective") == "REPLACE"
        if (source_bucket, source_key) == (target.name, params["Key"]) and not replace:
            raise AwsError("InvalidRequest", "This copy request is illegal because it is trying to copy an object to "
                           "itself without changing the object's metadata, storage class, website redirect location "
                           "or encryption attributes.", 400)
        if replace:
            attributes = params
        else:
            attributes = {**json.loads(source.headers_json), "ContentType": source.content_type,
                          "Metadata": json.loads(source.metadata_json)}
        stored = repo.put_object(ctx.session, new_object(target.name, params["Key"], source.body, attributes, ctx.now()))
        return {"CopyObjectResult": {"ETag": stored.etag, "LastModified": stored.last_modified}}

    def list_objects_v2(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _bucket(ctx, params)
        prefix = params.get("Prefix") or ""
        delimiter = params.get("Delimiter") or ""
        max_keys = min(params.get("MaxKeys", MAX_LIST), MAX_LIST)
        token = params.get("ContinuationToken")
        start = listing.decode_token(token) if token else (params.get("StartAfter") or "", False)
        page = listing.list_page(ctx.session, row.name, prefix, delimiter, start, max_keys)
        encode = listing.url_encode if params.get("EncodingType") == "url" else (lambda text: text)
        output: dict[str, Any] = {
            "Name": row.name, "Prefix": encode(prefix), "MaxKeys": params.get("MaxKeys", MAX_LIST),
            "KeyCount": len(page.contents) + len(page.prefixes), "IsTruncated": page.next_start is not None,
        }
        if page.contents:
            output["Contents"] = [{"Key": encode(obj.key), "LastModified": obj.last_modified, "ETag": obj.etag,
                                   "Size": obj.size, "StorageClass": "STANDARD"} for obj in page.contents]
            if params.get("FetchOwner"):
                owner = {"ID": canonical_user_id(row.account_id)}
                for entry in output["Contents"]:
                    entry["Owner"] = owner
        if page.prefixes:
            output["CommonPrefixes"] = [{"Prefix": encode(common)} for common in page.prefixes]
        if delimiter:
            output["Delimiter"] = encode(delimiter)
        if params.get("EncodingType"):
            output["EncodingType"] = params["EncodingType"]
        if token:
            output["ContinuationToken"] = token
        if params.get("StartAfter"):
            output["StartAfter"] = encode(params["StartAfter"])
        if page.next_start is not None:
            output["NextContinuationToken"] = listing.encode_token(page.next_start)
        return output


PROVIDER = S3Provider()
