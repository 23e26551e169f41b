"""S3 operations: buckets, objects, listings and bucket policies (multipart and bucket settings in mixins)."""

from __future__ import annotations

import json
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.iam.principal_ids import bind_principals, missing_principal, render_principals
from rootplane.services.provider import Provider
from rootplane.services.s3 import listing, repo, versions
from rootplane.services.s3.acls import grants_others, grants_public, new_object_acl, owner_of, request_acl
from rootplane.services.s3.authz import object_check
from rootplane.services.s3.bucket_config import (
    ACL_SETTING, DEFAULT_OWNERSHIP, DEFAULT_PUBLIC_ACCESS_BLOCK, BucketConfigOperations, public_access_block,
)
from rootplane.services.s3.bucket_settings import BucketSettingOperations, enable_object_lock
from rootplane.services.s3.bucket_views import Bucket, find_bucket_view
from rootplane.services.s3.bucket_policy import invalid_principal, validate_bucket_policy
from rootplane.services.s3.encryption import changes_encryption, check_readable, for_write
from rootplane.services.s3.conditions import byte_range, check_preconditions, check_write_preconditions
from rootplane.services.s3.lookup import bucket_of, bucket_view_of, copied_object, copy_source
from rootplane.services.s3.mfa_delete import check_transport, require_mfa
from rootplane.services.s3.version_listing import VersionListingOperations
from rootplane.services.s3.multipart import MultipartOperations
from rootplane.services.s3.object_lock import ObjectLockOperations, check_deletable, new_lock
from rootplane.services.s3.object_tagging import ObjectTaggingOperations
from rootplane.services.s3.names import bucket_arn, canonical_user_id, check_bucket_name
from rootplane.services.s3.checksums import check_content_md5, copy_checksum
from rootplane.services.s3.objects import (
    attributes_of, new_object, object_attributes, object_headers, part_span, storage_class,
    stored_attributes, upload_body,
)
from rootplane.services.s3.public_policy import is_public
from rootplane.services.s3.tag_sets import check_object_tags, header_tags, stored_tags
from rootplane.services.s3.tables import NULL_VERSION, BucketRow

__all__ = ["S3Provider", "PROVIDER"]

LEGACY_REGION = "us-east-1"
MAX_BUCKETS = 10000


def _policy_bucket(ctx: RequestContext, params: dict[str, Any]) -> BucketRow:
    """Bucket policies are managed only from the owning account (others get 405, aws-spec f.1)."""
    row = bucket_of(ctx, params)
    if ctx.principal.account_id != row.account_id:
        raise AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405,
                       fields={"Method": ctx.operation.replace("BucketPolicy", "").upper(), "ResourceType": "BUCKETPOLICY"})
    return row


def _check_public_policy(ctx: RequestContext, row: BucketRow, text: str) -> None:
    """BlockPublicPolicy refuses policies that would make the bucket public."""
    block = public_access_block(row)
    if block and block.get("BlockPublicPolicy") and is_public(text):
        raise AwsError("AccessDenied", f"User: {ctx.principal.arn} is not authorized to perform: s3:PutBucketPolicy on "
                       f'resource: "{bucket_arn(row.name)}" because public policies are blocked by the '
                       "BlockPublicPolicy block public access setting.", 403)


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


