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
from rootplane.policy import Decision, NamedPolicy, PolicySet, RequestFacts, evaluate

__all__ = ["decide_for_service", "organization_keys"]


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
