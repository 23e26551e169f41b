"""IAM groups and their membership."""

from __future__ import annotations

from typing import Any

from rootplane.core import ids
from rootplane.services.context import RequestContext
from rootplane.services.iam import entities, errors, inputs, repo, shapes
from rootplane.services.iam.quotas import QUOTAS
from rootplane.services.iam.tables import GroupMemberRow, GroupRow

__all__ = ["GroupsMixin"]


class GroupsMixin:
    def create_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["GroupName"]
        exists = errors.already_exists(f"Group with name {name} already exists.")
        if repo.find_named(ctx.session, GroupRow, ctx.account_id, name) is not None:
            raise exists
        if repo.reached_quota(ctx.session, GroupRow, ctx.account_id, QUOTAS["GroupsQuota"]):
            raise errors.limit_exceeded(f"Cannot exceed quota for GroupsPerAccount: {QUOTAS['GroupsQuota']}")
        row = repo.put(ctx.session, GroupRow(
            group_id=ids.unique_id("AGPA"), account_id=ctx.account_id, group_name=name, name_key=name.lower(),
            path=inputs.check_path(params.get("Path")), created_at=ctx.now(),
        ), conflict=exists)
        return {"Group": shapes.group(row)}

    def get_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = entities.get_group(ctx.session, ctx.account_id, params["GroupName"])
        page = repo.list_group_users(ctx.session, group.group_id, params.get("Marker"), params.get("MaxItems"))
        result = shapes.listing("Users", [shapes.user(row) for row in page.rows], page)
        result["Group"] = shapes.group(group)
        return result

    def list_groups(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        page = repo.list_named(ctx.session, GroupRow, ctx.account_id, params.get("PathPrefix"), params.get("Marker"),
                               params.get("MaxItems"))
        return shapes.listing("Groups", [shapes.group(row) for row in page.rows], page)

    def update_group(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        group = entities.get_group(ctx.session, ctx.account_id, params["GroupName"])
        if params.get("NewPath") is not None:
            group.path = inputs.check_path(params["NewPath"], "newPath")
        new_name = params.get("NewGroupName")
        if new_name and new_name != group.group_name:
            exists = errors.already_exists(f"Group with name {new_name} already exists.")
            existing = repo.find_named(ctx.session, GroupRow, ctx.account_id, new_name)
            if existing is not None and existing.group_id != group.group_id:
                raise exists
            repo.rekey_entity(ctx.session, group.group_id, new_name)
            group.group_name, group.name_key = new_name, new_name.lower()
            repo.flush(ctx.session, conflict=exists)
        return None

    def delete_group(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        group = entities.get_group(ctx.session, ctx.account_id, params["GroupName"])
        if repo.list_group_users(ctx.session, group.group_id, None, 1).rows:
            raise errors.delete_conflict("Cannot delete entity, must remove users from group first.")
        if repo.inline_policies(ctx.session, [group.group_id]):
            raise errors.delete_conflict("Cannot delete entity, must delete policies first.")
        if repo.count_attachments(ctx.session, group.group_id):
            raise errors.delete_conflict("Cannot delete entity, must detach all policies first.")
        repo.remove(ctx.session, group)
        return None

    def add_user_to_group(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        group = entities.get_group(ctx.session, ctx.account_id, params["GroupName"])
        user = entities.get_user(ctx.session, ctx.account_id, params["UserName"])
        if repo.find_membership(ctx.session, group.group_id, user.user_id) is not None:
            return None
        if repo.count_groups_of_user(ctx.session, user.user_id) >= QUOTAS["GroupsPerUserQuota"]:
            raise errors.limit_exceeded(f"Cannot exceed quota for GroupsPerUser: {QUOTAS['GroupsPerUserQuota']}")
        repo.put(ctx.session, GroupMemberRow(group_id=group.group_id, user_id=user.user_id,
                                             group_key=group.name_key, user_key=user.name_key))
        return None

    def remove_user_from_group(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        group = entities.get_group(ctx.session, ctx.account_id, params["GroupName"])
        user = entities.get_user(ctx.session, ctx.account_id, params["UserName"])
        member = repo.find_membership(ctx.session, group.group_id, user.user_id)
        if member is None:
            raise errors.no_such_entity(
                f"The user with name {user.user_name} cannot be found in group {group.group_name}.")
        repo.remove(ctx.session, member)
        return None

    def list_groups_for_user(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        user = entities.get_user(ctx.session, ctx.account_id, params["UserName"])
        page = repo.list_groups_for_user(ctx.session, user.user_id, params.get("Marker"), params.get("MaxItems"))
        return shapes.listing("Groups", [shapes.group(row) for row in page.rows], page)
