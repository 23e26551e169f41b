"""Requests an AWS service principal makes to a resource on behalf of another (SNS or EventBridge delivering to a
queue, CloudTrail writing to a bucket): decided by the resource policy and the RCPs of the resource's account.

AWS applies RCPs to service principals' requests: the data perimeter RCPs it publishes exempt them with
``aws:PrincipalIsAWSService`` and hold them to ``aws:SourceOrgID`` instead (Organizations User Guide, resource
control policies; aws-samples/data-perimeter-policy-examples). No SCP binds a service principal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from rootplane.core.arn import parse_arn
from rootplane.core.services import optional_module as source
from rootplane.policy import Decision, NamedPolicy, PolicySet, RequestFacts, evaluate, parse_policy_cached

__all__ = ["decide_for_service", "organization_keys", "role_for_service", "decide_for_role_session"]


def organization_keys(session: Session, prefix: str, account_id: str | None) -> dict[str, Any]:
    """``<prefix>OrgID`` and ``<prefix>OrgPaths`` (multivalued) of an account in an organization, else nothing:
    aws:PrincipalOrg*, aws:ResourceOrg*, aws:SourceOrg* (IAM User Guide, global condition keys)."""
    orgs = source("rootplane.services.organizations.policies")
    found = orgs.org_identity(session, account_id) if orgs is not None and account_id else None
    return {} if found is None else {f"{prefix}OrgID": found[0], f"{prefix}OrgPaths": [found[1]]}


def _context(session: Session, resource_account: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """The request's keys: ``given`` (aws:SourceArn...), aws:SourceAccount (the source ARN's account when not
    given), aws:SourceOrgID/OrgPaths of that account and aws:ResourceOrgID/OrgPaths of the resource's."""
    context = dict(given)
    source_arn = parse_arn(str(context.get("aws:SourceArn") or ""))
    if "aws:SourceAccount" not in context and source_arn is not None and source_arn.account:
        context["aws:SourceAccount"] = source_arn.account
    context.update(organization_keys(session, "aws:Source", context.get("aws:SourceAccount")))
    context.update(organization_keys(session, "aws:Resource", resource_account))
    return context


def decide_for_service(session: Session, service: str, action: str, resource: str, resource_account: str,
                       resource_policy: NamedPolicy | None, context: Mapping[str, Any], *,
                       rcps: bool = True) -> Decision:
    """Whether ``service`` (``sns.amazonaws.com``...) may do ``action`` on ``resource``: its resource policy must
    allow and no RCP binding ``resource_account`` may deny (``context``: the keys the service sets). Without
    ``rcps``, the resource policy alone decides (a check of the policy, not a request)."""
    orgs = source("rootplane.services.organizations.policies") if rcps else None
    rcp_levels = orgs.rcp_levels(session, resource_account, action) if orgs is not None else None
    facts = RequestFacts(action=action, resource=resource, principal_arn=service, principal_account="",
                         resource_account=resource_account, context=_context(session, resource_account, context),
                         principal_is_service=service)
    return evaluate(facts, PolicySet(resource=resource_policy, rcp_levels=rcp_levels))


def role_for_service(session: Session, service: str, role_arn: str | None, context: Mapping[str, Any]) -> Any | None:
    """The IAM role ``role_arn`` names if its trust policy lets ``service`` assume it (``context``: the keys the
    service sets, aws:SourceArn and aws:SourceAccount), else None."""
    iam = source("rootplane.services.iam.api")
    role = iam.find_role_by_arn(session, role_arn or "") if iam is not None else None
    if role is None:
        return None
    trust = NamedPolicy("trust-policy", parse_policy_cached(role.trust_policy, "trust"), "resource-based policy")
    facts = RequestFacts("sts:AssumeRole", role.arn, service, "", role.account_id, dict(context),
                         principal_is_service=service)
    return role if evaluate(facts, PolicySet(resource=trust)).allowed else None


def decide_for_role_session(session: Session, role: Any, session_name: str, action: str, resource: str,
                            resource_policy: NamedPolicy | None = None, context: Mapping[str, Any] | None = None, *,
                            rcps: bool = False) -> Decision:
    """Whether a session of ``role`` (a service acting through it) may do ``action`` on ``resource``: the role's
    policies, its permissions boundary, its account's SCPs, and ``resource_policy``, with the RCPs of the
    resource's account when ``rcps``. ``context`` adds to aws:PrincipalOrgID/OrgPaths of the role's account."""
    policies = source("rootplane.services.iam.policies")
    orgs = source("rootplane.services.organizations.policies")
    resource_account = resource.split(":")[4]
    boundary = policies.managed_policies(session, [role.boundary_arn], "permissions boundary") \
        if role.boundary_arn else None
    policy_set = PolicySet(
        identity=tuple(policies.entity_policies(session, [role.role_id], {role.role_id: "role"})), boundary=boundary,
        scp_levels=orgs.scp_levels(session, role.account_id) if orgs is not None else None,
        rcp_levels=orgs.rcp_levels(session, resource_account, action) if orgs is not None and rcps else None,
        resource=resource_policy)
    session_arn = f"arn:aws:sts::{role.account_id}:assumed-role/{role.role_name}/{session_name}"
    keys = {**organization_keys(session, "aws:Principal", role.account_id), **(context or {})}
    return evaluate(RequestFacts(action, resource, session_arn, role.account_id, resource_account, keys,
                                 role_arn=role.arn, unique_id=role.role_id), policy_set)
