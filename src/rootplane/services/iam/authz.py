"""IAM authorization facts: ``iam:<Operation>`` on the resource AWS names for it, with IAM's condition keys.

Credential operations without ``UserName`` act on the caller: the root user's resource is
``arn:aws:iam::<account>:root`` (what the root-task policies' ``NotResource`` relies on).
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from rootplane.authz.checks import AuthzCheck
from rootplane.authz.context_keys import request_tag_context
from rootplane.core.arn import root_arn
from rootplane.services.accounts import repo as accounts
from rootplane.services.iam import repo
from rootplane.services.iam.deletion_tasks import role_arn_of_task
from rootplane.services.iam.tables import GroupRow, InstanceProfileRow, RoleRow, ServerCertificateRow, UserRow
from rootplane.services.iam.user_views import find_user_view
from rootplane.services.sts.session_limits import refuse_restricted
from rootplane.services.tagging import tag_map

__all__ = ["checks"]

_CALLER_OPERATIONS = frozenset({
    "GetUser", "GetLoginProfile", "CreateLoginProfile", "DeleteLoginProfile", "ListAccessKeys", "CreateAccessKey",
    "UpdateAccessKey", "DeleteAccessKey", "ListSigningCertificates", "UploadSigningCertificate",
    "UpdateSigningCertificate", "DeleteSigningCertificate", "ListMFADevices", "DeactivateMFADevice",
    "EnableMFADevice", "ResyncMFADevice", "ChangePassword", "ListSSHPublicKeys", "ListServiceSpecificCredentials",
    "UpdateServiceSpecificCredential", "ResetServiceSpecificCredential", "DeleteServiceSpecificCredential",
})
# iam:PermissionsBoundary: the boundary the request sets, or the one the user or role it changes already has.
_BOUNDARY_OPERATIONS = frozenset({"CreateUser", "CreateRole", "PutUserPermissionsBoundary", "PutRolePermissionsBoundary"})
_ENTITY_BOUNDARY_OPERATIONS = {
    **dict.fromkeys(("AttachUserPolicy", "DetachUserPolicy", "PutUserPolicy", "DeleteUserPolicy",
                     "DeleteUserPermissionsBoundary"), UserRow),
    **dict.fromkeys(("AttachRolePolicy", "DetachRolePolicy", "PutRolePolicy", "DeleteRolePolicy",
                     "DeleteRolePermissionsBoundary"), RoleRow),
}
_POLICY_ARN_OPERATIONS = frozenset({"AttachUserPolicy", "AttachGroupPolicy", "AttachRolePolicy", "DetachUserPolicy",
                                    "DetachGroupPolicy", "DetachRolePolicy"})
# Listing operations are authorized on the path the caller lists (AWS reports e.g. ``...:user/``).
_LIST_KINDS = {"ListUsers": "user", "ListGroups": "group", "ListRoles": "role", "ListInstanceProfiles": "instance-profile",
               "ListServerCertificates": "server-certificate"}
_TAGGING_CREATES = frozenset({"CreateUser", "CreateRole", "CreatePolicy", "CreateInstanceProfile",
                              "CreateVirtualMFADevice", "CreateOpenIDConnectProvider", "CreateSAMLProvider",
                              "UploadServerCertificate"})
_PROVIDER_ARN_PARAMS = ("OpenIDConnectProviderArn", "SAMLProviderArn")
_SELF_SERVICE_OPERATIONS = frozenset({"ChangePassword", "GetAccountPasswordPolicy"})
# IAM's AccessDenied messages name an existing user, role or group "<kind> <name>" ("on resource: user bob");
# anything else, and an entity not created yet (CreateUser...), by its ARN.
_NAMED_IN_DENIALS = frozenset({"user", "role", "group"})


class _Target(NamedTuple):
    """The resource an operation is authorized on, its tags, and how a denial names it (None: by the ARN)."""

    arn: str
    tags: dict[str, str] | None = None
    denial_name: str | None = None
# Access advisor operations authorized on the user, group, role or policy named by ``Arn``.
_ARN_OPERATIONS = frozenset({"GenerateServiceLastAccessedDetails", "ListPoliciesGrantingServiceAccess"})


def _caller_resource(ctx: Any) -> _Target:
    principal = ctx.principal
    if principal.is_root:
        return _Target(root_arn(ctx.account_id))
    if principal.kind == "IAMUser":
        return _Target(principal.arn, principal.tag_map())
    return _Target("*")


def _named(ctx: Any, row_cls: Any, kind: str, name: str) -> _Target:
    if row_cls is UserRow:  # the most asked: from the user cache (no SQL when cached)
        row: Any = find_user_view(ctx.session, ctx.account_id, name)
    else:
        row = repo.find_named(ctx.session, row_cls, ctx.account_id, name)
    if row is None:
        return _Target(f"arn:aws:iam::{ctx.account_id}:{kind}/{name}")
    denial_name = f"{kind} {row.arn.rsplit('/', 1)[-1]}" if kind in _NAMED_IN_DENIALS else None
    return _Target(row.arn, getattr(row, "tags", None), denial_name)


def _key_owner(ctx: Any, access_key_id: str) -> _Target:
    key = accounts.find_access_key(ctx.session, access_key_id)
    if key is None or key.account_id != ctx.account_id:
        return _caller_resource(ctx)
    return _Target(root_arn(ctx.account_id)) if key.user_name is None else _named(ctx, UserRow, "user", key.user_name)


def _resource(ctx: Any, operation: str, params: dict[str, Any]) -> _Target:
    account_id = ctx.account_id
    if operation == "CreateUser":
        return _Target(f"arn:aws:iam::{account_id}:user{params.get('Path') or '/'}{params['UserName']}")
    if operation == "CreateRole":
        return _Target(f"arn:aws:iam::{account_id}:role{params.get('Path') or '/'}{params['RoleName']}")
    if operation == "CreateGroup":
        return _Target(f"arn:aws:iam::{account_id}:group{params.get('Path') or '/'}{params['GroupName']}")
    if operation == "CreatePolicy":
        return _Target(f"arn:aws:iam::{account_id}:policy{params.get('Path') or '/'}{params['PolicyName']}")
    if operation == "CreateVirtualMFADevice":
        return _Target(f"arn:aws:iam::{account_id}:mfa{params.get('Path') or '/'}{params['VirtualMFADeviceName']}")
    if operation == "CreateOpenIDConnectProvider":
        return _Target(f"arn:aws:iam::{account_id}:oidc-provider/{params['Url'].removeprefix('https://').rstrip('/')}")
    if operation == "CreateSAMLProvider":
        return _Target(f"arn:aws:iam::{account_id}:saml-provider/{params['Name']}")
    if operation == "UploadServerCertificate":
        return _Target(f"arn:aws:iam::{account_id}:server-certificate{params.get('Path') or '/'}"
                       f"{params['ServerCertificateName']}")
    if operation in _ARN_OPERATIONS:
        return _Target(params["Arn"])
    if operation == "GenerateOrganizationsAccessReport":
        return _Target(f"arn:aws:iam::{account_id}:access-report/{params['EntityPath']}")
    if operation == "GetServiceLinkedRoleDeletionStatus":
        return _Target(role_arn_of_task(account_id, params["DeletionTaskId"]))
    if params.get("ServerCertificateName"):
        return _named(ctx, ServerCertificateRow, "server-certificate", params["ServerCertificateName"])
    for member in _PROVIDER_ARN_PARAMS:
        if params.get(member):
            return _Target(params[member])
    if operation in _LIST_KINDS:
        return _Target(f"arn:aws:iam::{account_id}:{_LIST_KINDS[operation]}{params.get('PathPrefix') or '/'}")
    if operation == "GetAccessKeyLastUsed":
        return _key_owner(ctx, params["AccessKeyId"])
    if params.get("UserName"):
        return _named(ctx, UserRow, "user", params["UserName"])
    if operation in _CALLER_OPERATIONS:
        return _caller_resource(ctx)
    if params.get("RoleName"):
        return _named(ctx, RoleRow, "role", params["RoleName"])
    if params.get("GroupName"):
        return _named(ctx, GroupRow, "group", params["GroupName"])
    if params.get("InstanceProfileName"):
        return _named(ctx, InstanceProfileRow, "instance-profile", params["InstanceProfileName"])
    if params.get("PolicyArn"):
        return _Target(params["PolicyArn"])
    if params.get("SerialNumber"):
        return _Target(params["SerialNumber"])
    if params.get("PolicySourceArn"):
        return _Target(params["PolicySourceArn"])
    return _Target("*")


def _boundary(ctx: Any, operation: str, params: dict[str, Any]) -> str | None:
    if operation in _BOUNDARY_OPERATIONS:
        return params.get("PermissionsBoundary")
    row_cls = _ENTITY_BOUNDARY_OPERATIONS.get(operation)
    if row_cls is None:
        return None
    name = params["UserName"] if row_cls is UserRow else params["RoleName"]
    row = repo.find_named(ctx.session, row_cls, ctx.account_id, name)
    return row.boundary_arn if row is not None else None


def _context(ctx: Any, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    boundary = _boundary(ctx, operation, params)
    if boundary:
        context["iam:PermissionsBoundary"] = boundary
    if operation in _POLICY_ARN_OPERATIONS:
        context["iam:PolicyARN"] = params["PolicyArn"]
    if operation in _TAGGING_CREATES or operation.startswith("Tag"):
        context.update(request_tag_context(tag_map(params.get("Tags"))))
    if operation.startswith("Untag") and params.get("TagKeys"):
        context["aws:TagKeys"] = list(params["TagKeys"])
    return context


def _self_service_grant(ctx: Any, operation: str) -> str | None:
    """AllowUsersToChangePassword lets every IAM user change its own password and read the password policy
    without a policy saying so (explicit denies still apply): expressed as an allow naming the caller."""
    principal = ctx.principal
    if operation not in _SELF_SERVICE_OPERATIONS or principal.kind != "IAMUser":
        return None
    policy = repo.password_policy(ctx.session, ctx.account_id) or {}
    if not policy.get("AllowUsersToChangePassword"):
        return None
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": principal.arn}, "Action": f"iam:{operation}", "Resource": "*"}]})


def checks(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    """One check per operation: ``iam:<Operation>`` on its resource, with resource tags and IAM context keys."""
    refuse_restricted(ctx.principal, "iam", operation)
    target = _resource(ctx, operation, params)
    return [AuthzCheck(f"iam:{operation}", target.arn, ctx.account_id, context=_context(ctx, operation, params),
                       resource_tags=target.tags, resource_policy=_self_service_grant(ctx, operation),
                       denial_resource=target.denial_name)]
