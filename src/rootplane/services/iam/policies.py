"""The IAM policy source used by rootplane.authz.gather: identity policies, boundaries, managed policies by ARN.

A principal's policies (``principal_policies``) are kept per user or role in a ``TableCache`` (store/changes.py)
that every commit writing the IAM tables they are read from drops; reading them costs five indexed queries
(groups, attachments, inline policies, customer policy versions, the user or role row). Compiled documents are
cached by text in :func:`rootplane.policy.parse_policy_cached`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy.orm import Session

from rootplane.auth.principal import ASSUMED_ROLE, FEDERATED_USER, IAM_USER, Principal
from rootplane.policy import NamedPolicy, parse_policy_cached
from rootplane.services.iam import catalog, repo
from rootplane.services.iam.tables import (
    AttachmentRow, GroupMemberRow, GroupRow, InlinePolicyRow, ManagedPolicyRow, PolicyVersionRow, RoleRow, UserRow,
)
from rootplane.store.changes import TableCache

__all__ = ["PrincipalPolicies", "principal_policies", "managed_policies", "entity_policies"]

_KIND_OF_TYPE = {"session policy": "session", "permissions boundary": "boundary"}


class PrincipalPolicies(NamedTuple):
    """What IAM holds for a principal: its identity policies and boundary; ``role_gone`` for a session of a
    deleted role (nothing applies to it)."""

    identity: tuple[NamedPolicy, ...] = ()
    boundary: tuple[NamedPolicy, ...] | None = None
    role_gone: bool = False


_NOTHING = PrincipalPolicies()
_ROOT_ISSUED = PrincipalPolicies((NamedPolicy("root user", parse_policy_cached(
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', "identity"),
    "root"),))  # the root user's permissions: a federated user it issued has these, narrowed
_PRINCIPALS: TableCache[PrincipalPolicies] = TableCache(
    row.__tablename__ for row in (UserRow, RoleRow, GroupRow, GroupMemberRow, AttachmentRow, InlinePolicyRow,
                                  ManagedPolicyRow, PolicyVersionRow))


def principal_policies(session: Session, principal: Principal) -> PrincipalPolicies:
    """The identity policies and boundary of an IAM user or a role session, a federated user's those of the IAM
    user that issued it, or everything when the root user did (none for root and others)."""
    if principal.kind == FEDERATED_USER:
        if principal.issuer_id is None:
            return _ROOT_ISSUED
        principal = Principal(IAM_USER, principal.account_id, principal.issuer_arn or "", principal.issuer_id)
    if principal.kind == IAM_USER:
        key = (IAM_USER, principal.user_id)
    elif principal.kind == ASSUMED_ROLE and principal.role_id:
        key = (ASSUMED_ROLE, principal.role_id)
    else:
        return _NOTHING
    return _PRINCIPALS.get(session, key, lambda s: _read_principal_policies(s, principal))


def _read_principal_policies(session: Session, principal: Principal) -> PrincipalPolicies:
    if _session_role_gone(session, principal):
        return PrincipalPolicies(role_gone=True)
    boundary = _permissions_boundary(session, principal)
    return PrincipalPolicies(tuple(_identity_policies(session, principal)),
                             tuple(boundary) if boundary is not None else None)


def managed_policies(session: Session, arns: Sequence[str], policy_type: str = "identity-based policy") -> list[NamedPolicy]:
    """Managed policies (AWS incl. root-task/*, and customer) at their default version; unknown ARNs are skipped."""
    kind = _KIND_OF_TYPE.get(policy_type, "identity")
    return [
        NamedPolicy(view.name, parse_policy_cached(view.document, kind), "aws-managed" if view.is_aws else "user-managed")
        for view in catalog.resolve_many(session, list(arns))
    ]


def entity_policies(session: Session, entity_ids: Sequence[str], labels: dict[str, str]) -> list[NamedPolicy]:
    """Attached managed + inline policies of some entities; ``labels`` maps entity id -> user|group|role."""
    attached = [arn for _, arn in repo.attached_arns(session, entity_ids)]
    found = managed_policies(session, list(dict.fromkeys(attached)))
    for row in repo.inline_policies(session, entity_ids):
        found.append(NamedPolicy(row.policy_name, parse_policy_cached(row.document, "identity"), labels[row.entity_id]))
    return found


def _identity_policies(session: Session, principal: Principal) -> list[NamedPolicy]:
    """IAM user: own + groups' policies; role session: the role's policies; root and others: none."""
    if principal.kind == IAM_USER:
        group_ids = repo.group_ids_of_user(session, principal.user_id)
        labels = {principal.user_id: "user", **{group_id: "group" for group_id in group_ids}}
        return entity_policies(session, [principal.user_id, *group_ids], labels)
    if principal.kind == ASSUMED_ROLE and principal.role_id:
        return entity_policies(session, [principal.role_id], {principal.role_id: "role"})
    return []


def _session_role_gone(session: Session, principal: Principal) -> bool:
    """True for a role session whose role was deleted (a role recreated with the same name is another role)."""
    return principal.kind == ASSUMED_ROLE and bool(principal.role_id) and repo.role_by_id(session, principal.role_id) is None


def _permissions_boundary(session: Session, principal: Principal) -> list[NamedPolicy] | None:
    """The boundary of the user or role behind the principal, or None when it has none."""
    row: UserRow | RoleRow | None = None
    if principal.kind == IAM_USER:
        row = repo.user_by_id(session, principal.user_id)
    elif principal.kind == ASSUMED_ROLE and principal.role_id:
        row = repo.role_by_id(session, principal.role_id)
    if row is None or not row.boundary_arn:
        return None
    return managed_policies(session, [row.boundary_arn], "permissions boundary")
