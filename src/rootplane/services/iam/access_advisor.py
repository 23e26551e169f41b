"""IAM access advisor: service last accessed reports for users, groups, roles and managed policies, and the
policies that grant an identity access to a service (see :mod:`rootplane.services.iam.last_accessed`).

A job is COMPLETED at once. Generating it snapshots the IAM side (allowed services and actions, the users and
roles that count) as JSON; reading it adds the activity from event history up to the job's creation time. Reads
flush the audit writer first, so calls made just before the job count (a generating request holds the store's
write lock, which the writer needs, so it cannot wait for the writer itself). As AWS requires, only the caller
that generated a job (same user, same role session) may read it.
"""

from __future__ import annotations

import datetime as _dt
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from rootplane.services.cloudtrail import history
from rootplane.services.context import RequestContext
from rootplane.services.iam import catalog, errors, repo
from rootplane.services.iam.shapes import page_of
from rootplane.services.iam.last_accessed import (
    Principal, Usage, allowed_actions, allowed_namespaces, service_name, usage_of,
)
from rootplane.services.iam.tables import AccessReportJobRow, GroupRow, RoleRow, UserRow
from rootplane.wire.models import SERVICES

__all__ = ["AccessAdvisorMixin", "new_job", "find_job", "grants_of"]


@dataclass(frozen=True)
class Grant:
    """A permissions policy of an identity: managed (``arn``) or inline (owner ``entity_type``/``entity_name``)."""

    name: str
    document: str
    arn: str | None = None
    entity_type: str | None = None
    entity_name: str | None = None

    def shape(self) -> dict[str, Any]:
        if self.arn is not None:
            return {"PolicyName": self.name, "PolicyType": "MANAGED", "PolicyArn": self.arn}
        return {"PolicyName": self.name, "PolicyType": "INLINE", "EntityType": self.entity_type,
                "EntityName": self.entity_name}


@dataclass(frozen=True)
class Subject:
    """What a report is about: the policies that count and the users/roles whose calls count."""

    grants: list[Grant]
    principals: list[Principal]


# -- stored reports --------------------------------------------------------------------------------------------

def new_job(ctx: RequestContext, kind: str, subject: str, granularity: str | None, plan: dict[str, Any]) -> str:
    """Store a completed job and its plan (what it reports on); its id."""
    now = ctx.now()
    job = repo.put(ctx.session, AccessReportJobRow(
        job_id=str(uuid.uuid4()), account_id=ctx.account_id, job_kind=kind, subject=subject, granularity=granularity,
        created_by=ctx.principal.arn, status="COMPLETED", created_at=now, completed_at=now,
        report=json.dumps(plan, separators=(",", ":"))))
    return job.job_id


def find_job(ctx: RequestContext, job_id: str, kind: str) -> AccessReportJobRow:
    """The caller's job (service jobs: only their creator's), else NoSuchEntity."""
    job = ctx.session.get(AccessReportJobRow, job_id)
    if (job is None or job.account_id != ctx.account_id or job.job_kind != kind
            or (kind == "service" and job.created_by != ctx.principal.arn)):
        raise errors.no_such_entity(f"JobId {job_id} not found.")
    return job


# -- subjects --------------------------------------------------------------------------------------------------

def _parse_arn(ctx: RequestContext, arn: str, kinds: tuple[str, ...]) -> tuple[str, str]:
    """(kind, name) of an IAM ARN of one of ``kinds`` in the caller's account (AWS managed policies too)."""
    parts = arn.split(":", 5)
    kind, _, rest = parts[5].partition("/") if len(parts) == 6 else ("", "", "")
    owner = parts[4] if len(parts) == 6 else ""
    if (len(parts) != 6 or parts[0] != "arn" or not parts[1].startswith("aws") or parts[2] != "iam"
            or kind not in kinds or not rest or rest.endswith("/")
            or owner not in (ctx.account_id, *(("aws",) if kind == "policy" else ()))):
        raise errors.invalid_input(f"ARN {arn} is not valid.")
    return kind, rest.rsplit("/", 1)[-1]


def _entity(ctx: RequestContext, row_cls: type, kind: str, name: str, arn: str) -> Any:
    row = repo.find_named(ctx.session, row_cls, ctx.account_id, name)
    if row is None or row.arn != arn:
        raise errors.no_such_entity(f"The {kind} with name {name} cannot be found.")
    return row


