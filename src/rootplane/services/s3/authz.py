"""S3 authorization facts: action names, bucket/object ARNs, the bucket owner and the bucket policy."""

from __future__ import annotations

import math
from typing import Any

from rootplane.authz.checks import AuthzCheck
from rootplane.auth.principal import ANONYMOUS, Principal
from rootplane.services.s3 import repo
from rootplane.services.s3.acls import ACL_PERMISSIONS, ENFORCED, granted_as, names_acl, owner_of, stored_acl
from rootplane.services.s3.bucket_config import ACL_SETTING, public_access_block
from rootplane.services.s3.bucket_views import BucketView, find_bucket_view
from rootplane.services.s3.names import bucket_arn, canonical_user_id, no_such_bucket, object_arn
from rootplane.services.s3.public_policy import is_public
from rootplane.services.s3.tag_sets import header_tags, stored_tags, tag_context

__all__ = ["checks", "object_check"]

# Operations whose IAM action differs from "s3:<Operation>".
_ACTIONS = {
    "ListBuckets": "s3:ListAllMyBuckets",
    "HeadBucket": "s3:ListBucket",
    "ListObjects": "s3:ListBucket",
    "ListObjectsV2": "s3:ListBucket",
    "HeadObject": "s3:GetObject",
    "CopyObject": "s3:PutObject",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "UploadPartCopy": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "ListParts": "s3:ListMultipartUploadParts",
    "ListMultipartUploads": "s3:ListBucketMultipartUploads",
    "DeleteBucketTagging": "s3:PutBucketTagging",
    "GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "DeletePublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "DeleteBucketOwnershipControls": "s3:PutBucketOwnershipControls",
    "PutBucketEncryption": "s3:PutEncryptionConfiguration",
    "GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "DeleteBucketEncryption": "s3:PutEncryptionConfiguration",
    "PutObjectLockConfiguration": "s3:PutBucketObjectLockConfiguration",
    "GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "PutBucketReplication": "s3:PutReplicationConfiguration",
    "GetBucketReplication": "s3:GetReplicationConfiguration",
    "DeleteBucketReplication": "s3:PutReplicationConfiguration",
    "PutBucketNotificationConfiguration": "s3:PutBucketNotification",
    "GetBucketNotificationConfiguration": "s3:GetBucketNotification",
    "PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
    "GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "DeleteBucketLifecycle": "s3:PutLifecycleConfiguration",
    "PutBucketCors": "s3:PutBucketCORS",
    "GetBucketCors": "s3:GetBucketCORS",
    "DeleteBucketCors": "s3:PutBucketCORS",
    "PutBucketAccelerateConfiguration": "s3:PutAccelerateConfiguration",
    "GetBucketAccelerateConfiguration": "s3:GetAccelerateConfiguration",
    "ListObjectVersions": "s3:ListBucketVersions",
}
# Object operations naming a VersionId act on that version: their IAM action differs.
_VERSION_ACTIONS = {
    "GetObject": "s3:GetObjectVersion",
    "HeadObject": "s3:GetObjectVersion",
    "DeleteObject": "s3:DeleteObjectVersion",
    "GetObjectAcl": "s3:GetObjectVersionAcl",
    "PutObjectAcl": "s3:PutObjectVersionAcl",
    "PutObjectTagging": "s3:PutObjectVersionTagging",
    "GetObjectTagging": "s3:GetObjectVersionTagging",
    "DeleteObjectTagging": "s3:DeleteObjectVersionTagging",
}
_OBJECT_OPERATIONS = frozenset({
    "PutObject", "GetObject", "HeadObject", "DeleteObject", "CopyObject", "GetObjectAcl", "PutObjectAcl",
    "CreateMultipartUpload",
    "UploadPart", "UploadPartCopy", "CompleteMultipartUpload", "AbortMultipartUpload", "ListParts",
    "PutObjectTagging", "GetObjectTagging", "DeleteObjectTagging",
    "PutObjectRetention", "GetObjectRetention", "PutObjectLegalHold", "GetObjectLegalHold",
})
# Writes of a new object, which may set its tags (x-amz-tagging) and ACL.
_OBJECT_WRITES = frozenset({"PutObject", "CopyObject", "CreateMultipartUpload"})
# Operations whose policies may test the object's tags (s3:ExistingObjectTag/<key>: the user guide's "Tagging and
# access control policies"; not PutObject or DeleteObject).
_EXISTING_TAG_OPERATIONS = frozenset({
    "GetObject", "HeadObject", "GetObjectAttributes", "GetObjectAcl", "PutObjectAcl", "GetObjectTagging",
    "PutObjectTagging", "DeleteObjectTagging",
})
# The ACL headers' condition keys (the user guide's "Policy examples for ACLs").
_ACL_KEYS = {"ACL": "s3:x-amz-acl", "GrantFullControl": "s3:x-amz-grant-full-control",
             "GrantRead": "s3:x-amz-grant-read", "GrantReadACP": "s3:x-amz-grant-read-acp",
             "GrantWrite": "s3:x-amz-grant-write", "GrantWriteACP": "s3:x-amz-grant-write-acp"}
