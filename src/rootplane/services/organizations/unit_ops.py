"""OUs (nested up to five levels below the root), ListChildren and ListParents."""

from __future__ import annotations

from typing import Any

from rootplane.services.context import RequestContext
from rootplane.services.organizations import names, repo
from rootplane.services.organizations.caller import attach_defaults, management_only, management_or_delegate
from rootplane.services.organizations.errors import constraint, org_error
from rootplane.services.organizations.paging import decode_token, finish_page, page_size
from rootplane.services.organizations.shapes import ou_shape
from rootplane.services.organizations.tables import OrganizationalUnitRow, OrganizationRow
from rootplane.services.organizations.tags import put_tags

__all__ = ["UnitOperations", "parent_path"]

MAX_DEPTH = 5
MAX_OUS = 1000


def parent_path(ctx: Any, org: OrganizationRow, parent_id: str) -> tuple[str, int] | None:
    """(path, depth) of the root or an OU of ``org``; None when it isn't one."""
    if parent_id == org.root_id:
        return f"{org.root_id}/", 0
    ou = repo.find_ou(ctx.session, parent_id) if parent_id.startswith("ou-") else None
    if ou is None or ou.org_id != org.id:
        return None
    return ou.path, ou.depth


def _ou(ctx: Any, org: OrganizationRow, ou_id: str) -> OrganizationalUnitRow:
    ou = repo.find_ou(ctx.session, ou_id)
    if ou is None or ou.org_id != org.id:
        raise org_error("OrganizationalUnitNotFoundException")
    return ou


class UnitOperations:
    """Organizational units and the tree."""

    def create_organizational_unit(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        repo.lock_tree(ctx.session, org)
        found = parent_path(ctx, org, params["ParentId"])
        if found is None:
            raise org_error("ParentNotFoundException")
        path, depth = found
        if depth >= MAX_DEPTH:
            raise constraint("OU_DEPTH_LIMIT_EXCEEDED", "You attempted to create an OU tree that is too many levels deep.")
        if repo.count_ous(ctx.session, org.id) >= MAX_OUS:
            raise constraint("OU_NUMBER_LIMIT_EXCEEDED", "You have reached the maximum number of OUs in the organization.")
        if repo.find_ou_by_name(ctx.session, params["ParentId"], params["Name"]) is not None:
            raise org_error("DuplicateOrganizationalUnitException")
        ou_id = names.new_ou_id(org.root_id)
        ou = OrganizationalUnitRow(id=ou_id, org_id=org.id, parent_id=params["ParentId"], name=params["Name"],
                                   depth=depth + 1, path=f"{path}{ou_id}/", created_at=ctx.now())
        repo.put(ctx.session, ou)
        attach_defaults(ctx, org, ou_id, "ORGANIZATIONAL_UNIT")
        put_tags(ctx, ou_id, params.get("Tags") or [])
        return {"OrganizationalUnit": ou_shape(org, ou)}

    def describe_organizational_unit(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        return {"OrganizationalUnit": ou_shape(org, _ou(ctx, org, params["OrganizationalUnitId"]))}

    def update_organizational_unit(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_only(ctx)
        repo.lock_tree(ctx.session, org)
        ou = _ou(ctx, org, params["OrganizationalUnitId"])
        name = params.get("Name")
        if name and name != ou.name:
            if repo.find_ou_by_name(ctx.session, ou.parent_id, name) is not None:
                raise org_error("DuplicateOrganizationalUnitException")
            ou.name = name
        return {"OrganizationalUnit": ou_shape(org, ou)}

    def delete_organizational_unit(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        org = management_or_delegate(ctx)
        repo.lock_tree(ctx.session, org)
        ou = _ou(ctx, org, params["OrganizationalUnitId"])
        if repo.count_children(ctx.session, ou.id):
            raise org_error("OrganizationalUnitNotEmptyException")
        repo.delete_attachments(ctx.session, org.id, target_id=ou.id)
        for tag in repo.list_tags(ctx.session, ou.id, limit=1000):
            repo.remove(ctx.session, tag)
        repo.remove(ctx.session, ou)

    def list_organizational_units_for_parent(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        if parent_path(ctx, org, params["ParentId"]) is None:
            raise org_error("ParentNotFoundException")
        size = page_size(params)
        rows = repo.list_ous_for_parent(ctx.session, params["ParentId"], decode_token(params.get("NextToken")), size + 1)
        rows, token = finish_page(rows, size, lambda ou: ou.id)
        return {"OrganizationalUnits": [ou_shape(org, ou) for ou in rows], "NextToken": token}

    def list_children(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        parent_id = params["ParentId"]
        if parent_path(ctx, org, parent_id) is None:
            raise org_error("ParentNotFoundException")
        size, after = page_size(params), decode_token(params.get("NextToken"))
        if params["ChildType"] == "ACCOUNT":
            members = repo.list_members_for_parent(ctx.session, parent_id, after, size + 1)
            ids, token = finish_page([m.account_id for m, _ in members], size, lambda i: i)
        else:
            ous = repo.list_ous_for_parent(ctx.session, parent_id, after, size + 1)
            ids, token = finish_page([ou.id for ou in ous], size, lambda i: i)
        return {"Children": [{"Id": i, "Type": params["ChildType"]} for i in ids], "NextToken": token}

    def list_parents(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        child_id = params["ChildId"]
        parent_id = None
        if child_id.startswith("ou-"):
            ou = repo.find_ou(ctx.session, child_id)
            parent_id = ou.parent_id if ou is not None and ou.org_id == org.id else None
        else:
            membership = repo.find_membership(ctx.session, child_id)
            parent_id = membership.parent_id if membership is not None and membership.org_id == org.id else None
        if parent_id is None:
            raise org_error("ChildNotFoundException")
        kind = "ROOT" if parent_id.startswith("r-") else "ORGANIZATIONAL_UNIT"
        return {"Parents": [{"Id": parent_id, "Type": kind}]}
