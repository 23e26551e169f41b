"""Instance profiles (one role each)."""

from __future__ import annotations

from typing import Any

from rootplane.core import ids
from rootplane.services.context import RequestContext
from rootplane.services.iam import entities, errors, inputs, repo, shapes
from rootplane.services.iam.quotas import QUOTAS
from rootplane.services.iam.tables import InstanceProfileRow

__all__ = ["InstanceProfilesMixin"]


def _shape(ctx: RequestContext, row: InstanceProfileRow, *, tagged: bool = True) -> dict[str, Any]:
    role = repo.role_by_id(ctx.session, row.role_id) if row.role_id else None
    return shapes.instance_profile(row, [role] if role is not None else [], tagged=tagged)


class InstanceProfilesMixin:
    def create_instance_profile(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["InstanceProfileName"]
        exists = errors.already_exists(f"Instance Profile {name} already exists.")
        if repo.find_named(ctx.session, InstanceProfileRow, ctx.account_id, name) is not None:
            raise exists
        if repo.reached_quota(ctx.session, InstanceProfileRow, ctx.account_id, QUOTAS["InstanceProfilesQuota"]):
            raise errors.limit_exceeded(
                f"Cannot exceed quota for InstanceProfilesPerAccount: {QUOTAS['InstanceProfilesQuota']}")
        row = repo.put(ctx.session, InstanceProfileRow(
            profile_id=ids.unique_id("AIPA"), account_id=ctx.account_id, profile_name=name, name_key=name.lower(),
            path=inputs.check_path(params.get("Path")), created_at=ctx.now(),
            tag_list=inputs.merge_tags([], params.get("Tags")),
        ), conflict=exists)
        return {"InstanceProfile": _shape(ctx, row)}

    def get_instance_profile(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = entities.get_instance_profile(ctx.session, ctx.account_id, params["InstanceProfileName"])
        return {"InstanceProfile": _shape(ctx, row)}

    def list_instance_profiles(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        page = repo.list_named(ctx.session, InstanceProfileRow, ctx.account_id, params.get("PathPrefix"),
                               params.get("Marker"), params.get("MaxItems"))
        return shapes.listing("InstanceProfiles", [_shape(ctx, row, tagged=False) for row in page.rows], page)

    def list_instance_profiles_for_role(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        role = entities.get_role(ctx.session, ctx.account_id, params["RoleName"])
        rows, paging = shapes.page_of(repo.profile_of_role(ctx.session, role.role_id), params.get("Marker"),
                                      params.get("MaxItems"))
        return {"InstanceProfiles": [shapes.instance_profile(row, [role]) for row in rows], **paging}

    def delete_instance_profile(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = entities.get_instance_profile(ctx.session, ctx.account_id, params["InstanceProfileName"])
        if row.role_id:
            raise errors.delete_conflict("Cannot delete entity, must remove roles from instance profile first.")
        repo.remove(ctx.session, row)
        return None

    def add_role_to_instance_profile(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = entities.get_instance_profile(ctx.session, ctx.account_id, params["InstanceProfileName"])
        role = entities.modifiable_role(entities.get_role(ctx.session, ctx.account_id, params["RoleName"]))
        if row.role_id:
            raise errors.limit_exceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
        row.role_id = role.role_id
        return None

    def remove_role_from_instance_profile(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = entities.get_instance_profile(ctx.session, ctx.account_id, params["InstanceProfileName"])
        role = entities.modifiable_role(entities.get_role(ctx.session, ctx.account_id, params["RoleName"]))
        if row.role_id != role.role_id:
            raise errors.no_such_entity(
                f"Role {role.role_name} in Instance Profile {row.profile_name} cannot be found.")
        row.role_id = None
        return None

    def tag_instance_profile(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = entities.get_instance_profile(ctx.session, ctx.account_id, params["InstanceProfileName"])
        row.tag_list = inputs.merge_tags(row.tag_list, params["Tags"])
        return None

    def untag_instance_profile(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = entities.get_instance_profile(ctx.session, ctx.account_id, params["InstanceProfileName"])
        row.tag_list = inputs.remove_tags(row.tag_list, params["TagKeys"])
        return None

    def list_instance_profile_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = entities.get_instance_profile(ctx.session, ctx.account_id, params["InstanceProfileName"])
        return shapes.tag_page(row.tag_list, params)
