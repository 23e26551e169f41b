"""Managed policy attachments, inline policies and permissions boundaries of users, groups and roles.

One implementation per verb, bound to each entity kind (User, Group, Role) by small handler factories.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.iam import api, entities, errors, inputs, repo, shapes
from rootplane.services.iam.quotas import QUOTAS
from rootplane.services.iam.tables import InlinePolicyRow
from rootplane.services.iam.users import check_boundary

__all__ = ["AttachmentsMixin"]


@dataclass(frozen=True)
class Kind:
    label: str        # user | group | role (messages)
    name_param: str   # UserName | GroupName | RoleName
    size_quota: str
    lookup: Callable[..., Any]


USER = Kind("user", "UserName", "UserPolicySizeQuota", entities.get_user)
GROUP = Kind("group", "GroupName", "GroupPolicySizeQuota", entities.get_group)
ROLE = Kind("role", "RoleName", "RolePolicySizeQuota", entities.get_role)


def _entity(ctx: RequestContext, kind: Kind, params: dict[str, Any]) -> api.Entity:
    return kind.lookup(ctx.session, ctx.account_id, params[kind.name_param])


def _changed_entity(ctx: RequestContext, kind: Kind, params: dict[str, Any]) -> api.Entity:
    """The entity whose permissions a handler changes: never a service-linked role (UnmodifiableEntity)."""
    entity = _entity(ctx, kind, params)
    return entities.modifiable_role(entity) if kind is ROLE else entity


def _read_entity(ctx: RequestContext, kind: Kind, params: dict[str, Any]) -> tuple[str, str]:
    """(id, name) of the entity a handler that only reads names: a user from its cached view (no SQL when cached)."""
    if kind is USER:
        user = entities.read_user(ctx, params[kind.name_param])
        return user.user_id, user.user_name
    entity = _entity(ctx, kind, params)
    return api.entity_id(entity), api.entity_name(entity)


def _attach(kind: Kind):
    def handler(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        api.attach_policy(ctx.session, _changed_entity(ctx, kind, params), params["PolicyArn"])
    return handler


def _detach(kind: Kind):
    def handler(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        entity = _changed_entity(ctx, kind, params)
        attachment = repo.find_attachment(ctx.session, api.entity_id(entity), params["PolicyArn"])
        if attachment is None:
            raise errors.no_such_entity(f"Policy {params['PolicyArn']} was not found.")
        repo.remove(ctx.session, attachment)
    return handler


def _list_attached(kind: Kind):
    def handler(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        page = repo.list_attachments(ctx.session, _read_entity(ctx, kind, params)[0], params.get("PathPrefix"),
                                     params.get("Marker"), params.get("MaxItems"))
        items = [{"PolicyName": row.policy_name, "PolicyArn": row.policy_arn} for row in page.rows]
        return shapes.listing("AttachedPolicies", items, page)
    return handler


def _put_inline(kind: Kind):
    def handler(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        entity = _changed_entity(ctx, kind, params)
        owner, name, document = api.entity_id(entity), params["PolicyName"], params["PolicyDocument"]
        inputs.check_document(document, "identity")
        quota = QUOTAS[kind.size_quota]
        if repo.inline_size(ctx.session, owner, excluding=name) + inputs.policy_size(document) > quota:
            raise errors.limit_exceeded(
                f"Maximum policy size of {quota} bytes exceeded for {kind.label} {params[kind.name_param]}")
        row = repo.find_inline(ctx.session, owner, name)
        if row is None:
            repo.put(ctx.session, InlinePolicyRow(entity_id=owner, policy_name=name, document=document))
        else:
            row.document = document
    return handler


def _get_inline(kind: Kind):
    def handler(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        entity_id, entity_name = _read_entity(ctx, kind, params)
        name = params["PolicyName"]
        row = repo.inline_policy(ctx.session, entity_id, name)
        if row is None:
            raise _no_inline(kind, name)
        return {kind.name_param: entity_name, "PolicyName": row.policy_name, "PolicyDocument": row.document}
    return handler


def _delete_inline(kind: Kind):
    def handler(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        repo.remove(ctx.session, _find_inline(ctx, kind, _changed_entity(ctx, kind, params), params["PolicyName"]))
    return handler


def _list_inline(kind: Kind):
    def handler(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        page = repo.list_inline_names(ctx.session, _read_entity(ctx, kind, params)[0], params.get("Marker"),
                                      params.get("MaxItems"))
        return shapes.listing("PolicyNames", [row.policy_name for row in page.rows], page)
    return handler


def _find_inline(ctx: RequestContext, kind: Kind, entity: api.Entity, name: str) -> InlinePolicyRow:
    row = repo.find_inline(ctx.session, api.entity_id(entity), name)
    if row is None:
        raise _no_inline(kind, name)
    return row


def _no_inline(kind: Kind, name: str) -> AwsError:
    return errors.no_such_entity(f"The {kind.label} policy with name {name} cannot be found.")


def _put_boundary(kind: Kind):
    def handler(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        entity = _changed_entity(ctx, kind, params)
        entity.boundary_arn = check_boundary(ctx, params["PermissionsBoundary"])
    return handler


def _delete_boundary(kind: Kind):
    def handler(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        entity = _changed_entity(ctx, kind, params)
        if not entity.boundary_arn:
            raise errors.no_such_entity(
                f"The {kind.label} with name {params[kind.name_param]} does not have a permissions boundary.")
        entity.boundary_arn = None
    return handler


class AttachmentsMixin:
    attach_user_policy = _attach(USER)
    attach_group_policy = _attach(GROUP)
    attach_role_policy = _attach(ROLE)
    detach_user_policy = _detach(USER)
    detach_group_policy = _detach(GROUP)
    detach_role_policy = _detach(ROLE)
    list_attached_user_policies = _list_attached(USER)
    list_attached_group_policies = _list_attached(GROUP)
    list_attached_role_policies = _list_attached(ROLE)
    put_user_policy = _put_inline(USER)
    put_group_policy = _put_inline(GROUP)
    put_role_policy = _put_inline(ROLE)
    get_user_policy = _get_inline(USER)
    get_group_policy = _get_inline(GROUP)
    get_role_policy = _get_inline(ROLE)
    delete_user_policy = _delete_inline(USER)
    delete_group_policy = _delete_inline(GROUP)
    delete_role_policy = _delete_inline(ROLE)
    list_user_policies = _list_inline(USER)
    list_group_policies = _list_inline(GROUP)
    list_role_policies = _list_inline(ROLE)
    put_user_permissions_boundary = _put_boundary(USER)
    put_role_permissions_boundary = _put_boundary(ROLE)
    delete_user_permissions_boundary = _delete_boundary(USER)
    delete_role_permissions_boundary = _delete_boundary(ROLE)
