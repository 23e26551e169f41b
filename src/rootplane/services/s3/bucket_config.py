"""Bucket settings: tags, versioning status, Block Public Access, object ownership, ACLs and policy status."""

from __future__ import annotations

import json
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.s3.bucket_settings import LIFECYCLE, OBJECT_LOCK, has_setting
from rootplane.services.s3.bucket_views import Bucket
from rootplane.services.s3 import repo
from rootplane.services.s3.acls import ENFORCED, grants_others, names_acl, owner_of, requested_acl, stored_acl
from rootplane.services.s3.lookup import bucket_of, bucket_view_of, object_of
from rootplane.services.s3.mfa_delete import check_transport, require_mfa
from rootplane.services.s3.public_policy import is_public
from rootplane.services.s3.tables import BucketRow
from rootplane.services.s3.tag_sets import check_tag_set
from rootplane.services.s3.versions import read_version
from rootplane.wire.validate import MALFORMED_XML

__all__ = ["BucketConfigOperations", "DEFAULT_PUBLIC_ACCESS_BLOCK", "DEFAULT_OWNERSHIP", "ACL_SETTING"]

_BLOCK_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
# Buckets created since April 2023 block all public access and disable ACLs.
DEFAULT_PUBLIC_ACCESS_BLOCK = json.dumps({flag: True for flag in _BLOCK_FLAGS})
DEFAULT_OWNERSHIP = ENFORCED
ACL_SETTING = "acl"  # the bucket's ACL is kept as a bucket setting document (s3/bucket_settings.py)
MAX_BUCKET_TAGS = 50


def _check_tags(tags: list[dict[str, str]]) -> None:
    if len(tags) > MAX_BUCKET_TAGS:
        raise AwsError("BadRequest", f"Bucket tag count cannot be greater than {MAX_BUCKET_TAGS}", 400)
    check_tag_set(tags, "System tags cannot be added/updated by requester")


def public_access_block(row: Bucket) -> dict[str, bool] | None:
    """The bucket's Block Public Access settings, None once deleted."""
    return json.loads(row.public_access_block) if row.public_access_block else None


def _bucket_acl(ctx: RequestContext, row: BucketRow) -> dict[str, Any]:
    stored = repo.find_setting(ctx.session, row.name, ACL_SETTING)
    return stored_acl(row, stored.document if stored is not None else None)


def _missing_acl(params: dict[str, Any]) -> None:
    """PutBucketAcl and PutObjectAcl name an ACL in a header or the body."""
    if not names_acl(params):
        raise AwsError("MissingSecurityHeader", "Your request was missing a required header", 400,
                       fields={"MissingHeaderName": "x-amz-acl"})


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
        ownership = rules[0]["ObjectOwnership"]
        # ACLs can be disabled only while the bucket's ACL grants nothing but the owner's full control.
        if ownership == ENFORCED and row.ownership != ENFORCED and grants_others(_bucket_acl(ctx, row)):
            raise AwsError("InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's "
                           "BucketOwnerEnforced setting", 400)
        row.ownership = ownership

    def get_bucket_ownership_controls(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = bucket_of(ctx, params)
        if row.ownership is None:
            raise AwsError("OwnershipControlsNotFoundError", "The bucket ownership controls were not found", 404,
                           fields={"BucketName": row.name})
        return {"OwnershipControls": {"Rules": [{"ObjectOwnership": row.ownership}]}}

    def delete_bucket_ownership_controls(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        bucket_of(ctx, params).ownership = None

    def get_bucket_acl(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return _bucket_acl(ctx, bucket_of(ctx, params))

    def put_bucket_acl(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = bucket_of(ctx, params)
        _missing_acl(params)
        acl = requested_acl(row, params)
        if acl is None:
            repo.delete_setting(ctx.session, row.name, ACL_SETTING)
        else:
            repo.put_setting(ctx.session, row.name, ACL_SETTING, json.dumps(acl))

    def get_object_acl(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_view_of(ctx, params)
        row = object_of(ctx, bucket.name, params["Key"], params.get("VersionId"), with_body=False)
        return stored_acl(bucket, row.acl_json)

    def put_object_acl(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_view_of(ctx, params)
        _missing_acl(params)
        row = read_version(ctx, bucket.name, params["Key"], params.get("VersionId"), "PUT", with_body=False)
        acl = requested_acl(bucket, params, owner_of(bucket, row.acl_json)["ID"])
        repo.set_version_value(ctx.session, row, "acl_json", json.dumps(acl) if acl else None)
        return {}
