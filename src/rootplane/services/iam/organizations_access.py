"""Organizations access reports (GenerateOrganizationsAccessReport, GetOrganizationsAccessReport).

Only the organization's management account may generate or read them, and SCPs must be enabled on the root.
For an entity path (root, OU or account) the report lists the services the SCPs applying to it allow (every level
from the root down must allow a service) or, with ``OrganizationsPolicyId``, the services that SCP allows; for each,
the last call any principal (root user, IAM user, role) of an account under the entity made to it, from CloudTrail
event history. The management account is not limited by SCPs, so its activity never counts.
"""

from __future__ import annotations

import json
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.cloudtrail import history
from rootplane.services.cloudtrail import repo as trail_repo
from rootplane.services.context import RequestContext
from rootplane.services.iam import errors
from rootplane.services.iam.access_advisor import find_job, new_job
from rootplane.services.iam.shapes import page_of
from rootplane.services.iam.last_accessed import TRACKING_PERIOD, allowed_namespaces, namespace_of, service_name
from rootplane.services.organizations import repo as org_repo
from rootplane.services.organizations.managed import managed_policy
from rootplane.services.iam.tables import AccessReportJobRow
from rootplane.services.organizations.tables import OrganizationRow

__all__ = ["OrganizationsAccessMixin"]

_SCP = "SERVICE_CONTROL_POLICY"
_ACCOUNT_PRINCIPALS = frozenset({"Root", "IAMUser", "AssumedRole"})
_SORTS = {
    "SERVICE_NAMESPACE_ASCENDING": (lambda item: item["ServiceNamespace"], False),
    "SERVICE_NAMESPACE_DESCENDING": (lambda item: item["ServiceNamespace"], True),
    "LAST_AUTHENTICATED_TIME_ASCENDING": (lambda item: (item.get("LastAuthenticatedTime") is None,
                                                        item.get("LastAuthenticatedTime") or 0), False),
    "LAST_AUTHENTICATED_TIME_DESCENDING": (lambda item: (item.get("LastAuthenticatedTime") is not None,
                                                         item.get("LastAuthenticatedTime") or 0), True),
}


def _management_organization(ctx: RequestContext) -> OrganizationRow:
    found = org_repo.organization_of(ctx.session, ctx.account_id)
    if found is None or found[0].management_account_id != ctx.account_id:
        raise AwsError("AccessDenied", "Only the management account of an organization can generate or read "
                                       "organizations access reports.", 403)
    organization = found[0]
    if _SCP not in organization.enabled_types():
        raise errors.invalid_input("SCPs must be enabled for your organization root.")
    return organization


def _entity_targets(ctx: RequestContext, organization: OrganizationRow, entity_path: str) -> list[str]:
    """The ids of the path below the organization (root, OUs, account), each checked to be the previous one's child."""
    segments = entity_path.rstrip("/").split("/")
    invalid = errors.invalid_input(f"EntityPath {entity_path} is not valid.")
    if len(segments) < 2 or segments[0] != organization.id or segments[1] != organization.root_id:
        raise invalid
    for parent, child in zip(segments[1:], segments[2:]):
        if child.startswith("ou-"):
            unit = org_repo.find_ou(ctx.session, child)
            valid = unit is not None and unit.org_id == organization.id and unit.parent_id == parent
        else:
            membership = org_repo.find_membership(ctx.session, child)
            valid = membership is not None and membership.parent_id == parent and child == segments[-1]
        if not valid:
            raise invalid
    return segments[1:]


def _accounts_under(ctx: RequestContext, organization: OrganizationRow, targets: list[str]) -> dict[str, str]:
    """Member accounts (not the management account) under the entity -> their entity paths."""
    accounts: dict[str, str] = {}
    after: str | None = None
    while True:
        members = org_repo.list_members(ctx.session, organization.id, after, 500)
        for membership, _ in members:
            ids = [*membership.path.rstrip("/").split("/"), membership.account_id]
            if membership.account_id != organization.management_account_id and ids[:len(targets)] == targets:
                accounts[membership.account_id] = "/".join([organization.id, *ids])
        if len(members) < 500:
            return accounts
        after = members[-1][0].account_id


