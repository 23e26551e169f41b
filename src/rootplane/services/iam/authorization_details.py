"""GetAccountAuthorizationDetails: users, groups, roles and managed policies with everything attached to them.

Pages run across the segments in AWS's order (users, groups, roles, customer policies, AWS policies in use); the
marker carries the segment and the last key. Each page costs one query per relation, never one per entity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rootplane.services.context import RequestContext
from rootplane.services.iam import catalog, repo, shapes
from rootplane.services.iam.tables import GroupRow, ManagedPolicyRow, RoleRow, UserRow

__all__ = ["AuthorizationDetailsMixin"]

_SEGMENTS = ("User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy")
_MEMBERS = {"User": "UserDetailList", "Group": "GroupDetailList", "Role": "RoleDetailList",
            "LocalManagedPolicy": "Policies", "AWSManagedPolicy": "Policies"}


def _relations(ctx: RequestContext, entity_ids: list[str]) -> tuple[dict[str, list], dict[str, list]]:
    """Inline policies and attached managed policies of a page of entities, keyed by entity id."""
    inline: dict[str, list] = {}
    for row in sorted(repo.inline_policies(ctx.session, entity_ids), key=lambda r: r.policy_name):
        inline.setdefault(row.entity_id, []).append({"PolicyName": row.policy_name, "PolicyDocument": row.document})
    attached: dict[str, list] = {}
    for row in repo.attachments_of(ctx.session, entity_ids):
        attached.setdefault(row.entity_id, []).append({"PolicyName": row.policy_name, "PolicyArn": row.policy_arn})
    return inline, attached


def _with_boundary_and_tags(shape: dict[str, Any], row: UserRow | RoleRow) -> dict[str, Any]:
    if row.boundary_arn:
        shape["PermissionsBoundary"] = shapes.boundary(row.boundary_arn)
    shape["Tags"] = shapes.tags(row.tag_list)
    return shape


def _users(ctx: RequestContext, rows: list[UserRow]) -> list[dict[str, Any]]:
    ids = [row.user_id for row in rows]
    inline, attached = _relations(ctx, ids)
    groups = repo.group_names_of_users(ctx.session, ids)
    return [_with_boundary_and_tags({
        "Path": row.path, "UserName": row.user_name, "UserId": row.user_id, "Arn": row.arn,
        "CreateDate": row.created_at, "UserPolicyList": inline.get(row.user_id, []),
        "GroupList": groups.get(row.user_id, []), "AttachedManagedPolicies": attached.get(row.user_id, []),
    }, row) for row in rows]


def _groups(ctx: RequestContext, rows: list[GroupRow]) -> list[dict[str, Any]]:
    inline, attached = _relations(ctx, [row.group_id for row in rows])
    return [{**shapes.group(row), "GroupPolicyList": inline.get(row.group_id, []),
             "AttachedManagedPolicies": attached.get(row.group_id, [])} for row in rows]


def _roles(ctx: RequestContext, rows: list[RoleRow]) -> list[dict[str, Any]]:
    ids = [row.role_id for row in rows]
    inline, attached = _relations(ctx, ids)
    profiles: dict[str, list] = {}
    by_id = {row.role_id: row for row in rows}
    for profile in repo.profiles_of_roles(ctx.session, ids):
        profiles.setdefault(profile.role_id, []).append(shapes.instance_profile(profile, [by_id[profile.role_id]]))
    result = []
    for row in rows:
        full = shapes.role(row, full=True)
        shape = {key: full[key] for key in ("Path", "RoleName", "RoleId", "Arn", "CreateDate",
                                            "AssumeRolePolicyDocument")}
        shape.update(InstanceProfileList=profiles.get(row.role_id, []), RolePolicyList=inline.get(row.role_id, []),
                     AttachedManagedPolicies=attached.get(row.role_id, []))
        _with_boundary_and_tags(shape, row)
        shape["RoleLastUsed"] = full["RoleLastUsed"]
        result.append(shape)
    return result


def _policies(ctx: RequestContext, views: list[catalog.PolicyView]) -> list[dict[str, Any]]:
    arns = [view.arn for view in views]
    attached = repo.attachment_counts(ctx.session, ctx.account_id, arns) if arns else {}
    bounded = repo.boundary_counts(ctx.session, ctx.account_id, arns) if arns else {}
    versions: dict[str, list] = {}
    stored_ids = [view.policy_id for view in views if not view.is_aws]
    for version in repo.versions_of_policies(ctx.session, stored_ids):
        versions.setdefault(version.policy_id, []).append(version)
    result = []
    for view in views:
        if view.is_aws:
            version_list = [{"Document": view.document, "VersionId": view.default_version_id,
                             "IsDefaultVersion": True, "CreateDate": view.updated_at}]
        else:
            version_list = [{"Document": v.document, "VersionId": v.version_id,
                             "IsDefaultVersion": v.version_id == view.default_version_id, "CreateDate": v.created_at}
                            for v in versions.get(view.policy_id, [])]
        shape: dict[str, Any] = {
            "PolicyName": view.name, "PolicyId": view.policy_id, "Arn": view.arn, "Path": view.path,
            "DefaultVersionId": view.default_version_id, "AttachmentCount": attached.get(view.arn, 0),
            "PermissionsBoundaryUsageCount": bounded.get(view.arn, 0), "IsAttachable": view.is_attachable,
            "CreateDate": view.created_at, "UpdateDate": view.updated_at, "PolicyVersionList": version_list,
        }
        if view.description:
            shape["Description"] = view.description
        result.append(shape)
    return result


def _segment_page(ctx: RequestContext, segment: str, after: str, limit: int) -> tuple[list[dict[str, Any]], str | None]:
    """One segment's items after ``after`` and the key of the last one when more follow."""
    marker = repo.encode_marker(after) if after else None
    if segment == "AWSManagedPolicy":
        page = repo.list_attached_aws_arns(ctx.session, ctx.account_id, marker, limit)
        views = [view for view in (catalog.aws_policy(arn) for arn in page.rows) if view is not None]
        return _policies(ctx, views), (page.rows[-1] if page.is_truncated else None)
    row_cls, build = _NAMED_SEGMENTS[segment]
    page = repo.list_named(ctx.session, row_cls, ctx.account_id, None, marker, limit)
    return build(ctx, page.rows), (page.rows[-1].name_key if page.is_truncated else None)


