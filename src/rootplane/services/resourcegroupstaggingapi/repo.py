"""The tagged resources of one account, read from each service's own rows (reads only; each service keeps writing
its tags itself). A source yields ``(arn, tags)`` for the resources that carry at least one tag."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rootplane.services.cloudtrail.tables import TrailRow
from rootplane.services.events.tables import EventBusRow, RuleRow
from rootplane.services.iam.tables import (
    InstanceProfileRow, ManagedPolicyRow, OidcProviderRow, RoleRow, SamlProviderRow, ServerCertificateRow, UserRow,
)
from rootplane.services.kms.tables import KeyRow
from rootplane.services.organizations import names as org_names
from rootplane.services.organizations.tables import (
    MembershipRow, OrganizationalUnitRow, OrganizationRow, PolicyRow as OrgPolicyRow, TagRow as OrgTagRow,
)
from rootplane.services.s3.tables import BucketRow
from rootplane.services.sns.tables import TopicRow
from rootplane.services.sqs.tables import QueueRow
from rootplane.services.sqs.urls import queue_arn

__all__ = ["Source", "SOURCES", "GLOBAL_REGION"]

#: Global services' resources (IAM, Organizations) are listed in this region only, as AWS does.
GLOBAL_REGION = "us-east-1"

Tagged = Iterator[tuple[str, dict[str, str]]]


@dataclass(frozen=True)
class Source:
    """One resource type (``service:type``, as ResourceTypeFilters name it) and how to read its tagged resources
    of an account in a region (global types are read only in GLOBAL_REGION)."""

    resource_type: str
    read: Callable[[Session, str, str], Tagged]
    is_global: bool = False


def _object_tags(text: str | None) -> dict[str, str]:
    """Tags stored as a JSON object (a null value reads as an empty one)."""
    return {key: value or "" for key, value in json.loads(text or "{}").items()}


def _iam(row_type) -> Callable[[Session, str, str], Tagged]:
    def read(session: Session, account_id: str, region: str) -> Tagged:
        for row in session.scalars(select(row_type).where(row_type.account_id == account_id)):
            if row.tag_list:
                yield row.arn, row.tags
    return read


def _regional(row_type, tags_of: Callable, arn_of: Callable) -> Callable[[Session, str, str], Tagged]:
    def read(session: Session, account_id: str, region: str) -> Tagged:
        query = select(row_type).where(row_type.account_id == account_id, row_type.region == region)
        for row in session.scalars(query):
            tags = tags_of(row)
            if tags:
                yield arn_of(row), tags
    return read


def _buckets(session: Session, account_id: str, region: str) -> Tagged:
    query = select(BucketRow).where(BucketRow.account_id == account_id, BucketRow.region == region,
                                    BucketRow.tags_json.is_not(None))
    for row in session.scalars(query):
        tags = {pair["Key"]: pair["Value"] for pair in json.loads(row.tags_json)}
        if tags:
            yield f"arn:aws:s3:::{row.name}", tags


def _trails(session: Session, account_id: str, region: str) -> Tagged:
    query = select(TrailRow).where(TrailRow.account_id == account_id, TrailRow.home_region == region)
    for row in session.scalars(query):
        tags = _object_tags(row.tags_json)
        if tags:
            yield row.trail_arn, tags


def _organization_tags(kind: str) -> Callable[[Session, str, str], Tagged]:
    """Tags on the organization's accounts, OUs, root or policies, for its management account."""

    def read(session: Session, account_id: str, region: str) -> Tagged:
        org = session.scalars(select(OrganizationRow).where(OrganizationRow.management_account_id == account_id)).first()
        if org is None:
            return
        mgmt = org.management_account_id
        if kind == "account":
            ids = session.scalars(select(MembershipRow.account_id).where(MembershipRow.org_id == org.id))
            arns = {member: org_names.account_arn(mgmt, org.id, member) for member in ids}
        elif kind == "ou":
            ids = session.scalars(select(OrganizationalUnitRow.id).where(OrganizationalUnitRow.org_id == org.id))
            arns = {ou: org_names.ou_arn(mgmt, org.id, ou) for ou in ids}
        elif kind == "root":
            arns = {org.root_id: org_names.root_arn(mgmt, org.id, org.root_id)}
        else:
            rows = session.execute(select(OrgPolicyRow.id, OrgPolicyRow.type).where(OrgPolicyRow.org_id == org.id))
            arns = {policy_id: org_names.policy_arn(mgmt, org.id, policy_type, policy_id)
                    for policy_id, policy_type in rows}
        tags: dict[str, dict[str, str]] = {}
        for tag in session.scalars(select(OrgTagRow).where(OrgTagRow.resource_id.in_(list(arns)))):
            tags.setdefault(tag.resource_id, {})[tag.key] = tag.value
        for resource_id, resource_tags in tags.items():
            yield arns[resource_id], resource_tags

    return read


SOURCES: tuple[Source, ...] = (
    Source("iam:user", _iam(UserRow), is_global=True),
    Source("iam:role", _iam(RoleRow), is_global=True),
    Source("iam:policy", _iam(ManagedPolicyRow), is_global=True),
    Source("iam:instance-profile", _iam(InstanceProfileRow), is_global=True),
    Source("iam:oidc-provider", _iam(OidcProviderRow), is_global=True),
    Source("iam:saml-provider", _iam(SamlProviderRow), is_global=True),
    Source("iam:server-certificate", _iam(ServerCertificateRow), is_global=True),
    Source("organizations:account", _organization_tags("account"), is_global=True),
    Source("organizations:ou", _organization_tags("ou"), is_global=True),
    Source("organizations:root", _organization_tags("root"), is_global=True),
    Source("organizations:policy", _organization_tags("policy"), is_global=True),
    Source("s3:bucket", _buckets),
    Source("sqs:queue", _regional(QueueRow, lambda row: _object_tags(row.tags_json),
                                  lambda row: queue_arn(row.region, row.account_id, row.name))),
    Source("sns:topic", _regional(TopicRow, lambda row: _object_tags(row.tags), lambda row: row.arn)),
    Source("kms:key", _regional(KeyRow, lambda row: _object_tags(row.tags_json), lambda row: row.arn)),
    Source("events:rule", _regional(RuleRow, lambda row: _object_tags(row.tags_json), lambda row: row.arn)),
    Source("events:event-bus", _regional(EventBusRow, lambda row: _object_tags(row.tags_json), lambda row: row.arn)),
    Source("cloudtrail:trail", _trails),
)
