"""Bucket settings: tags, versioning status, Block Public Access, object ownership, ACLs and policy status."""

from __future__ import annotations

import json
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.s3.bucket_settings import LIFECYCLE, OBJECT_LOCK, has_setting
from rootplane.services.s3.bucket_views import Bucket
from rootplane.services.s3.lookup import bucket_of, object_of
from rootplane.services.s3.mfa_delete import check_transport, require_mfa
from rootplane.services.s3.names import canonical_user_id
from rootplane.services.s3.public_policy import is_public
from rootplane.services.s3.tag_sets import check_tag_set
from rootplane.wire.validate import MALFORMED_XML

__all__ = ["BucketConfigOperations", "DEFAULT_PUBLIC_ACCESS_BLOCK", "DEFAULT_OWNERSHIP", "check_canned_acl"]

_BLOCK_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
# Buckets created since April 2023 block all public access and disable ACLs.
DEFAULT_PUBLIC_ACCESS_BLOCK = json.dumps({flag: True for flag in _BLOCK_FLAGS})
DEFAULT_OWNERSHIP = "BucketOwnerEnforced"
_PRIVATE_ACLS = frozenset({"private", "bucket-owner-full-control"})
MAX_BUCKET_TAGS = 50


def _check_tags(tags: list[dict[str, str]]) -> None:
    if len(tags) > MAX_BUCKET_TAGS:
        raise AwsError("BadRequest", f"Bucket tag count cannot be greater than {MAX_BUCKET_TAGS}", 400)
    check_tag_set(tags, "System tags cannot be added/updated by requester")


def public_access_block(row: Bucket) -> dict[str, bool] | None:
    """The bucket's Block Public Access settings, None once deleted."""
    return json.loads(row.public_access_block) if row.public_access_block else None


def check_canned_acl(row: Bucket, acl: str | None) -> None:
    """Buckets with ACLs disabled (BucketOwnerEnforced) refuse any ACL but the owner's full control."""
    if acl is not None and acl not in _PRIVATE_ACLS and row.ownership == DEFAULT_OWNERSHIP:
        raise AwsError("AccessControlListNotSupported", "The bucket does not allow ACLs", 400)


def _owner_acl(account_id: str) -> dict[str, Any]:
    owner = canonical_user_id(account_id)
    return {"Owner": {"ID": owner},
            "Grants": [{"Grantee": {"ID": owner, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}]}


class BucketConfigOperations:
    """Bucket configuration operations of the S3 provider."""

    # -------------------------------------------------------------------------------------------- tagging
    def put_bucket_tagging(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = bucket_of(ctx, params)
        tags = (params.get("Tagging") or {}).get("TagSet") or []
        _check_tags(tags)
        row.tags_json = json.dumps([{"Key": tag["Key"], "Value": tag.get("Value", "")} for tag in tags])

    def get_bucket_tagging(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = bucket_of(ctx, params)
        if row.tags_json is None:
            raise AwsError("NoSuchTagSet", "The TagSet does not exist", 404, fields={"BucketName": row.name})
        return {"TagSet": json.loads(row.tags_json)}

    def delete_bucket_tagging(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        bucket_of(ctx, params).tags_json = None

    # -------------------------------------------------------------------------------------------- versioning
    def put_bucket_versioning(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = bucket_of(ctx, params)
        config = params.get("VersioningConfiguration") or {}
        status, mfa_delete = config.get("Status"), config.get("MFADelete")
        check_transport(ctx, params.get("MFA"))
        if status not in ("Enabled", "Suspended"):
            raise AwsError("MalformedXML", MALFORMED_XML, 400)
        if mfa_delete is not None or row.mfa_delete == "Enabled":
            require_mfa(ctx, row, params.get("MFA"))
        if mfa_delete == "Enabled" and has_setting(ctx, row.name, LIFECYCLE):
            raise AwsError("InvalidBucketState", "Mfa Authentication is not supported on a bucket with lifecycle "
                           "configuration. Delete lifecycle configuration before enabling Mfa Authentication.", 409)
        if status == "Suspended" and has_setting(ctx, row.name, OBJECT_LOCK):
            raise AwsError("InvalidBucketState", "An Object Lock configuration is present on this bucket, so the "
                           "versioning state cannot be changed.", 409)
        row.versioning = status
        if mfa_delete is not None:
            row.mfa_delete = mfa_delete

    def get_bucket_versioning(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = bucket_of(ctx, params)
        output = {"Status": row.versioning} if row.versioning else {}
        if row.mfa_delete:
            output["MFADelete"] = row.mfa_delete
        return output

    # -------------------------------------------------------------------------------------------- public access
    def put_public_access_block(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = bucket_of(ctx, params)
        config = params.get("PublicAccessBlockConfiguration") or {}
        row.public_access_block = json.dumps({flag: bool(config.get(flag, False)) for flag in _BLOCK_FLAGS})

    def get_public_access_block(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = bucket_of(ctx, params)
        config = public_access_block(row)
        if config is None:
            raise AwsError("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not "
                           "found", 404, fields={"BucketName": row.name})
        return {"PublicAccessBlockConfiguration": config}

    def delete_public_access_block(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        bucket_of(ctx, params).public_access_block = None

    def get_bucket_policy_status(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = bucket_of(ctx, params)
        if row.policy is None:
            raise AwsError("NoSuchBucketPolicy", "The bucket policy does not exist", 404, fields={"BucketName": row.name})
        return {"PolicyStatus": {"IsPublic": is_public(row.policy)}}

    # -------------------------------------------------------------------------------------------- ownership, ACLs
    def put_bucket_ownership_controls(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = bucket_of(ctx, params)
        rules = (params.get("OwnershipControls") or {}).get("Rules") or []
        if len(rules) != 1:
            raise AwsError("MalformedXML", MALFORMED_XML, 400)
        row.ownership = rules[0]["ObjectOwnership"]

    def get_bucket_ownership_controls(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = bucket_of(ctx, params)
        if row.ownership is None:
            raise AwsError("OwnershipControlsNotFoundError", "The bucket ownership controls were not found", 404,
                           fields={"BucketName": row.name})
        return {"OwnershipControls": {"Rules": [{"ObjectOwnership": row.ownership}]}}

    def delete_bucket_ownership_controls(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        bucket_of(ctx, params).ownership = None

    def get_bucket_acl(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return _owner_acl(bucket_of(ctx, params).account_id)

    def get_object_acl(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = bucket_of(ctx, params)
        object_of(ctx, row.name, params["Key"], params.get("VersionId"), with_body=False)
        return _owner_acl(row.account_id)
