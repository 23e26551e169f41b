"""Access control lists as the user guide's "Access control list (ACL) overview" describes them: the grants of a
canned ACL (x-amz-acl), of the x-amz-grant-* headers and of an AccessControlPolicy body; Object Ownership's
BucketOwnerEnforced (ACLs disabled: only the bucket owner's full control is accepted, and reads show it) and Block
Public Access's BlockPublicAcls (grants to AllUsers or AuthenticatedUsers refused)."""

from __future__ import annotations

import json
import re
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.s3.bucket_views import Bucket
from rootplane.services.s3.names import canonical_user_id

__all__ = ["ENFORCED", "ACL_PERMISSIONS", "names_acl", "request_acl", "requested_acl", "new_object_acl", "owner_of",
           "stored_acl", "grants_others", "grants_public", "granted_as"]

ENFORCED = "BucketOwnerEnforced"
PREFERRED = "BucketOwnerPreferred"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
_GROUPS = frozenset({ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY})
_PUBLIC_GROUPS = frozenset({ALL_USERS, AUTHENTICATED_USERS})  # the user guide's "The meaning of 'public'"
# The canonical user of Amazon EC2, which aws-exec-read lets read AMI bundles.
_EC2 = "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c"
# Canned ACLs: the grants each adds to the owner's FULL_CONTROL (to a group by URI, a canonical user by ID, or
# "bucket-owner": the bucket owner, when another account owns the object).
_CANNED: dict[str, tuple[tuple[str, str], ...]] = {
    "private": (), "aws-exec-read": ((_EC2, "READ"),), "bucket-owner-read": (("bucket-owner", "READ"),),
    "bucket-owner-full-control": (("bucket-owner", "FULL_CONTROL"),),
    "public-read": ((ALL_USERS, "READ"),), "public-read-write": ((ALL_USERS, "READ"), (ALL_USERS, "WRITE")),
    "authenticated-read": ((AUTHENTICATED_USERS, "READ"),),
    "log-delivery-write": ((LOG_DELIVERY, "WRITE"), (LOG_DELIVERY, "READ_ACP")),
}
# The ACL permission each action needs, and whether the object's ACL holds it (else the bucket's): the user guide's
# "Access control list (ACL) overview", "Mapping of ACL permissions and access policy permissions". FULL_CONTROL
# grants them all.
ACL_PERMISSIONS: dict[str, tuple[str, bool]] = {
    "s3:ListBucket": ("READ", False), "s3:ListBucketVersions": ("READ", False),
    "s3:ListBucketMultipartUploads": ("READ", False), "s3:PutObject": ("WRITE", False),
    "s3:DeleteObject": ("WRITE", False), "s3:DeleteObjectVersion": ("WRITE", False),
    "s3:GetBucketAcl": ("READ_ACP", False), "s3:PutBucketAcl": ("WRITE_ACP", False),
    "s3:GetObject": ("READ", True), "s3:GetObjectVersion": ("READ", True), "s3:GetObjectAcl": ("READ_ACP", True),
    "s3:GetObjectVersionAcl": ("READ_ACP", True), "s3:PutObjectAcl": ("WRITE_ACP", True),
    "s3:PutObjectVersionAcl": ("WRITE_ACP", True),
}
_GRANT_HEADERS = {"GrantFullControl": "FULL_CONTROL", "GrantWrite": "WRITE", "GrantWriteACP": "WRITE_ACP",
                  "GrantRead": "READ", "GrantReadACP": "READ_ACP"}
_GRANTEE = re.compile(r'\s*(id|uri|emailAddress)\s*=\s*"?([^",]*)"?\s*')
_CANONICAL_ID = re.compile(r"[0-9a-f]{64}")


def _user(canonical_id: str, permission: str) -> dict[str, Any]:
    return {"Grantee": {"ID": canonical_id, "Type": "CanonicalUser"}, "Permission": permission}


def _group(uri: str, permission: str) -> dict[str, Any]:
    return {"Grantee": {"Type": "Group", "URI": uri}, "Permission": permission}


def _owner_acl(account_id: str) -> dict[str, Any]:
    """The default ACL: the owner's full control."""
    owner = canonical_user_id(account_id)
    return {"Owner": {"ID": owner}, "Grants": [_user(owner, "FULL_CONTROL")]}