def _local_policies(ctx: RequestContext, rows: list[ManagedPolicyRow]) -> list[dict[str, Any]]:
    return _policies(ctx, catalog.resolve_many(ctx.session, [row.arn for row in rows]))


_NAMED_SEGMENTS: dict[str, tuple[Any, Callable[..., list[dict[str, Any]]]]] = {
    "User": (UserRow, _users), "Group": (GroupRow, _groups), "Role": (RoleRow, _roles),
    "LocalManagedPolicy": (ManagedPolicyRow, _local_policies),
}


class AuthorizationDetailsMixin:
    def get_account_authorization_details(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        wanted = [segment for segment in _SEGMENTS if segment in (params.get("Filter") or _SEGMENTS)]
        limit = params.get("MaxItems") or 100
        segment, after = repo.decode_marker(params["Marker"], 2) if params.get("Marker") else (wanted[0], "")
        if segment not in wanted:
            wanted = []
        result: dict[str, Any] = {member: [] for member in dict.fromkeys(_MEMBERS.values())}
        next_marker = None
        for index in range(wanted.index(segment) if wanted else 0, len(wanted)):
            current = wanted[index]
            remaining = limit - sum(len(items) for items in result.values())
            if remaining <= 0:
                next_marker = repo.encode_marker(current, "")
                break
            items, last = _segment_page(ctx, current, after, remaining)
            result[_MEMBERS[current]].extend(items)
            if last is not None:
                next_marker = repo.encode_marker(current, last)
                break
            after = ""
        result["IsTruncated"] = next_marker is not None
        if next_marker:
            result["Marker"] = next_marker
        return result