class S3Provider(MultipartOperations, BucketConfigOperations, BucketSettingOperations, VersionListingOperations,
                 ObjectTaggingOperations, ObjectLockOperations, Provider):
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
            return {"Location": location, "BucketArn": bucket_arn(name)}
        ownership = params.get("ObjectOwnership") or DEFAULT_OWNERSHIP
        acl = request_acl(canonical_user_id(ctx.account_id), params)
        if ownership == DEFAULT_OWNERSHIP and acl is not None and grants_others(acl):
            raise AwsError("InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's "
                           "BucketOwnerEnforced setting", 400)
        if acl is not None and grants_public(acl):  # a new bucket blocks public access (CreateBucket's permissions)
            raise AwsError("InvalidBucketAclWithBlockPublicAccessError", "Bucket cannot have public ACLs set with "
                           "BlockPublicAccess enabled", 400)
        repo.put_bucket(ctx.session, BucketRow(name=name, account_id=ctx.account_id, region=region,
                                               created_at=ctx.now(), policy=None, ownership=ownership,
                                               public_access_block=DEFAULT_PUBLIC_ACCESS_BLOCK,
                                               versioning="Enabled" if params.get("ObjectLockEnabledForBucket") else None))
        kept_acl = acl if ownership != DEFAULT_OWNERSHIP else None  # ACLs disabled: reads show the owner's
        if params.get("ObjectLockEnabledForBucket") or kept_acl:
            ctx.session.flush()  # the bucket first: its settings name it
        if params.get("ObjectLockEnabledForBucket"):
            enable_object_lock(ctx, name)
        if kept_acl:
            repo.put_setting(ctx.session, name, ACL_SETTING, json.dumps(kept_acl))
        return {"Location": location, "BucketArn": bucket_arn(name)}

    def delete_bucket(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = bucket_of(ctx, params)
        if repo.bucket_has_objects(ctx.session, row.name):
            raise AwsError("BucketNotEmpty", "The bucket you tried to delete is not empty", 409,
                           fields={"BucketName": row.name})
        repo.delete_bucket(ctx.session, row)

    def list_buckets(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        limit = params.get("MaxBuckets") or MAX_BUCKETS
        rows = repo.list_buckets(ctx.session, ctx.account_id, listing.bucket_after(params.get("ContinuationToken")),
                                 params.get("Prefix"), params.get("BucketRegion"), limit + 1)
        output: dict[str, Any] = {
            "Buckets": [{"Name": row.name, "CreationDate": row.created_at, "BucketRegion": row.region}
                        for row in rows[:limit]],
            "Owner": {"ID": canonical_user_id(ctx.account_id)},
        }
        if len(rows) > limit:
            output["ContinuationToken"] = listing.bucket_token(rows[limit - 1].name)
        if params.get("Prefix") is not None:
            output["Prefix"] = params["Prefix"]
        return output

    def head_bucket(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = bucket_of(ctx, params)
        return {"BucketRegion": row.region}

    def get_bucket_location(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = bucket_of(ctx, params)
        return {"LocationConstraint": None if row.region == LEGACY_REGION else row.region}

    # ------------------------------------------------------------------------------------------------ policies
    def put_bucket_policy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _policy_bucket(ctx, params)
        text = params.get("Policy") or ""
        check_content_md5(params, text.encode())
        validate_bucket_policy(text, row.name)
        if missing_principal(ctx.session, text) is not None:
            raise invalid_principal()
        _check_public_policy(ctx, row, text)
        row.policy = bind_principals(ctx.session, text)

    def get_bucket_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _policy_bucket(ctx, params)
        if row.policy is None:
            raise AwsError("NoSuchBucketPolicy", "The bucket policy does not exist", 404, fields={"BucketName": row.name})
        return {"Policy": render_principals(ctx.session, row.policy)}

    def delete_bucket_policy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _policy_bucket(ctx, params)
        row.policy = None

    # ------------------------------------------------------------------------------------------------ objects
    def put_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = bucket_view_of(ctx, params)
        acl = new_object_acl(row, params, ctx.principal.account_id)
        params, body, sent = upload_body(params)
        check_write_preconditions(lambda: versions.current_for_write(ctx.session, row.name, params["Key"]),
                                  params)
        checksum = {**sent, "ChecksumType": "FULL_OBJECT"} if sent else {}
        tags = check_object_tags(header_tags(params.get("Tagging")))
        lock = new_lock(ctx, row, params, digested=bool(sent) or params.get("ContentMD5") is not None)
        encryption = for_write(ctx, row, params["Key"], params)
        stored = versions.store_version(ctx.session, row, new_object(row.name, params["Key"], body, attributes_of(params),
                                                                     ctx.now(), checksum=checksum, tags=tags, acl=acl,
                                                                     lock=lock, encryption=encryption))
        return {"ETag": stored.etag, "Size": stored.size, **checksum, **encryption.output(with_context=True),
                **versions.put_version_output(row, stored)}

    def get_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_view_of(ctx, params)
        row = versions.read_version(ctx, bucket.name, params["Key"], params.get("VersionId"), "GET")
        check_preconditions(row, params)
        check_readable(ctx, row.encryption_json)
        output = {**object_headers(row, params), **versions.version_output(bucket, row)}
        span = _span(row, params)
        if span is None:
            return {**output, "Body": row.body}
        first, last = span
        for member in [name for name in output if name.startswith("Checksum")]:
            del output[member]  # a range's bytes do not carry the object's checksum
        return {**output, "ContentRange": f"bytes {first}-{last}/{row.size}", "ContentLength": last - first + 1,
                "Body": row.body[first:last + 1]}

    def head_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_view_of(ctx, params)
        row = versions.read_version(ctx, bucket.name, params["Key"], params.get("VersionId"), "HEAD", with_body=False)
        check_preconditions(row, params)
        output = {**object_headers(row, params), **versions.version_output(bucket, row)}
        span = _span(row, params)
        if span is not None:
            output.update(ContentRange=f"bytes {span[0]}-{span[1]}/{row.size}", ContentLength=span[1] - span[0] + 1)
        return output

    def get_object_attributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_view_of(ctx, params)
        row = versions.read_version(ctx, bucket.name, params["Key"], params.get("VersionId"), "GET", with_body=False)
        return {**object_attributes(row, params["ObjectAttributes"]), **versions.version_output(bucket, row)}

    def delete_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = bucket_view_of(ctx, params)
        check_transport(ctx, params.get("MFA"))
        if params.get("VersionId") is not None and row.mfa_delete == "Enabled":
            require_mfa(ctx, row, params.get("MFA"))
        return _delete_one(ctx, row, params["Key"], params.get("VersionId"), params)

    def delete_objects(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = bucket_view_of(ctx, params)
        request = params.get("Delete") or {}
        items = request.get("Objects") or []
        check_transport(ctx, params.get("MFA"))
        # An MFA-delete bucket checks a given token even when no version is deleted: an invalid one fails the whole
        # request (the S3 API reference, DeleteObjects' MFA).
        if row.mfa_delete == "Enabled" and (params.get("MFA") is not None
                                            or any(item.get("VersionId") is not None for item in items)):
            require_mfa(ctx, row, params.get("MFA"))
        deleted: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for item in items:
            key, version_id = item["Key"], item.get("VersionId")
            action = "s3:DeleteObject" if version_id is None else "s3:DeleteObjectVersion"
            try:
                ctx.authorizer(ctx, [object_check(ctx, action, row.name, key)])
                outcome = _delete_one(ctx, row, key, version_id, params)
            except AwsError as error:
                errors.append({"Key": key, **({"VersionId": version_id} if version_id else {}), "Code": error.code,
                               "Message": error.message})
                continue
            entry: dict[str, Any] = {"Key": key}
            if version_id is not None:
                entry["VersionId"] = version_id
            if outcome.get("DeleteMarker"):
                entry.update(DeleteMarker=True, DeleteMarkerVersionId=outcome["VersionId"])
            deleted.append(entry)
        output: dict[str, Any] = {"Deleted": [] if request.get("Quiet") else deleted}
        if errors:
            output["Errors"] = errors
        return output

    def copy_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        target = bucket_view_of(ctx, params)
        acl = new_object_acl(target, params, ctx.principal.account_id)  # the request's ACL, never the source's
        source_bucket, source_key, source_version = copy_source(params["CopySource"])
        action = "s3:GetObject" if source_version is None else "s3:GetObjectVersion"
        ctx.authorizer(ctx, [object_check(ctx, action, source_bucket, source_key, source_version)])
        source = copied_object(ctx, source_bucket, source_key, source_version)
        check_readable(ctx, source.encryption_json)
        replace = params.get("MetadataDirective") == "REPLACE"
        new_class = params.get("StorageClass") not in (None, storage_class(source))
        if ((source_bucket, source_key) == (target.name, params["Key"]) and not replace and not new_class
                and not changes_encryption(params)):
            raise AwsError("InvalidRequest", "This copy request is illegal because it is trying to copy an object to "
                           "itself without changing the object's metadata, storage class, website redirect location "
                           "or encryption attributes.", 400)
        attributes = attributes_of(params) if replace else stored_attributes(source)
        attributes.pop("StorageClass", None)  # a copy is STANDARD unless the request names a class
        if params.get("StorageClass") not in (None, "STANDARD"):
            attributes["StorageClass"] = params["StorageClass"]
        checksum = copy_checksum(source, params.get("ChecksumAlgorithm"))
        # x-amz-tagging-directive: the source's tags (COPY, the default) or the request's x-amz-tagging (REPLACE).
        tags = (check_object_tags(header_tags(params.get("Tagging"))) if params.get("TaggingDirective") == "REPLACE"
                else stored_tags(source.tags_json))
        lock = new_lock(ctx, target, params)
        # Without encryption headers a copy takes the destination bucket's default (CopyObject's documentation).
        encryption = for_write(ctx, target, params["Key"], params)
        stored = versions.store_version(ctx.session, target, new_object(
            target.name, params["Key"], source.body, attributes, ctx.now(), checksum=checksum, tags=tags, acl=acl,
            lock=lock, encryption=encryption))
        result = {"ETag": stored.etag, "LastModified": stored.last_modified, **checksum}
        output: dict[str, Any] = {"CopyObjectResult": result, **encryption.output(with_context=True),
                                  **versions.version_output(target, stored)}
        source_bucket_row = find_bucket_view(ctx.session, source_bucket)
        if source_bucket_row is not None and source_bucket_row.versioning:
            output["CopySourceVersionId"] = source.version_id
        return output

    def list_objects_v2(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = bucket_view_of(ctx, params)
        prefix = params.get("Prefix") or ""
        delimiter = params.get("Delimiter") or ""
        max_keys = listing.page_size(params, "MaxKeys", "max-keys")
        token = params.get("ContinuationToken")
        start = listing.decode_token(token) if token else (params.get("StartAfter") or "", False)
        page = listing.list_page(ctx.session, row.name, prefix, delimiter, start, max_keys)
        encode = listing.url_encode if params.get("EncodingType") == "url" else (lambda text: text)
        output: dict[str, Any] = {
            "Name": row.name, "Prefix": encode(prefix), "MaxKeys": params.get("MaxKeys", listing.MAX_LIST),
            "KeyCount": len(page.contents) + len(page.prefixes), "IsTruncated": page.next_start is not None,
        }
        output.update(_entries(page, encode, row if params.get("FetchOwner") else None))
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


    def list_objects(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = bucket_view_of(ctx, params)
        prefix = params.get("Prefix") or ""
        delimiter = params.get("Delimiter") or ""
        marker = params.get("Marker") or ""
        start = (marker, False)
        if delimiter and marker.startswith(prefix) and marker.endswith(delimiter) and len(marker) > len(prefix):
            start = (repo.successor(marker), True)  # a NextMarker naming a common prefix skips all of it
        page = listing.list_page(ctx.session, row.name, prefix, delimiter, start,
                                 listing.page_size(params, "MaxKeys", "max-keys"))
        encode = listing.url_encode if params.get("EncodingType") == "url" else (lambda text: text)
        output: dict[str, Any] = {
            "Name": row.name, "Prefix": encode(prefix), "Marker": encode(marker),
            "MaxKeys": params.get("MaxKeys", listing.MAX_LIST), "IsTruncated": page.next_start is not None,
            **_entries(page, encode, row),
        }
        if delimiter:
            output["Delimiter"] = encode(delimiter)
            if page.next_start is not None:
                last_key = page.contents[-1].key if page.contents else ""
                last_prefix = page.prefixes[-1] if page.prefixes else ""
                output["NextMarker"] = encode(max(last_key, last_prefix))
        if params.get("EncodingType"):
            output["EncodingType"] = params["EncodingType"]
        return output


def _delete_one(ctx: RequestContext, bucket: Bucket, key: str, version_id: str | None,
                params: dict[str, Any]) -> dict[str, Any]:
    """DeleteObject's effect and output: a version deleted for good when named (unless Object Lock protects it);
    else a delete marker on a versioning bucket, or the object itself (its null version) on an unversioned one."""
    if version_id is not None:
        row = repo.find_version(ctx.session, bucket.name, key, version_id)
        if row is None:
            return {"VersionId": version_id}
        check_deletable(ctx, row, params)
        was_marker = row.delete_marker
        versions.delete_version(ctx, row)
        return {"VersionId": version_id, **({"DeleteMarker": True} if was_marker else {})}
    if bucket.versioning is None:
        row = repo.find_version(ctx.session, bucket.name, key, NULL_VERSION)
        if row is not None:
            versions.delete_version(ctx, row)
        return {}
    marker = versions.add_delete_marker(ctx, bucket, key)
    return {"DeleteMarker": True, "VersionId": marker.version_id}


def _span(row, params: dict[str, Any]) -> tuple[int, int] | None:
    """The bytes a GetObject/HeadObject answers: one part (PartNumber), a Range, or None for all."""
    if params.get("PartNumber"):
        return part_span(row, params["PartNumber"])
    return byte_range(params.get("Range"), row.size)


def _entries(page: listing.Page, encode, bucket: Bucket | None) -> dict[str, Any]:
    """Contents and CommonPrefixes of a listing page (with each object's Owner when ``bucket`` is given)."""
    output: dict[str, Any] = {}
    if page.contents:
        output["Contents"] = [{"Key": encode(obj.key), "LastModified": obj.last_modified, "ETag": obj.etag,
                               "Size": obj.size, "StorageClass": storage_class(obj),
                               **({"Owner": owner_of(bucket, obj.acl_json)} if bucket else {})}
                              for obj in page.contents]
    if page.prefixes:
        output["CommonPrefixes"] = [{"Prefix": encode(common)} for common in page.prefixes]
    return output


PROVIDER = S3Provider()