def _canned(acl: str, owner: str, bucket_owner: str) -> list[dict[str, Any]]:
    grants = [_user(owner, "FULL_CONTROL")]
    for grantee, permission in _CANNED[acl]:
        if grantee in _GROUPS:
            grants.append(_group(grantee, permission))
        elif grantee != "bucket-owner":
            grants.append(_user(grantee, permission))
        elif bucket_owner != owner:
            grants.append(_user(bucket_owner, permission))
    return grants


def _malformed() -> AwsError:
    return AwsError("MalformedACLError", "The XML you provided was not well-formed or did not validate against our "
                    "published schema", 400)


def _checked_grantee(grantee: dict[str, Any]) -> dict[str, Any]:
    """A grantee as stored: a canonical user by ID, or a predefined group by URI (S3's errors otherwise)."""
    kind = grantee.get("Type")
    if kind == "CanonicalUser":
        if not _CANONICAL_ID.fullmatch(grantee.get("ID") or ""):
            raise AwsError("InvalidArgument", "Invalid id", 400,
                           fields={"ArgumentName": "CanonicalUser/ID", "ArgumentValue": grantee.get("ID") or ""})
        return {"ID": grantee["ID"], "Type": kind}
    if kind == "Group":
        if grantee.get("URI") not in _GROUPS:
            raise AwsError("InvalidArgument", "Invalid group uri", 400,
                           fields={"ArgumentName": "Group/URI", "ArgumentValue": grantee.get("URI") or ""})
        return {"Type": kind, "URI": grantee["URI"]}
    if kind == "AmazonCustomerByEmail":  # discontinued on 1 October 2025 (PutBucketAcl's end of support notice)
        raise AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405)
    raise _malformed()


