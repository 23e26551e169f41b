"""Look up IAM entities by name (NoSuchEntity with IAM's wording) and resolve whose credentials a call targets.

In a writing transaction on PostgreSQL every lookup here locks the entity's row (the root user's: its account row)
until commit: the handlers that count or create an entity's children (access keys, login profile, MFA devices,
attachments, group memberships) and the ones that delete it after checking it has none then run one at a time
across servers, so a quota cannot be overrun and no child outlives its parent.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from rootplane.auth.principal import IAM_USER, ROOT
from rootplane.services.accounts import repo as accounts
from rootplane.services.context import RequestContext
from rootplane.services.iam import errors, repo
from rootplane.services.iam.tables import GroupRow, InstanceProfileRow, RoleRow, UserRow
from rootplane.services.iam.user_views import UserView, find_user_view

__all__ = ["get_user", "read_user", "get_group", "get_role", "SERVICE_ROLE_PATH", "modifiable_role",
           "get_instance_profile", "Target", "credential_target", "reading_target"]


def _get_named(session: Session, row_cls: type, account_id: str, name: str, missing: str):
    row = repo.find_named(session, row_cls, account_id, name, lock=True)
    if row is None:
        raise errors.no_such_entity(missing)
    return row


def _no_user(user_name: str) -> str:
    return f"The user with name {user_name} cannot be found."


def get_user(session: Session, account_id: str, user_name: str) -> UserRow:
    return _get_named(session, UserRow, account_id, user_name, _no_user(user_name))


def read_user(ctx: RequestContext, user_name: str) -> UserView:
    """The user named ``user_name`` as committed (user_views.py: no SQL when cached), for handlers that only read:
    never locked, never to be changed."""
    user = find_user_view(ctx.session, ctx.account_id, user_name)
    if user is None:
        raise errors.no_such_entity(_no_user(user_name))
    return user


def get_group(session: Session, account_id: str, group_name: str) -> GroupRow:
    return _get_named(session, GroupRow, account_id, group_name, f"The group with name {group_name} cannot be found.")


def get_role(session: Session, account_id: str, role_name: str) -> RoleRow:
    return _get_named(session, RoleRow, account_id, role_name, f"The role with name {role_name} cannot be found.")


SERVICE_ROLE_PATH = "/aws-service-role/"  # where CreateServiceLinkedRole, and only it, makes roles


def modifiable_role(role: RoleRow) -> RoleRow:
    """``role``, unless it is a service-linked role, which only its service changes (UnmodifiableEntity)."""
    if role.path.startswith(SERVICE_ROLE_PATH):
        raise errors.unmodifiable(
            f"Cannot perform the operation on the protected role '{role.role_name}' - this role is only modifiable by AWS")
    return role


def get_instance_profile(session: Session, account_id: str, name: str) -> InstanceProfileRow:
    return _get_named(session, InstanceProfileRow, account_id, name, f"Instance Profile {name} cannot be found.")


@dataclass(frozen=True)
class Target:
    """Whose credentials an operation acts on: an IAM user, or the root user (``user`` None)."""

    account_id: str
    owner_id: str  # user id, or the account id for the root user
    user: UserRow | UserView | None  # a view when only read (``reading_target``)

    @property
    def is_root(self) -> bool:
        return self.user is None

    @property
    def user_name(self) -> str | None:
        return self.user.user_name if self.user is not None else None


_NO_USER_NAME = "Must specify userName when calling with non-User credentials"


def _target_name(ctx: RequestContext, user_name: str | None, root_session_only: bool) -> str | None:
    """The user a credential operation acts on: ``UserName`` if given; else the caller (None: the root user, for root
    and root sessions; an IAM user acts on itself). ``root_session_only``: the root user's own password and MFA
    devices are reached without a user name only from an AssumeRoot session, never with long-term root credentials
    (the IAM API reference for Get/Create/DeleteLoginProfile and DeactivateMFADevice: "When you make this request
    with root user credentials, you must use an AssumeRoot session to omit the user name")."""
    if user_name:
        return user_name
    principal = ctx.principal
    if principal.is_root and not (root_session_only and principal.kind == ROOT):
        return None
    if principal.kind == IAM_USER and principal.name:
        return principal.name
    raise errors.validation(_NO_USER_NAME)


def credential_target(ctx: RequestContext, user_name: str | None, root_session_only: bool = False) -> Target:
    """Whose credentials the call acts on (``_target_name``), its row locked where the store needs it."""
    name = _target_name(ctx, user_name, root_session_only)
    if name is None:
        accounts.lock_account(ctx.session, ctx.account_id)
        return Target(ctx.account_id, ctx.account_id, None)
    user = get_user(ctx.session, ctx.account_id, name)
    return Target(ctx.account_id, user.user_id, user)


def reading_target(ctx: RequestContext, user_name: str | None, root_session_only: bool = False) -> Target:
    """``credential_target`` for handlers that only read: the user is its cached view, and nothing is locked."""
    name = _target_name(ctx, user_name, root_session_only)
    if name is None:
        return Target(ctx.account_id, ctx.account_id, None)
    user = read_user(ctx, name)
    return Target(ctx.account_id, user.user_id, user)
