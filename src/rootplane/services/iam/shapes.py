"""Rows -> IAM output shapes (member names exactly as in botocore's model)."""

from __future__ import annotations

from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.iam.principal_ids import shown_trust_policy
from rootplane.services.iam.repo import decode_marker, encode_marker
from rootplane.services.iam.tables import GroupRow, InstanceProfileRow, RoleRow, UserRow
from rootplane.services.iam.user_views import UserView

__all__ = ["tags", "page_of", "tag_page", "boundary", "user", "group", "role", "instance_profile", "listing"]


def tags(tag_list: list[Any] | None) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in (tag_list or [])]


def page_of(items: list[Any], marker: str | None, max_items: int | None) -> tuple[list[Any], dict[str, Any]]:
    """A page of a list held whole (``MaxItems``, default 100, after ``Marker``) and its IsTruncated/Marker members:
    the marker carries the next offset."""
    start = 0
    if marker:
        offset = decode_marker(marker)[0]
        if not offset.isdigit():
            raise AwsError("ValidationError", "Invalid Marker.", 400)
        start = int(offset)
    end = start + (max_items or 100)
    if end < len(items):
        return items[start:end], {"IsTruncated": True, "Marker": encode_marker(str(end))}
    return items[start:], {"IsTruncated": False}


def tag_page(tag_list: list[Any] | None, params: dict[str, Any]) -> dict[str, Any]:
    """A List*Tags answer: ``MaxItems`` tags (default 100) after ``Marker``, with IsTruncated and the next Marker;
    "the returned list of tags is sorted by tag key" (IAM API reference, ListUserTags and the other List*Tags)."""
    ordered = sorted(tag_list or [], key=lambda tag: tag[0])
    found, paging = page_of(tags(ordered), params.get("Marker"), params.get("MaxItems"))
    return {"Tags": found, **paging}


def boundary(arn: str | None) -> dict[str, str] | None:
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn} if arn else None


def _compact(shape: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in shape.items() if value is not None and value != []}


def user(row: UserRow | UserView, *, full: bool = False) -> dict[str, Any]:
    """The User shape (of a row, or of a cached view); GetUser/CreateUser (``full``) add the boundary and tags, list
    operations omit them."""
    shape: dict[str, Any] = {
        "Path": row.path, "UserName": row.user_name, "UserId": row.user_id, "Arn": row.arn,
        "CreateDate": row.created_at, "PasswordLastUsed": row.password_last_used,
    }
    if full:
        shape["PermissionsBoundary"] = boundary(row.boundary_arn)
        shape["Tags"] = tags(row.tag_list)
    return _compact(shape)


def group(row: GroupRow) -> dict[str, Any]:
    return {"Path": row.path, "GroupName": row.group_name, "GroupId": row.group_id, "Arn": row.arn,
            "CreateDate": row.created_at}


def role(row: RoleRow, *, full: bool = False) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "Path": row.path, "RoleName": row.role_name, "RoleId": row.role_id, "Arn": row.arn,
        "CreateDate": row.created_at, "AssumeRolePolicyDocument": shown_trust_policy(row),
        "Description": row.description, "MaxSessionDuration": row.max_session_duration,
    }
    if full:
        shape["PermissionsBoundary"] = boundary(row.boundary_arn)
        shape["Tags"] = tags(row.tag_list)
        last_used: dict[str, Any] = {}
        if row.last_used_at is not None:
            last_used = {"LastUsedDate": row.last_used_at, "Region": row.last_used_region}
        shape["RoleLastUsed"] = last_used
    return _compact(shape)


def instance_profile(row: InstanceProfileRow, roles: list[RoleRow], *, tagged: bool = True) -> dict[str, Any]:
    """The InstanceProfile shape; its roles without MaxSessionDuration (the AWS CLI reference's
    list-instance-profiles example); ListInstanceProfiles (not ``tagged``) leaves out its tags."""
    members = [{key: value for key, value in role(r).items() if key != "MaxSessionDuration"} for r in roles]
    shape = {"Path": row.path, "InstanceProfileName": row.profile_name, "InstanceProfileId": row.profile_id,
             "Arn": row.arn, "CreateDate": row.created_at, "Roles": members}
    if tagged and row.tag_list:
        shape["Tags"] = tags(row.tag_list)
    return shape


def listing(member: str, items: list[Any], page: Any) -> dict[str, Any]:
    """A paginated list response: the items, ``IsTruncated`` and the next ``Marker``."""
    result: dict[str, Any] = {member: items, "IsTruncated": page.is_truncated}
    if page.marker:
        result["Marker"] = page.marker
    return result