def _principal(row: UserRow | RoleRow) -> Principal:
    if isinstance(row, UserRow):
        return Principal(row.arn, row.user_name, "USER", row.user_id, row.path)
    return Principal(row.arn, row.role_name, "ROLE", row.role_id, row.path)


def _pages(fetch: Callable[[str | None], repo.Page]) -> Iterator[Any]:
    marker: str | None = None
    while True:
        page = fetch(marker)
        yield from page.rows
        if page.marker is None:
            return
        marker = page.marker


def _members(session: Session, group_id: str) -> list[UserRow]:
    return list(_pages(lambda marker: repo.list_group_users(session, group_id, marker, 1000)))


def grants_of(session: Session, owners: dict[str, tuple[str, str]]) -> list[Grant]:
    """Managed (each once) and inline policies of some entities; ``owners``: entity id -> (TYPE, name)."""
    arns = list(dict.fromkeys(arn for _, arn in repo.attached_arns(session, list(owners))))
    grants = [Grant(view.name, view.document, arn=view.arn) for view in catalog.resolve_many(session, arns)]
    for row in repo.inline_policies(session, list(owners)):
        entity_type, entity_name = owners[row.entity_id]
        grants.append(Grant(row.policy_name, row.document, entity_type=entity_type, entity_name=entity_name))
    return grants


def _identity_owners(session: Session, row: UserRow | GroupRow | RoleRow) -> dict[str, tuple[str, str]]:
    """The entities whose policies an identity has: a user's own and its groups'; a group's or role's own."""
    if isinstance(row, UserRow):
        groups = [repo.find_named(session, GroupRow, row.account_id, name)
                  for name in repo.group_names_of_users(session, [row.user_id]).get(row.user_id, [])]
        return {row.user_id: ("USER", row.user_name),
                **{group.group_id: ("GROUP", group.group_name) for group in groups if group is not None}}
    if isinstance(row, GroupRow):
        return {row.group_id: ("GROUP", row.group_name)}
    return {row.role_id: ("ROLE", row.role_name)}


def _identity(ctx: RequestContext, arn: str, kinds: tuple[str, ...]) -> tuple[str, Any]:
    kind, name = _parse_arn(ctx, arn, kinds)
    if kind == "policy":
        return kind, catalog.get_policy(ctx.session, arn)
    row_cls = {"user": UserRow, "group": GroupRow, "role": RoleRow}[kind]
    return kind, _entity(ctx, row_cls, kind, name, arn)


def _policy_principals(ctx: RequestContext, policy_arn: str) -> list[Principal]:
    """Users and roles the policy is attached to, and the members of groups it is attached to."""
    session = ctx.session
    found: dict[str, Principal] = {}
    attachments = _pages(lambda marker: repo.list_policy_entities(
        session, ctx.account_id, policy_arn, None, None, marker, 1000))
    for attachment in attachments:
        if attachment.entity_type == "User":
            rows: list[UserRow | RoleRow | None] = [repo.user_by_id(session, attachment.entity_id)]
        elif attachment.entity_type == "Role":
            rows = [repo.role_by_id(session, attachment.entity_id)]
        else:
            rows = list(_members(session, attachment.entity_id))
        for row in rows:
            if row is not None:
                principal = _principal(row)
                found.setdefault(principal.arn, principal)
    return list(found.values())


def subject_of(ctx: RequestContext, arn: str) -> Subject:
    """The policies and principals of a user, group, role or managed policy report."""
    kind, found = _identity(ctx, arn, ("user", "group", "role", "policy"))
    if kind == "policy":
        return Subject([Grant(found.name, found.document, arn=found.arn)], _policy_principals(ctx, arn))
    grants = grants_of(ctx.session, _identity_owners(ctx.session, found))
    principals = [_principal(row) for row in _members(ctx.session, found.group_id)] if kind == "group" else [_principal(found)]
    return Subject(grants, principals)


# -- reports ---------------------------------------------------------------------------------------------------

def _entity_info(principal: Principal) -> dict[str, Any]:
    return {"Arn": principal.arn, "Name": principal.name, "Type": principal.kind, "Id": principal.id,
            "Path": principal.path}


def _principal_of(info: dict[str, Any]) -> Principal:
    return Principal(info["Arn"], info["Name"], info["Type"], info["Id"], info["Path"])


