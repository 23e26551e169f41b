"""Look up IAM entities by name (NoSuchEntity with IAM's wording) and resolve whose credentials a call targets.

In a writing transaction on PostgreSQL every lookup here locks the entity's row (the root user's: its account row)
until commit: the handlers that count or create an entity's children (access keys, login profile, MFA devices,
attachments, group memberships) and the ones that delete it after checking it has none then run one at a time
across servers, so a quota cannot be overrun and no child outlives its parent.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from rootplane.auth.principal import IAM_USER
from rootplane.services.accounts import repo as accounts
from rootplane.services.context import RequestContext
from rootplane.services.iam import errors, repo
from rootplane.services.iam.tables import GroupRow, InstanceProfileRow, RoleRow, UserRow

__all__ = ["get_user", "get_group", "get_role", "get_instance_profile", "Target", "credential_target"]


def _get_named(session: Session, row_cls: type, account_id: str, name: str, missing: str):
    row = repo.find_named(session, row_cls, account_id, name, lock=True)
    if row is None:
        raise errors.no_such_entity(missing)
    return row


def get_user(session: Session, account_id: str, user_name: str) -> UserRow:
    return _get_named(session, UserRow, account_id, user_name, f"The user with name {user_name} cannot be found.")


def get_group(session: Session, account_id: str, group_name: str) -> GroupRow:
    return _get_named(session, GroupRow, account_id, group_name, f"The group with name {group_name} cannot be found.")


def get_role(session: Session, account_id: str, role_name: str) -> RoleRow:
    return _get_named(session, RoleRow, account_id, role_name, f"The role with name {role_name} cannot be found.")


def get_instance_profile(session: Session, account_id: str, name: str) -> InstanceProfileRow:
    return _get_named(session, InstanceProfileRow, account_id, name, f"Instance Profile {name} cannot be found.")


@dataclass(frozen=True)
class Target:
    """Whose credentials an operation acts on: an IAM user, or the root user (``user`` None)."""

    account_id: str
    owner_id: str  # user id, or the account id for the root user
    user: UserRow | None

    @property
    def is_root(self) -> bool:
        return self.user is None

    @property
    def user_name(self) -> str | None:
        return self.user.user_name if self.user is not None else None


def credential_target(ctx: RequestContext, user_name: str | None) -> Target:
    """``UserName`` if given; else the caller: root (or a root session) acts on root, an IAM user on itself."""
    account_id = ctx.account_id
    if user_name:
        user = get_user(ctx.session, account_id, user_name)
        return Target(account_id, user.user_id, user)
    principal = ctx.principal
    if principal.is_root:
        accounts.lock_account(ctx.session, account_id)
        return Target(account_id, account_id, None)
    if principal.kind == IAM_USER and principal.name:
        user = get_user(ctx.session, account_id, principal.name)
        return Target(account_id, user.user_id, user)
    raise errors.validation("Must specify userName when calling with non-User credentials")
