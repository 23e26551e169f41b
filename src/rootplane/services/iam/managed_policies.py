"""Customer managed policies and their versions; AWS managed policies are served read-only from data."""

from __future__ import annotations

import itertools
from typing import Any

from rootplane.core import ids
from rootplane.services.context import RequestContext
from rootplane.services.iam import catalog, errors, inputs, repo, shapes
from rootplane.services.iam.catalog import PolicyView
from rootplane.services.iam.quotas import QUOTAS
from rootplane.services.iam.tables import ManagedPolicyRow, PolicyVersionRow, UserRow

__all__ = ["ManagedPoliciesMixin"]

_SCOPES = ("aws", "local")


def _policy_shapes(ctx: RequestContext, views: list[PolicyView], *, full: bool = False) -> list[dict[str, Any]]:
    arns = [view.arn for view in views]
    attached = repo.attachment_counts(ctx.session, ctx.account_id, arns) if arns else {}
    bounded = repo.boundary_counts(ctx.session, ctx.account_id, arns) if arns else {}
    result = []
    for view in views:
        shape: dict[str, Any] = {
            "PolicyName": view.name, "PolicyId": view.policy_id, "Arn": view.arn, "Path": view.path,
            "DefaultVersionId": view.default_version_id, "AttachmentCount": attached.get(view.arn, 0),
            "PermissionsBoundaryUsageCount": bounded.get(view.arn, 0), "IsAttachable": view.is_attachable,
            "CreateDate": view.created_at, "UpdateDate": view.updated_at,
        }
        if full and view.description:
            shape["Description"] = view.description
        if full:  # GetPolicy answers "Tags": [] even without tags (aws-captures/root_access.json)
            shape["Tags"] = shapes.tags(view.row.tag_list if view.row is not None else [])
        result.append(shape)
    return result


def _customer(ctx: RequestContext, arn: str) -> ManagedPolicyRow:
    catalog.check_arn(arn)
    row = repo.find_policy_by_arn(ctx.session, arn, lock=True)
    if row is None or row.account_id != ctx.account_id:
        raise errors.no_such_entity(f"Policy {arn} does not exist or is not attachable.")
    return row


def _version(ctx: RequestContext, row: ManagedPolicyRow, version_id: str) -> PolicyVersionRow:
    version = repo.find_policy_version(ctx.session, row.policy_id, version_id)
    if version is None:
        raise errors.no_such_entity(f"Policy {row.arn} version {version_id} does not exist or is not attachable.")
    return version


def _version_shape(version: PolicyVersionRow, default_id: str, *, document: bool = True) -> dict[str, Any]:
    shape: dict[str, Any] = {"VersionId": version.version_id, "IsDefaultVersion": version.version_id == default_id,
                             "CreateDate": version.created_at}
    if document:
        shape["Document"] = version.document
    return shape


def _check_managed_document(document: str) -> None:
    if inputs.policy_size(document) > QUOTAS["PolicySizeQuota"]:
        raise errors.limit_exceeded(f"Cannot exceed quota for PolicySize: {QUOTAS['PolicySizeQuota']}")
    inputs.check_document(document, "identity")