def service_plan(subject: Subject, granularity: str) -> dict[str, Any]:
    """What a job snapshots when generated: the allowed services (and tracked actions) and the principals."""
    documents = [grant.document for grant in subject.grants]
    services = []
    for namespace in sorted(allowed_namespaces(documents)):
        item: dict[str, Any] = {"namespace": namespace}
        if granularity == "ACTION_LEVEL" and namespace in SERVICES:
            item["actions"] = allowed_actions(documents, namespace, ())
        services.append(item)
    return {"services": services, "entities": [_entity_info(p) for p in subject.principals]}


def _tracked_actions(actions: list[str], namespace: str, usage: Usage) -> list[dict[str, Any]]:
    tracked = []
    for action in actions:
        item: dict[str, Any] = {"ActionName": action}
        use = usage.actions.get((namespace, action))
        if use is not None:
            item.update(LastAccessedEntity=use.principal.arn, LastAccessedTime=use.time, LastAccessedRegion=use.region)
        tracked.append(item)
    return tracked


def _usage(ctx: RequestContext, job: AccessReportJobRow, plan: dict[str, Any]) -> Usage:
    """The job's principals' calls up to the job's creation (the audit writer flushed first)."""
    with history.reading(ctx.session) as events:
        return usage_of(events, job.account_id, [_principal_of(info) for info in plan["entities"]], job.created_at)


def services_last_accessed(plan: dict[str, Any], usage: Usage) -> list[dict[str, Any]]:
    """ServicesLastAccessed, by namespace."""
    services = []
    for service in plan["services"]:
        namespace = service["namespace"]
        users = [info for info in plan["entities"] if (namespace, info["Arn"]) in usage.principals]
        item: dict[str, Any] = {"ServiceName": service_name(namespace), "ServiceNamespace": namespace,
                                "TotalAuthenticatedEntities": len(users)}
        use = usage.services.get(namespace)
        if use is not None:
            item.update(LastAuthenticated=use.time, LastAuthenticatedEntity=use.principal.arn,
                        LastAuthenticatedRegion=use.region)
        if "actions" in service:
            item["TrackedActionsLastAccessed"] = _tracked_actions(service["actions"], namespace, usage)
        services.append(item)
    return services


def _job_dates(job: AccessReportJobRow) -> dict[str, Any]:
    return {"JobStatus": job.status, "JobCreationDate": job.created_at, "JobCompletionDate": job.completed_at}


class AccessAdvisorMixin:
    def generate_service_last_accessed_details(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        granularity = params.get("Granularity") or "SERVICE_LEVEL"
        plan = service_plan(subject_of(ctx, params["Arn"]), granularity)
        return {"JobId": new_job(ctx, "service", params["Arn"], granularity, plan)}

    def get_service_last_accessed_details(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        job = find_job(ctx, params["JobId"], "service")
        plan = json.loads(job.report)
        services = services_last_accessed(plan, _usage(ctx, job, plan))
        page, paging = page_of(services, params.get("Marker"), params.get("MaxItems"))
        return {**_job_dates(job), "JobType": job.granularity, "ServicesLastAccessed": page, **paging}

    def get_service_last_accessed_details_with_entities(self, ctx: RequestContext,
                                                        params: dict[str, Any]) -> dict[str, Any]:
        job = find_job(ctx, params["JobId"], "service")
        plan = json.loads(job.report)
        usage = _usage(ctx, job, plan)
        namespace = params["ServiceNamespace"]
        details = []
        for info in plan["entities"]:
            use = usage.principals.get((namespace, info["Arn"]))
            details.append({"EntityInfo": info, **({"LastAuthenticated": use.time} if use is not None else {})})
        newest = _dt.datetime.max.replace(tzinfo=_dt.timezone.utc)
        details.sort(key=lambda item: (newest - item["LastAuthenticated"] if "LastAuthenticated" in item
                                       else _dt.timedelta.max, item["EntityInfo"]["Arn"]))
        page, paging = page_of(details, params.get("Marker"), params.get("MaxItems"))
        return {**_job_dates(job), "EntityDetailsList": page, **paging}

    def list_policies_granting_service_access(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _, row = _identity(ctx, params["Arn"], ("user", "group", "role"))
        grants = grants_of(ctx.session, _identity_owners(ctx.session, row))
        namespaces = list(dict.fromkeys(params["ServiceNamespaces"]))
        granting = [(grant, allowed_namespaces([grant.document], namespaces)) for grant in grants]
        return {"PoliciesGrantingServiceAccess": [
            {"ServiceNamespace": namespace,
             "Policies": [grant.shape() for grant, allowed in granting if namespace in allowed]}
            for namespace in namespaces], "IsTruncated": False}
