"""IAM users: create, read, list, rename, delete, tags."""

from __future__ import annotations

from typing import Any

from rootplane.auth.principal import IAM_USER
from rootplane.core import ids
from rootplane.core.arn import root_arn
from rootplane.services.accounts import repo as accounts
from rootplane.services.context import RequestContext
from rootplane.services.iam import catalog, entities, errors, inputs, repo, shapes
from rootplane.services.iam.quotas import QUOTAS
from rootplane.services.iam.tables import LoginProfileRow, UserRow
from rootplane.services.iam.user_views import USER_COLUMNS, find_user_view, user_view

__all__ = ["UsersMixin", "check_boundary"]


def check_boundary(ctx: RequestContext, arn: str | None) -> str | None:
    """A permissions boundary must be an existing managed policy (never a root-task policy). IAM names it the
    "Scope ARN" when it is not: ``Scope ARN: <arn> does not exist or is not attachable.``"""
    if arn is None:
        return None
    if catalog.is_task_policy(arn) or catalog.resolve_locked(ctx.session, arn) is None:
        raise errors.no_such_entity(f"Scope ARN: {arn} does not exist or is not attachable.")
    return arn


def _forget_cached_principal(ctx: RequestContext, user: UserRow) -> None:
    """The user's keys authenticate a principal carrying its name, path and tags: after a change, the gateway's
    credential cache must resolve them again (as it does for revoked keys)."""
    for key in accounts.list_access_keys(ctx.session, ctx.account_id, user.user_name):
        ctx.audit.setdefault("revoked_access_keys", []).append(key.access_key_id)


def _delete_conflict(ctx: RequestContext, user: UserRow) -> str | None:
    """IAM's reason a user cannot be deleted yet, in AWS's order of checks (recorded: MFA before access keys)."""
    session = ctx.session
    if session.get(LoginProfileRow, user.user_id) is not None:
        return "Cannot delete entity, must delete login profile first."
    if repo.count_mfa_devices(session, user.account_id, user.user_id):
        return "Cannot delete entity, must remove tokens from principal first."
    if accounts.count_access_keys(session, user.account_id, user.user_name):
        return "Cannot delete entity, must delete access keys first."
    if repo.count_certificates(session, user.account_id, user.user_id):
        return "Cannot delete entity, must delete signing certificates first."
    if repo.count_ssh_keys(session, user.user_id):
        return "Cannot delete entity, must delete SSH public keys first."
    if repo.list_service_credentials(session, user.account_id, user.user_id, None):
        return "Cannot delete entity, must delete service specific credentials first."
    if repo.inline_policies(session, [user.user_id]):
        return "Cannot delete entity, must delete policies first."
    if repo.count_attachments(session, user.user_id):
        return "Cannot delete entity, must detach all policies first."
    if repo.count_groups_of_user(session, user.user_id):
        return "Cannot delete entity, must remove user from all groups first."
    return None


class UsersMixin:
    def create_user(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["UserName"]
        exists = errors.already_exists(f"User with name {name} already exists.")
        taken, full = repo.creation_check(ctx.session, UserRow, ctx.account_id, name, QUOTAS["UsersQuota"])
        if taken:
            raise exists
        if full:
            raise errors.limit_exceeded(f"Cannot exceed quota for UsersPerAccount: {QUOTAS['UsersQuota']}")
        values = repo.insert(ctx.session, UserRow, {
            "user_id": ids.unique_id("AIDA"), "account_id": ctx.account_id, "user_name": name,
            "name_key": name.lower(), "path": inputs.check_path(params.get("Path")), "created_at": ctx.now(),
            "boundary_arn": check_boundary(ctx, params.get("PermissionsBoundary")),
            "tag_list": inputs.merge_tags([], params.get("Tags")),
        }, conflict=exists)
        return {"User": shapes.user(user_view(values), full=True)}

    def get_user(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name, principal = params.get("UserName"), ctx.principal
        if not name and principal.kind == IAM_USER and not principal.is_root:
            name = principal.name  # an IAM user without UserName acts on itself
        if name:  # read from the user cache (user_views.py): no SQL when the user is cached
            user = find_user_view(ctx.session, ctx.account_id, name)
            if user is None:
                raise errors.no_such_entity(f"The user with name {name} cannot be found.")
            return {"User": shapes.user(user, full=True)}
        entities.credential_target(ctx, None)  # root acts on root; anyone else must name a user
        account = accounts.find_account(ctx.session, ctx.account_id)
        created = account.created_at if account is not None else ctx.now()
        user = {"UserId": ctx.account_id, "Arn": root_arn(ctx.account_id), "CreateDate": created}
        if account is not None and account.root_last_used_at is not None:
            user["PasswordLastUsed"] = account.root_last_used_at  # the root user's last console sign-in
        return {"User": user}

    def list_users(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        page = repo.list_named(ctx.session, UserRow, ctx.account_id, params.get("PathPrefix"), params.get("Marker"),
                               params.get("MaxItems"), columns=USER_COLUMNS)
        users = [shapes.user(user_view(dict(zip(USER_COLUMNS, row[1:])))) for row in page.rows]
        return shapes.listing("Users", users, page)

    def update_user(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        user = entities.get_user(ctx.session, ctx.account_id, params["UserName"])
        _forget_cached_principal(ctx, user)
        if params.get("NewPath") is not None:
            user.path = inputs.check_path(params["NewPath"], "newPath")
        new_name = params.get("NewUserName")
        if new_name and new_name != user.user_name:
            exists = errors.already_exists(f"User with name {new_name} already exists.")
            existing = repo.find_user(ctx.session, ctx.account_id, new_name)
            if existing is not None and existing.user_id != user.user_id:
                raise exists
            for key in accounts.list_access_keys(ctx.session, ctx.account_id, user.user_name):
                key.user_name = new_name
            repo.rekey_entity(ctx.session, user.user_id, new_name)
            user.user_name, user.name_key = new_name, new_name.lower()
            repo.flush(ctx.session, conflict=exists)
        return None

    def delete_user(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        user = entities.get_user(ctx.session, ctx.account_id, params["UserName"])
        reason = _delete_conflict(ctx, user)
        if reason is not None:
            raise errors.delete_conflict(reason)
        repo.remove(ctx.session, user)
        return None

    def tag_user(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        user = entities.get_user(ctx.session, ctx.account_id, params["UserName"])
        _forget_cached_principal(ctx, user)
        user.tag_list = inputs.merge_tags(user.tag_list, params["Tags"])
        return None

    def untag_user(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        user = entities.get_user(ctx.session, ctx.account_id, params["UserName"])
        _forget_cached_principal(ctx, user)
        user.tag_list = inputs.remove_tags(user.tag_list, params["TagKeys"])
        return None

    def list_user_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        user = entities.get_user(ctx.session, ctx.account_id, params["UserName"])
        return shapes.tag_page(user.tag_list, params)
