"""Console passwords: IAM users' login profiles and the root user's (stored on the account), ChangePassword."""

from __future__ import annotations

import uuid
from typing import Any

from rootplane.auth.principal import IAM_USER
from rootplane.core.errors import AwsError
from rootplane.services.accounts import repo as accounts
from rootplane.services.accounts.tables import AccountRow
from rootplane.services.context import RequestContext
from rootplane.services.iam import entities, errors, passwords, repo
from rootplane.services.iam.tables import LoginProfileRow, PasswordHistoryRow, UserRow
from rootplane.services.iam.user_views import UserView

__all__ = ["LoginProfilesMixin"]

_ROOT_MISSING = "Login Profile for User null cannot be found."
MAX_REUSE_PREVENTION = 24  # UpdateAccountPasswordPolicy's PasswordReusePrevention maximum


def _account(ctx: RequestContext) -> AccountRow:
    account = accounts.find_account(ctx.session, ctx.account_id)
    if account is None:
        raise errors.no_such_entity(_ROOT_MISSING)
    return account


def _profile(ctx: RequestContext, user: UserRow | UserView) -> LoginProfileRow:
    profile = repo.find_login_profile(ctx.session, user.user_id)
    if profile is None:
        raise errors.no_such_entity(f"Login Profile for User {user.user_name} cannot be found.")
    return profile


def _password_policy(ctx: RequestContext) -> dict[str, Any] | None:
    return repo.password_policy(ctx.session, ctx.account_id)


def _user_shape(user: UserRow | UserView, profile: LoginProfileRow) -> dict[str, Any]:
    shape: dict[str, Any] = {"UserName": user.user_name, "CreateDate": profile.created_at,
                             "PasswordResetRequired": profile.password_reset_required}
    if profile.max_signin_session_duration:
        shape["MaxSigninSessionDuration"] = profile.max_signin_session_duration
    return shape


def _create_root_profile(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """"Allow password recovery": a root login profile without a usable password (no Password accepted)."""
    if params.get("Password") is not None:
        raise errors.invalid_input("Password is not supported for the root user.")
    if params.get("MaxSigninSessionDuration") is not None:
        raise errors.invalid_input("MaxSigninSessionDuration is not supported for the root user.")
    account = _account(ctx)
    if account.root_password_hash:
        raise errors.already_exists(f"Login Profile for account {ctx.account_id} already exists.")
    now = ctx.now()
    account.root_password_hash = passwords.UNUSABLE
    account.root_password_changed_at = now
    account.root_password_recovery_allowed_at = now
    return {"LoginProfile": {"CreateDate": now, "PasswordResetRequired": False}}


class LoginProfilesMixin:
    def create_login_profile(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        target = entities.credential_target(ctx, params.get("UserName"), root_session_only=True)
        if target.user is None:
            return _create_root_profile(ctx, params)
        user = target.user
        if repo.find_login_profile(ctx.session, user.user_id) is not None:
            raise errors.already_exists(f"Login Profile for user {user.user_name} already exists.")
        password = params.get("Password")
        if password is None:
            raise errors.validation("Password is required to create a login profile for an IAM user.")
        passwords.check_password(password, _password_policy(ctx), user.user_name)
        now = ctx.now()
        profile = repo.put(ctx.session, LoginProfileRow(
            user_id=user.user_id, password_hash=passwords.hash_password(password), created_at=now,
            password_changed_at=now, password_reset_required=bool(params.get("PasswordResetRequired")),
            max_signin_session_duration=params.get("MaxSigninSessionDuration"),
        ))
        return {"LoginProfile": _user_shape(user, profile)}

    def get_login_profile(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        target = entities.reading_target(ctx, params.get("UserName"), root_session_only=True)
        if target.user is not None:
            return {"LoginProfile": _user_shape(target.user, _profile(ctx, target.user))}
        account = _account(ctx)
        if not account.root_password_hash:
            raise errors.no_such_entity(_ROOT_MISSING)
        created = account.root_password_changed_at or account.created_at
        return {"LoginProfile": {"CreateDate": created, "PasswordResetRequired": False}}

    def update_login_profile(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        user = entities.get_user(ctx.session, ctx.account_id, params["UserName"])
        profile = _profile(ctx, user)
        if params.get("Password") is not None:
            passwords.check_password(params["Password"], _password_policy(ctx), user.user_name)
            profile.password_hash = passwords.hash_password(params["Password"])
            profile.password_changed_at = ctx.now()
        if params.get("PasswordResetRequired") is not None:
            profile.password_reset_required = params["PasswordResetRequired"]
        if params.get("ResetMaxSigninSessionDuration"):
            profile.max_signin_session_duration = None
        elif params.get("MaxSigninSessionDuration") is not None:
            profile.max_signin_session_duration = params["MaxSigninSessionDuration"]
        return None

    def delete_login_profile(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        target = entities.credential_target(ctx, params.get("UserName"), root_session_only=True)
        if target.user is not None:
            repo.remove(ctx.session, _profile(ctx, target.user))
            repo.trim_password_history(ctx.session, target.user.user_id, 0)
            return None
        account = _account(ctx)
        if not account.root_password_hash:
            raise errors.no_such_entity(_ROOT_MISSING)
        account.root_password_hash = None
        account.root_password_changed_at = None
        account.root_password_recovery_allowed_at = None
        return None

    def change_password(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        principal = ctx.principal
        if principal.kind != IAM_USER or not principal.name:
            raise errors.invalid_user_type("Only IAM users can change their own password.")
        user = entities.get_user(ctx.session, ctx.account_id, principal.name)
        profile = _profile(ctx, user)
        policy = _password_policy(ctx)
        if not passwords.verify_password(profile.password_hash, params["OldPassword"]):
            raise errors.invalid_input("The old password was incorrect.")
        if (policy or {}).get("HardExpiry") and passwords.is_expired(profile.password_changed_at, policy, ctx.now()):
            raise AwsError("EntityTemporarilyUnmodifiable", "Your password has expired and the account password "
                           "policy does not allow you to change it. Contact your administrator.", 409)
        new_password = params["NewPassword"]
        passwords.check_password(new_password, policy, user.user_name)
        _check_reuse(ctx, user.user_id, profile.password_hash, new_password, passwords.reuse_depth(policy))
        _remember(ctx, user.user_id, profile)
        profile.password_hash = passwords.hash_password(new_password)
        profile.password_changed_at, profile.password_reset_required = ctx.now(), False
        return None


def _check_reuse(ctx: RequestContext, user_id: str, current_hash: str, password: str, depth: int) -> None:
    """PasswordReusePrevention: the new password differs from the current one and the ``depth - 1`` before it."""
    if depth <= 0:
        return
    previous = [current_hash] + [row.password_hash for row in repo.password_history(ctx.session, user_id, depth - 1)]
    if any(passwords.verify_password(password_hash, password) for password_hash in previous):
        raise errors.password_violation("Policy constraint violation with password reuse prevention during password "
                                        "change.")


def _remember(ctx: RequestContext, user_id: str, profile: LoginProfileRow) -> None:
    """Keep the replaced password's hash (at most MAX_REUSE_PREVENTION - 1 of them are ever needed)."""
    repo.put(ctx.session, PasswordHistoryRow(entry_id=uuid.uuid4().hex, user_id=user_id,
                                             changed_at=profile.password_changed_at, password_hash=profile.password_hash))
    repo.trim_password_history(ctx.session, user_id, MAX_REUSE_PREVENTION - 1)