# The owning account's root keeps these despite an explicit Deny in the bucket policy (aws-spec h.4 rule 2).
_OWNER_EXEMPT = frozenset({"GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"})

ALL_S3_RESOURCES = "arn:aws:s3:::*"


def _effective_policy(row: BucketView, principal: Principal) -> str | None:
    """The bucket policy as it applies to ``principal``: RestrictPublicBuckets drops a public policy's grants to
    callers outside the bucket owner's account (AWS service principals keep them)."""
    if row.policy is None or principal.account_id == row.account_id or principal.service:
        return row.policy
    block = public_access_block(row)
    if block and block.get("RestrictPublicBuckets") and is_public(row.policy):
        return None
    return row.policy


_NO_ACL: dict[str, Any] = {}


def _acl_grant(ctx: Any, row: BucketView, params: dict[str, Any], action: str) -> dict[str, Any]:
    """A check's ``acl`` and ``acl_only``: how the bucket's or the object's ACL grants ``action`` to the requester
    (``acls.granted_as``), and whether only that ACL allows (an object another account owns: the user guide's "How
    Amazon S3 authorizes a request for an object operation"). None count under BucketOwnerEnforced (the user guide's
    "Controlling ownership of objects and disabling ACLs for your bucket"), and some actions map to no permission.
    The bucket's ACL is read only when asked; an object's at once, as its owner decides (ACLs enabled only)."""
    if row.ownership == ENFORCED:  # the default: nothing more to do (issue #19)
        return _NO_ACL
    needed = ACL_PERMISSIONS.get(action)
    if needed is None or ctx.principal.service:
        return _NO_ACL
    permission, on_object = needed

    def granted(document: str | None) -> str | None:
        block = public_access_block(row) or {}
        return granted_as(stored_acl(row, document), permission, ctx.principal.account_id,
                          signed=ctx.principal.kind != ANONYMOUS, ignore_public=bool(block.get("IgnorePublicAcls")))

    if not on_object:
        def bucket_grant() -> str | None:
            setting = repo.find_setting(ctx.session, row.name, ACL_SETTING)
            return granted(setting.document if setting is not None else None)
        return {"acl": bucket_grant}
    version = repo.read_stored(ctx.session, row.name, params["Key"], params.get("VersionId"), with_body=False)
    if version is None or version.delete_marker:
        return _NO_ACL
    foreign = owner_of(row, version.acl_json)["ID"] != canonical_user_id(row.account_id)
    return {"acl": lambda: granted(version.acl_json), "acl_only": foreign}


def object_check(ctx: Any, action: str, bucket: str, key: str, version_id: str | None = None) -> AuthzCheck:
    """The check for one object action on a key or one of its versions (a copy's source, DeleteObjects' keys)."""
    row = find_bucket_view(ctx.session, bucket)
    if row is None:
        raise no_such_bucket(bucket)
    return AuthzCheck(action, object_arn(bucket, key), row.account_id, _effective_policy(row, ctx.principal),
                      **_acl_grant(ctx, row, {"Key": key, "VersionId": version_id}, action))


def _request_tags(operation: str, params: dict[str, Any]) -> list[dict[str, str]] | None:
    """The tags a request sets (None: it sets none): PutObjectTagging's tag set, or the x-amz-tagging header of a
    write (for CopyObject only with the REPLACE tagging directive)."""
    if operation == "PutObjectTagging":
        return (params.get("Tagging") or {}).get("TagSet") or []
    if operation not in _OBJECT_WRITES or not params.get("Tagging"):
        return None
    if operation == "CopyObject" and params.get("TaggingDirective") != "REPLACE":
        return None
    return header_tags(params["Tagging"])


def _with_existing_tags(ctx: Any, context: dict[str, Any], bucket: str, params: dict[str, Any]):
    """``context`` and the object's s3:ExistingObjectTag/<key> keys, read only when a condition needs them."""
    def keys() -> dict[str, Any]:
        row = repo.read_stored(ctx.session, bucket, params["Key"], params.get("VersionId"), with_body=False)
        tags = stored_tags(row.tags_json if row is not None else None)
        return {**context, **{f"s3:ExistingObjectTag/{tag['Key']}": tag["Value"] for tag in tags}}
    return keys


