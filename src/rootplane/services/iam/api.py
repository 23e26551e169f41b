"""IAM domain operations other services call directly (Organizations' CreateAccount creates
``OrganizationAccountAccessRole``): no request context needed, just a session and a clock reading."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from sqlalchemy.orm import Session

from rootplane.core import ids
from rootplane.core.errors import AwsError
from rootplane.services.iam import catalog, errors, inputs, repo
from rootplane.policy import MESSAGES
from rootplane.services.iam.principal_ids import bind_principals, missing_principal
from rootplane.services.iam.quotas import QUOTAS
from rootplane.services.iam.tables import AttachmentRow, GroupRow, RoleRow, UserRow

__all__ = ["create_role", "attach_role_policy", "find_role_by_arn", "attach_policy", "check_trust_policy", "Entity"]

Entity = UserRow | GroupRow | RoleRow
_ATTACH_QUOTA = {"User": "AttachedPoliciesPerUserQuota", "Group": "AttachedPoliciesPerGroupQuota",
                 "Role": "AttachedPoliciesPerRoleQuota"}
_QUOTA_NAME = {"User": "PoliciesPerUser", "Group": "PoliciesPerGroup", "Role": "PoliciesPerRole"}


def entity_type(entity: Entity) -> str:
    return {UserRow: "User", GroupRow: "Group", RoleRow: "Role"}[type(entity)]


def entity_id(entity: Entity) -> str:
    return entity.user_id if isinstance(entity, UserRow) else entity.group_id if isinstance(entity, GroupRow) else entity.role_id


def entity_name(entity: Entity) -> str:
    return entity.user_name if isinstance(entity, UserRow) else entity.group_name if isinstance(entity, GroupRow) else entity.role_name


def check_trust_policy(session: Session, document: str) -> None:
    """A role trust policy: valid with a Principal, within the 2048-character quota, naming existing users and roles."""
    if inputs.policy_size(document) > QUOTAS["AssumeRolePolicySizeQuota"]:
        raise errors.limit_exceeded(f"Cannot exceed quota for ACLSizePerRole: {QUOTAS['AssumeRolePolicySizeQuota']}")
    inputs.check_document(document, "trust")
    missing = missing_principal(session, document)
    if missing is not None:
        raise errors.malformed_policy(MESSAGES["principal"].format(kind="AWS", value=missing))


def attach_policy(session: Session, entity: Entity, policy_arn: str) -> None:
    """Attach a managed policy to a user, group or role (idempotent), enforcing attachability and quotas."""
    kind = entity_type(entity)
    owner = entity_id(entity)
    catalog.check_arn(policy_arn)
    view = catalog.resolve_locked(session, policy_arn)
    if view is None or (not view.is_aws and view.row is not None and view.row.account_id != entity.account_id):
        raise errors.no_such_entity(f"Policy {policy_arn} does not exist or is not attachable.")
    if catalog.is_task_policy(policy_arn) or not view.is_attachable:
        raise errors.not_attachable(f"Policy {policy_arn} is not attachable.")
    if kind == "Role" and catalog.is_service_role_policy(policy_arn):
        raise errors.not_attachable("Cannot attach a Service Role Policy to a Customer Role.")
    if repo.find_attachment(session, owner, policy_arn) is not None:
        return
    quota = QUOTAS[_ATTACH_QUOTA[kind]]
    if repo.count_attachments(session, owner) >= quota:
        raise errors.limit_exceeded(f"Cannot exceed quota for {_QUOTA_NAME[kind]}: {quota}")
    repo.put(session, AttachmentRow(
        entity_id=owner, policy_arn=policy_arn, account_id=entity.account_id, entity_type=kind,
        entity_key=entity.name_key, entity_name=entity_name(entity), policy_name=view.name,
    ))


def create_role(session: Session, account_id: str, role_name: str, trust_policy: str,
                managed_policy_arns: list[str], now: _dt.datetime, path: str = "/", description: str | None = None,
                *, max_session_duration: int = 3600, boundary_arn: str | None = None,
                tags: list[Any] | None = None, exists: AwsError | None = None) -> RoleRow:
    """Create a role with its trust policy and attached managed policies; ``exists`` is the error when the name is
    taken (default: CreateRole's EntityAlreadyExists)."""
    exists = exists or errors.already_exists(f"Role with name {role_name} already exists.")
    if repo.find_named(session, RoleRow, account_id, role_name) is not None:
        raise exists
    if repo.reached_quota(session, RoleRow, account_id, QUOTAS["RolesQuota"]):
        raise errors.limit_exceeded(f"Cannot exceed quota for RolesPerAccount: {QUOTAS['RolesQuota']}")
    check_trust_policy(session, trust_policy)
    role = repo.put(session, RoleRow(
        role_id=ids.unique_id("AROA"), account_id=account_id, role_name=role_name, name_key=role_name.lower(),
        path=inputs.check_path(path), created_at=now, trust_policy=bind_principals(session, trust_policy),
        description=description, max_session_duration=max_session_duration, boundary_arn=boundary_arn, tag_list=tags or [],
    ), conflict=exists)
    for arn in managed_policy_arns:
        attach_policy(session, role, arn)
    return role


def attach_role_policy(session: Session, account_id: str, role_name: str, policy_arn: str) -> None:
    """Attach a managed policy to a role by name."""
    role = repo.find_named(session, RoleRow, account_id, role_name)
    if role is None:
        raise errors.no_such_entity(f"The role with name {role_name} cannot be found.")
    attach_policy(session, role, policy_arn)


def find_role_by_arn(session: Session, role_arn: str) -> RoleRow | None:
    """The role an ARN names (``arn:aws:iam::<account>:role<path><name>``), or None."""
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[5].startswith("role/"):
        return None
    role = repo.find_named(session, RoleRow, parts[4], parts[5].rsplit("/", 1)[-1])
    return role if role is not None and role.arn == role_arn else None