def _header_grants(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The grants of the x-amz-grant-* headers: comma-separated ``id="..."``, ``uri="..."`` or
    ``emailAddress="..."``."""
    grants = []
    for member, permission in _GRANT_HEADERS.items():
        for item in (params[member].split(",") if params.get(member) else ()):
            found = _GRANTEE.fullmatch(item)
            if found is None:
                raise AwsError("InvalidArgument", "Argument format not recognized", 400,
                               fields={"ArgumentName": f"x-amz-grant-{permission.lower().replace('_', '-')}",
                                       "ArgumentValue": params[member]})
            kind, value = found.groups()
            grantee = {"id": {"Type": "CanonicalUser", "ID": value}, "uri": {"Type": "Group", "URI": value},
                       "emailAddress": {"Type": "AmazonCustomerByEmail", "EmailAddress": value}}[kind]
            grants.append({"Grantee": _checked_grantee(grantee), "Permission": permission})
    return grants


def _request_grants(params: dict[str, Any], owner: str, bucket_owner: str) -> list[dict[str, Any]] | None:
    """The grants a request sets (None: it names no ACL): a canned ACL, grant headers or a body, never two."""
    canned, body = params.get("ACL"), params.get("AccessControlPolicy")
    headers = any(params.get(member) for member in _GRANT_HEADERS)
    if canned is not None and headers:
        raise AwsError("InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed", 400)
    if body is not None and (canned is not None or headers):
        raise AwsError("UnexpectedContent", "This request does not support content", 400)
    if canned is not None:
        return _canned(canned, owner, bucket_owner)
    if headers:
        return _header_grants(params)
    if body is not None:
        if any(grant.get("Permission") is None for grant in body.get("Grants") or []):
            raise _malformed()
        return [{"Grantee": _checked_grantee(grant.get("Grantee") or {}), "Permission": grant["Permission"]}
                for grant in body.get("Grants") or []]
    return None


def grants_others(acl: dict[str, Any]) -> bool:
    """Whether an ACL grants anything but its owner's full control (what BucketOwnerEnforced refuses)."""
    return any(grant != _user(acl["Owner"]["ID"], "FULL_CONTROL") for grant in acl["Grants"])


def grants_public(acl: dict[str, Any]) -> bool:
    """Whether an ACL grants anything to AllUsers or AuthenticatedUsers."""
    return any(grant["Grantee"].get("URI") in _PUBLIC_GROUPS for grant in acl["Grants"])


def granted_as(acl: dict[str, Any], permission: str, account_id: str, *, signed: bool,
               ignore_public: bool) -> str | None:
    """How ``acl`` grants ``permission`` to a requester of ``account_id`` (empty: anonymous): "wildcard" through
    AllUsers (AuthenticatedUsers: signed requests only), "account" through its account's canonical user, else None.
    ``ignore_public`` (IgnorePublicAcls): grants to those groups do not count."""
    me = canonical_user_id(account_id) if account_id else None
    found = None
    for grant in acl["Grants"]:
        if grant["Permission"] not in (permission, "FULL_CONTROL"):
            continue
        uri = grant["Grantee"].get("URI")
        if uri in _PUBLIC_GROUPS and not ignore_public and (uri == ALL_USERS or signed):
            return "wildcard"
        if me is not None and grant["Grantee"].get("ID") == me:
            found = "account"
    return found


def names_acl(params: dict[str, Any]) -> bool:
    """Whether a request names an ACL (x-amz-acl, an x-amz-grant-* header or an AccessControlPolicy body)."""
    return any(params.get(member) is not None for member in ("ACL", "AccessControlPolicy", *_GRANT_HEADERS))


def request_acl(owner: str, params: dict[str, Any], bucket_owner: str | None = None) -> dict[str, Any] | None:
    """The ACL a request names for a resource of canonical user ``owner`` in a bucket of ``bucket_owner`` (the same
    by default); None when it names none."""
    grants = _request_grants(params, owner, bucket_owner or owner)
    return None if grants is None else {"Owner": {"ID": owner}, "Grants": grants}


def requested_acl(bucket: Bucket, params: dict[str, Any], owner: str | None = None) -> dict[str, Any] | None:
    """The ACL a write sets on ``bucket`` or an object of it owned by canonical user ``owner`` (by default the
    bucket owner); None when it names none, or when ACLs are disabled and it names the owner's full control, which
    reads show anyway. BucketOwnerEnforced refuses any other ACL (400 AccessControlListNotSupported);
    BlockPublicAcls refuses public ones (403 AccessDenied)."""
    if not names_acl(params):
        return None  # most writes name none: no owner id to work out
    bucket_owner = canonical_user_id(bucket.account_id)
    if bucket.ownership == ENFORCED:
        owner = None  # the bucket owner owns every object
    acl = request_acl(owner or bucket_owner, params, bucket_owner)
    if acl is None:
        return None
    if bucket.ownership == ENFORCED:
        if grants_others(acl):
            raise AwsError("AccessControlListNotSupported", "The bucket does not allow ACLs", 400)
        return None
    block = json.loads(bucket.public_access_block) if bucket.public_access_block else {}
    if block.get("BlockPublicAcls") and grants_public(acl):
        raise AwsError("AccessDenied", "Access Denied", 403)
    return acl


def new_object_acl(bucket: Bucket, params: dict[str, Any], writer_account: str | None) -> dict[str, Any] | None:
    """A new object's ACL (None: its bucket owner's full control). Another account writing it owns it under
    ObjectWriter (or without ownership controls), and under BucketOwnerPreferred unless it names
    bucket-owner-full-control (the user guide's "Controlling ownership of objects")."""
    if (writer_account in (None, "", bucket.account_id) or bucket.ownership == ENFORCED
            or (bucket.ownership == PREFERRED and params.get("ACL") == "bucket-owner-full-control")):
        return requested_acl(bucket, params)
    writer = canonical_user_id(writer_account)
    return requested_acl(bucket, params, writer) or {"Owner": {"ID": writer}, "Grants": [_user(writer, "FULL_CONTROL")]}


def owner_of(bucket: Bucket, acl_json: str | None) -> dict[str, str]:
    """The Owner of an object (as listings show it): its stored ACL's, else (or with ACLs disabled) its bucket's."""
    if acl_json is None or bucket.ownership == ENFORCED:
        return {"ID": canonical_user_id(bucket.account_id)}
    return json.loads(acl_json)["Owner"]


def stored_acl(bucket: Bucket, acl_json: str | None) -> dict[str, Any]:
    """What GetBucketAcl/GetObjectAcl answer: the stored ACL, or the owner's full control when there is none or
    ACLs are disabled (BucketOwnerEnforced)."""
    if acl_json is None or bucket.ownership == ENFORCED:
        return _owner_acl(bucket.account_id)
    return json.loads(acl_json)