class ManagedPoliciesMixin:
    def create_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name, document = params["PolicyName"], params["PolicyDocument"]
        path = inputs.check_path(params.get("Path"))
        exists = errors.already_exists(f"A policy called {name} already exists. Duplicate names are not allowed.")
        if repo.find_named(ctx.session, ManagedPolicyRow, ctx.account_id, name) is not None:
            raise exists
        if repo.reached_quota(ctx.session, ManagedPolicyRow, ctx.account_id, QUOTAS["PoliciesQuota"]):
            raise errors.limit_exceeded(f"Cannot exceed quota for PoliciesPerAccount: {QUOTAS['PoliciesQuota']}")
        _check_managed_document(document)
        now = ctx.now()
        row = repo.put(ctx.session, ManagedPolicyRow(
            policy_id=ids.unique_id("ANPA"), account_id=ctx.account_id,
            arn=f"arn:aws:iam::{ctx.account_id}:policy{path}{name}", policy_name=name, name_key=name.lower(),
            path=path, description=params.get("Description"), default_version_id="v1", next_version=2,
            created_at=now, updated_at=now, tag_list=inputs.merge_tags([], params.get("Tags")),
        ), conflict=exists)
        repo.put(ctx.session, PolicyVersionRow(policy_id=row.policy_id, version_id="v1", version_number=1,
                                               document=document, created_at=now))
        shape = _policy_shapes(ctx, [catalog.get_policy(ctx.session, row.arn)], full=True)[0]
        shape.pop("Description", None)
        if not shape["Tags"]:
            shape.pop("Tags")
        return {"Policy": shape}

    def get_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        view = catalog.get_policy(ctx.session, params["PolicyArn"])
        if view.row is not None and view.row.account_id != ctx.account_id:
            raise errors.no_such_entity(f"Policy {view.arn} does not exist or is not attachable.")
        return {"Policy": _policy_shapes(ctx, [view], full=True)[0]}

    def list_policies(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        scope = (params.get("Scope") or "All").lower()
        marker, limit = params.get("Marker"), params.get("MaxItems") or 100
        prefix, usage = params.get("PathPrefix") or "/", params.get("PolicyUsageFilter")
        only_attached = bool(params.get("OnlyAttached")) or usage == "PermissionsPolicy"
        only_boundaries = usage == "PermissionsBoundary"
        segment, after = repo.decode_marker(marker, 2) if marker else ((_SCOPES[0] if scope != "local" else "local"), "")
        views: list[PolicyView] = []
        next_marker = None
        if segment == "aws" and scope in ("all", "aws"):
            matching = (v for v in catalog.aws_policies_after(after) if v.path.startswith(prefix))
            if only_attached or only_boundaries:
                candidates = list(matching)
                arns = [v.arn for v in candidates]
                attached = repo.attachment_counts(ctx.session, ctx.account_id, arns) if only_attached else {}
                bounded = repo.boundary_counts(ctx.session, ctx.account_id, arns) if only_boundaries else {}
                candidates = [v for v in candidates if (attached.get(v.arn) or not only_attached)
                              and (bounded.get(v.arn) or not only_boundaries)]
            else:
                candidates = list(itertools.islice(matching, limit + 1))
            views = candidates[:limit]
            if len(candidates) > limit:
                next_marker = repo.encode_marker("aws", views[-1].name.lower())
            segment, after = "local", ""
        if next_marker is None and segment == "local" and scope in ("all", "local"):
            room = limit - len(views)
            page = repo.list_customer_policies(ctx.session, ctx.account_id, prefix, only_attached,
                                               repo.encode_marker(after) if after else None, room or 1,
                                               only_boundaries=only_boundaries)
            if not room:  # the AWS policies filled the page: the customer's, if any, start the next one
                next_marker = repo.encode_marker("local", "") if page.rows else None
            else:
                views += catalog.resolve_many(ctx.session, [row.arn for row in page.rows])
                if page.rows and page.is_truncated:
                    next_marker = repo.encode_marker("local", page.rows[-1].name_key)
        return shapes.listing("Policies", _policy_shapes(ctx, views), repo.Page(views, next_marker))

    def delete_policy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _customer(ctx, params["PolicyArn"])
        if repo.attachment_counts(ctx.session, ctx.account_id, [row.arn]) or \
                repo.boundary_counts(ctx.session, ctx.account_id, [row.arn]):
            raise errors.delete_conflict("Cannot delete a policy attached to entities.")
        versions = repo.list_policy_versions(ctx.session, row.policy_id)
        if len(versions) > 1:
            raise errors.delete_conflict(
                "This policy has more than one version. Before you delete a policy, you must delete the policy's "
                "versions. The default version is deleted with the policy.")
        for version in versions:
            repo.remove(ctx.session, version)
        repo.remove(ctx.session, row)
        return None

    def create_policy_version(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _customer(ctx, params["PolicyArn"])
        document = params["PolicyDocument"]
        if len(repo.list_policy_versions(ctx.session, row.policy_id)) >= QUOTAS["VersionsPerPolicyQuota"]:
            raise errors.limit_exceeded(
                "A managed policy can have up to 5 versions. Before you create a new version, you must delete an "
                "existing version.")
        _check_managed_document(document)
        now = ctx.now()
        version = repo.put(ctx.session, PolicyVersionRow(
            policy_id=row.policy_id, version_id=f"v{row.next_version}", version_number=row.next_version,
            document=document, created_at=now))
        row.next_version += 1
        row.updated_at = now  # UpdateDate: "when the most recent policy version was created" (API reference, Policy)
        if params.get("SetAsDefault"):
            row.default_version_id = version.version_id
        return {"PolicyVersion": _version_shape(version, row.default_version_id, document=False)}

    def get_policy_version(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        arn, version_id = params["PolicyArn"], params["VersionId"]
        view = catalog.aws_policy(arn)
        if view is not None:
            if version_id != view.default_version_id:
                raise errors.no_such_entity(f"Policy {arn} version {version_id} does not exist or is not attachable.")
            return {"PolicyVersion": {"Document": view.document, "VersionId": version_id,
                                      "IsDefaultVersion": True, "CreateDate": view.updated_at}}
        row = _customer(ctx, arn)
        return {"PolicyVersion": _version_shape(_version(ctx, row, version_id), row.default_version_id)}

    def list_policy_versions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        view = catalog.aws_policy(params["PolicyArn"])
        if view is not None:
            versions = [{"VersionId": view.default_version_id, "IsDefaultVersion": True, "CreateDate": view.updated_at}]
        else:
            row = _customer(ctx, params["PolicyArn"])
            versions = [_version_shape(v, row.default_version_id, document=False)
                        for v in repo.list_policy_versions(ctx.session, row.policy_id)]
        page, paging = shapes.page_of(versions, params.get("Marker"), params.get("MaxItems"))
        return {"Versions": page, **paging}

    def delete_policy_version(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _customer(ctx, params["PolicyArn"])
        version = _version(ctx, row, params["VersionId"])
        if version.version_id == row.default_version_id:
            raise errors.delete_conflict("Cannot delete the default version of a policy.")
        repo.remove(ctx.session, version)
        return None

    def set_default_policy_version(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _customer(ctx, params["PolicyArn"])
        row.default_version_id = _version(ctx, row, params["VersionId"]).version_id
        return None

    def tag_policy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _customer(ctx, params["PolicyArn"])
        row.tag_list = inputs.merge_tags(row.tag_list, params["Tags"])
        return None

    def untag_policy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _customer(ctx, params["PolicyArn"])
        row.tag_list = inputs.remove_tags(row.tag_list, params["TagKeys"])
        return None

    def list_policy_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return shapes.tag_page(_customer(ctx, params["PolicyArn"]).tag_list, params)

    def list_entities_for_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        arn = params["PolicyArn"]
        catalog.get_policy(ctx.session, arn)
        entity_filter = params.get("EntityFilter")
        entity_type = entity_filter if entity_filter in ("User", "Group", "Role") else None
        usage, prefix, limit = params.get("PolicyUsageFilter"), params.get("PathPrefix"), params.get("MaxItems") or 100
        segment, kind, key = repo.decode_marker(params["Marker"], 3) if params.get("Marker") else ("a", "", "")
        found: list[tuple[str, str, str]] = []  # (type, name, id)
        next_marker = None
        if segment == "a" and usage == "PermissionsBoundary":
            segment = "b"
        if segment == "a":
            page = repo.list_policy_entities(ctx.session, ctx.account_id, arn, entity_type, prefix,
                                             repo.encode_marker(kind, key) if key else None, limit)
            found += [(row.entity_type, row.entity_name, row.entity_id) for row in page.rows]
            if page.is_truncated:
                last = page.rows[-1]
                next_marker = repo.encode_marker("a", last.entity_type, last.entity_key)
            segment, kind, key = "b", "", ""
        if next_marker is None and segment == "b" and usage != "PermissionsPolicy" and entity_type != "Group":
            room = limit - len(found)
            rows = repo.list_boundary_entities(ctx.session, ctx.account_id, arn, entity_type, prefix,
                                               (kind, key) if key else None, room)
            if not room:  # the attached entities filled the page: those with the boundary, if any, start the next
                next_marker = repo.encode_marker("b", "", "") if rows else None
                rows = []
            elif len(rows) > room:
                rows = rows[:room]
                last_kind = "User" if isinstance(rows[-1], UserRow) else "Role"
                next_marker = repo.encode_marker("b", last_kind, rows[-1].name_key)
            found += [("User", row.user_name, row.user_id) if isinstance(row, UserRow)
                      else ("Role", row.role_name, row.role_id) for row in rows]
        result: dict[str, Any] = {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": [],
                                  "IsTruncated": next_marker is not None}
        seen = set()
        for kind_name, name, entity_id in found:
            if entity_id not in seen:
                seen.add(entity_id)
                result[f"Policy{kind_name}s"].append({f"{kind_name}Name": name, f"{kind_name}Id": entity_id})
        if next_marker:
            result["Marker"] = next_marker
        return result