def _lock_context(ctx: Any, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """The Object Lock condition keys of a request that sets a retention or a legal hold (the User Guide's "Setting
    limits on retention periods with a bucket policy")."""
    if operation == "PutObjectRetention":
        retention = params.get("Retention") or {}
        mode, until, hold = retention.get("Mode"), retention.get("RetainUntilDate"), None
    elif operation == "PutObjectLegalHold":
        mode, until, hold = None, None, (params.get("LegalHold") or {}).get("Status")
    elif operation in _OBJECT_WRITES:
        mode, until = params.get("ObjectLockMode"), params.get("ObjectLockRetainUntilDate")
        hold = params.get("ObjectLockLegalHoldStatus")
    else:
        return {}
    if mode is None and until is None and hold is None:  # PutObject's usual case: nothing to add
        return {}
    context = {"s3:object-lock-mode": mode, "s3:object-lock-legal-hold": hold}
    if until is not None:
        context.update({"s3:object-lock-retain-until-date": until.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "s3:object-lock-remaining-retention-days":
                            str(math.ceil((until - ctx.now()).total_seconds() / 86400))})
    return {key: value for key, value in context.items() if value is not None}


def _acl_context(params: dict[str, Any]) -> dict[str, Any]:
    return {key: params[member] for member, key in _ACL_KEYS.items() if params.get(member) is not None}


def _list_context(params: dict[str, Any]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for member, key in (("Prefix", "s3:prefix"), ("Delimiter", "s3:delimiter"), ("MaxKeys", "s3:max-keys")):
        if params.get(member) is not None:
            context[key] = str(params[member])
    return context


def checks(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    """One check per operation; unknown buckets answer NoSuchBucket before any authorization."""
    action = _ACTIONS.get(operation, f"s3:{operation}")
    if params.get("VersionId") is not None:
        action = _VERSION_ACTIONS.get(operation, action)
    bucket = params.get("Bucket")
    if not bucket:
        # Bucketless actions (s3:ListAllMyBuckets) are matched against every S3 resource, so AWS's documented
        # "Resource": "arn:aws:s3:::*" grants them as "*" does.
        return [AuthzCheck(action, ALL_S3_RESOURCES, ctx.account_id or None)]
    if operation == "CreateBucket":
        return [AuthzCheck(action, bucket_arn(bucket), ctx.account_id, context=_acl_context(params))]
    row = find_bucket_view(ctx.session, bucket)
    if row is None:
        raise no_such_bucket(bucket)
    if operation == "DeleteObjects":
        return []  # authorized per key (s3:DeleteObject) by the handler; denials become per-key Errors
    policy = _effective_policy(row, ctx.principal)
    if operation == "GetObjectAttributes":  # S3 asks for both permissions
        names = (("s3:GetObject", "s3:GetObjectAttributes") if params.get("VersionId") is None
                 else ("s3:GetObjectVersion", "s3:GetObjectVersionAttributes"))
        context = _with_existing_tags(ctx, {}, bucket, params)
        return [AuthzCheck(name, object_arn(bucket, params["Key"]), row.account_id, policy, context=context)
                for name in names]
    if operation in _OBJECT_OPERATIONS:
        arn = object_arn(bucket, params.get("Key", ""))
        tags = _request_tags(operation, params)
        context = {**(tag_context(tags) if tags is not None else {}), **_acl_context(params),
                   **_lock_context(ctx, operation, params)}
        also = []
        if operation == "PutObject":  # its tags need s3:PutObjectTagging, its ACL s3:PutObjectAcl (its permissions)
            also = [name for name, needed in (("s3:PutObjectTagging", tags is not None),
                                              ("s3:PutObjectAcl", names_acl(params))) if needed]
        if operation in _EXISTING_TAG_OPERATIONS:
            context = _with_existing_tags(ctx, context, bucket, params)
        acl = _acl_grant(ctx, row, params, action)  # a write's WRITE grant covers the tags and ACL it sets
        return [AuthzCheck(name, arn, row.account_id, policy, context=context, **acl) for name in (action, *also)]
    context = _list_context(params) if action in ("s3:ListBucket", "s3:ListBucketVersions") else _acl_context(params)
    return [AuthzCheck(action, bucket_arn(bucket), row.account_id, policy, context=context,
                       resource_owner_exempt=operation in _OWNER_EXEMPT, **_acl_grant(ctx, row, params, action))]
