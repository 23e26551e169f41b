"""SCP and RCP chains for the policy engine; asked on every request of a principal in an organization.

The chains are kept per (account, policy type) in a ``TableCache`` (store/changes.py): any commit writing an
Organizations table they are read from (organization, units, memberships, policies, attachments) drops them, so
the next request reads them again. Read: the account's organization + membership (with its OU path), then the
attachments of one policy type on every level of that path. Compiled documents come from ``parse_policy_cached``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from rootplane.policy import NamedPolicy, parse_policy_cached
from rootplane.services.organizations import repo
from rootplane.services.organizations.managed import managed_policy
from rootplane.services.organizations.tables import (
    AttachmentRow, MembershipRow, OrganizationalUnitRow, OrganizationRow, PolicyRow,
)
from rootplane.store.changes import TableCache

__all__ = ["scp_levels", "rcp_levels", "levels_for", "org_identity", "RCP_SERVICES"]

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
_KIND = {SCP: "scp", RCP: "rcp"}
# Action prefixes of the services RCPs apply to (Organizations User Guide, "Resource control policies": Amazon S3,
# AWS STS, AWS KMS, Amazon SQS, AWS Secrets Manager, Amazon Cognito, CloudWatch Logs, DynamoDB, ECR,
# OpenSearch Serverless).
RCP_SERVICES = frozenset({"s3", "sts", "kms", "sqs", "secretsmanager", "cognito-idp", "cognito-identity", "logs",
                          "dynamodb", "ecr", "aoss"})
_LABEL = {SCP: "service control policy", RCP: "resource control policy"}

Levels = tuple[tuple[NamedPolicy, ...], ...]

_LEVELS: TableCache[Levels | None] = TableCache(
    row.__tablename__ for row in (OrganizationRow, OrganizationalUnitRow, MembershipRow, PolicyRow, AttachmentRow))


_IDENTITIES: TableCache[tuple[str, str] | None] = TableCache(
    row.__tablename__ for row in (OrganizationRow, OrganizationalUnitRow, MembershipRow))


def org_identity(session: Session, account_id: str) -> tuple[str, str] | None:
    """(organization id, the account's organization path) of an account in an organization, None otherwise: the
    values of aws:PrincipalOrgID / aws:PrincipalOrgPaths for its principals and of aws:ResourceOrgID /
    aws:ResourceOrgPaths for its resources. The path runs from the organization to the account's parent, as AWS
    writes it: ``o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/``."""
    return _IDENTITIES.get(session, account_id, lambda s: _read_identity(s, account_id))


def _read_identity(session: Session, account_id: str) -> tuple[str, str] | None:
    found = repo.organization_of(session, account_id)
    if found is None:
        return None
    organization, membership = found
    return organization.id, f"{organization.id}/{membership.path}"


def levels_for(session: Session, account_id: str, policy_type: str) -> Levels | None:
    """Policies of ``policy_type`` at each level root → OUs → account; None when the type doesn't bind the account."""
    return _LEVELS.get(session, (account_id, policy_type), lambda s: _read_levels(s, account_id, policy_type))


def _read_levels(session: Session, account_id: str, policy_type: str) -> Levels | None:
    found = repo.organization_of(session, account_id)
    if found is None:
        return None
    organization, membership = found
    if organization.management_account_id == account_id or policy_type not in organization.enabled_types():
        return None
    targets = [*membership.path.rstrip("/").split("/"), account_id]
    by_target: dict[str, list[NamedPolicy]] = {target: [] for target in targets}
    kind = _KIND[policy_type]
    for target_id, policy_id, content in repo.attachments_for_targets(session, targets, policy_type):
        text = content if content is not None else _managed_content(policy_id)
        if text is not None:
            by_target[target_id].append(NamedPolicy(policy_id, parse_policy_cached(text, kind), _LABEL[policy_type]))
    return tuple(tuple(by_target[target]) for target in targets)


def _managed_content(policy_id: str) -> str | None:
    record = managed_policy(policy_id)
    return record["Content"] if record is not None else None


def scp_levels(session: Session, account_id: str) -> Levels | None:
    """SCPs binding principals of ``account_id`` (None: not in an org, management account, or SCPs disabled)."""
    return levels_for(session, account_id, SCP)


def rcp_levels(session: Session, account_id: str, action: str | None = None) -> Levels | None:
    """RCPs binding resources owned by ``account_id`` (None when RCPs don't apply to it).

    RCPs only govern the services AWS lists (``RCP_SERVICES``); for any other ``action`` they don't apply.
    """
    if action is not None and action.split(":", 1)[0].lower() not in RCP_SERVICES:
        return None
    return levels_for(session, account_id, RCP)