def _scp_documents(ctx: RequestContext, targets: list[str]) -> dict[str, list[str]]:
    documents: dict[str, list[str]] = {target: [] for target in targets}
    for target, policy_id, content in org_repo.attachments_for_targets(ctx.session, targets, _SCP):
        managed = managed_policy(policy_id) if content is None else None
        text = content if content is not None else (managed or {}).get("Content")
        if text is not None:
            documents[target].append(text)
    return documents


def _policy_document(ctx: RequestContext, organization: OrganizationRow, policy_id: str) -> str:
    row = org_repo.find_policy(ctx.session, policy_id)
    if row is not None and row.org_id == organization.id and row.type == _SCP:
        return row.content
    managed = managed_policy(policy_id)
    if managed is not None and managed["PolicySummary"]["Type"] == _SCP:
        return managed["Content"]
    raise errors.invalid_input(f"OrganizationsPolicyId {policy_id} is not a service control policy of the organization.")


def _allowed_services(ctx: RequestContext, organization: OrganizationRow, targets: list[str],
                      policy_id: str | None) -> set[str]:
    """Services every SCP level of the entity allows (or the one SCP named allows)."""
    if policy_id:
        return allowed_namespaces([_policy_document(ctx, organization, policy_id)])
    levels = [allowed_namespaces(documents) for documents in _scp_documents(ctx, targets).values()]
    return set.intersection(*levels) if levels else set()


def _access_details(ctx: RequestContext, job: AccessReportJobRow) -> list[dict[str, Any]]:
    """AccessDetails by namespace: the plan's services with the last call from its accounts before the job."""
    plan = json.loads(job.report)
    accounts: dict[str, str] = plan["accounts"]
    last: dict[str, dict[str, Any]] = {}
    seen: dict[str, set[str]] = {}
    with history.reading(ctx.session) as events_session:
        events = trail_repo.events_of_accounts(events_session, list(accounts), job.created_at - TRACKING_PERIOD,
                                               job.created_at)
    for event in events:  # newest first
        namespace = namespace_of(event.event_source)
        identity = json.loads(event.record).get("userIdentity") or {}
        if identity.get("type") not in _ACCOUNT_PRINCIPALS or identity.get("accountId") != event.account_id:
            continue
        seen.setdefault(namespace, set()).add(event.account_id)
        last.setdefault(namespace, {"Region": event.region, "EntityPath": accounts[event.account_id],
                                    "LastAuthenticatedTime": event.event_time})
    return [{"ServiceName": service_name(namespace), "ServiceNamespace": namespace, **last.get(namespace, {}),
             "TotalAuthenticatedEntities": len(seen.get(namespace, ()))} for namespace in plan["services"]]


class OrganizationsAccessMixin:
    def generate_organizations_access_report(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        organization = _management_organization(ctx)
        targets = _entity_targets(ctx, organization, params["EntityPath"])
        services = _allowed_services(ctx, organization, targets, params.get("OrganizationsPolicyId"))
        plan = {"services": sorted(services), "accounts": _accounts_under(ctx, organization, targets)}
        return {"JobId": new_job(ctx, "organizations", params["EntityPath"], None, plan)}

    def get_organizations_access_report(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _management_organization(ctx)
        job = find_job(ctx, params["JobId"], "organizations")
        details = _access_details(ctx, job)
        key, reverse = _SORTS[params.get("SortKey") or "SERVICE_NAMESPACE_ASCENDING"]
        ordered = sorted(details, key=key, reverse=reverse)
        page, paging = page_of(ordered, params.get("Marker"), params.get("MaxItems"))
        return {"JobStatus": job.status, "JobCreationDate": job.created_at, "JobCompletionDate": job.completed_at,
                "NumberOfServicesAccessible": len(details),
                "NumberOfServicesNotAccessed": sum(1 for item in details if "LastAuthenticatedTime" not in item),
                "AccessDetails": page, **paging}
