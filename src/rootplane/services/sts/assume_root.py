"""sts:AssumeRoot: a short-lived session as the root user of a member account, limited by a root-task policy.

Order of refusals (aws-spec.md c.2-c.4, recorded AWS answers):

1. the global endpoint does not know the operation (``InvalidAction`` "Unknown Operation");
2. input validation (``ValidationError``), before any authorization;
3. root user credentials are refused (AccessDenied);
4. IAM authorization of ``sts:AssumeRoot`` on ``arn:aws:iam::<target>:root`` with ``sts:TaskPolicyArn`` in the
   request context (done by the gateway with the check built here);
5. the caller's account must be the management account or the IAM delegated administrator, and the target an
   active member of the same organization that has the request's opt-in Region enabled ("It is not the account of
   the caller, but the account from which temporary credentials are requested that must activate the region",
   IAM User Guide, id_credentials_temp_enable-regions) (same generic AccessDenied as step 4);
6. trusted access for IAM, then the feature gate of the task (AWS's recorded messages).

Global endpoint rule: AWS answers ``InvalidAction`` on ``sts.amazonaws.com``. Behind ``--endpoint-url`` every
client reaches the server on its own host, so rootplane applies the rule when the request's Host header names
``sts.amazonaws.com`` (a client that really targets the global endpoint, or a test that sends that Host);
every other host is regional, which is what botocore uses by default (``sts_regional_endpoints=regional``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from rootplane.auth.principal import ASSUMED_ROLE, IAM_USER, ROOT_SESSION, Principal
from rootplane.authz.checks import AuthzCheck
from rootplane.core.arn import root_arn
from rootplane.core.errors import AwsError
from rootplane.services.accounts import repo as accounts
from rootplane.services.accounts.tables import AccountRow
from rootplane.services.context import RequestContext
from rootplane.services.organizations.tables import DelegatedAdminRow, MembershipRow, OrganizationRow, ServiceAccessRow
from rootplane.services.rootaccess import features
from rootplane.services.rootaccess.tables import OrganizationFeaturesRow
from rootplane.services.sts import regional
from rootplane.services.sts.sessions import issue_credentials
from rootplane.store.changes import TableCache

__all__ = ["TASK_POLICY_FEATURES", "RootRequest", "read_request", "checks", "assume_root"]

_TASK_PREFIX = "arn:aws:iam::aws:policy/root-task/"
#: The five root-task policies and the organization feature each one needs.
TASK_POLICY_FEATURES = {
    _TASK_PREFIX + "IAMAuditRootUserCredentials": features.ROOT_CREDENTIALS_MANAGEMENT,
    _TASK_PREFIX + "IAMCreateRootUserPassword": features.ROOT_CREDENTIALS_MANAGEMENT,
    _TASK_PREFIX + "IAMDeleteRootUserCredentials": features.ROOT_CREDENTIALS_MANAGEMENT,
    _TASK_PREFIX + "S3UnlockBucketPolicy": features.ROOT_SESSIONS,
    _TASK_PREFIX + "SQSUnlockQueuePolicy": features.ROOT_SESSIONS,
}
_FEATURE_OFF = {
    features.ROOT_CREDENTIALS_MANAGEMENT: "Root credentials management feature is not enabled for your AWS Organization.",
    features.ROOT_SESSIONS: "Root sessions feature is not enabled for your AWS Organization.",
}
_TARGET_ACCOUNT = re.compile(r"^\d{12}$")
_TARGET_ROOT_ARN = re.compile(r"^arn:aws:iam::(\d{12}):root$")
DEFAULT_DURATION = 900
_ACTION = "sts:AssumeRoot"


@dataclass(frozen=True)
class RootRequest:
    """A validated AssumeRoot request."""

    target_account_id: str
    task_policy_arn: str
    duration_seconds: int

    @property
    def resource(self) -> str:
        return root_arn(self.target_account_id)


def _validation(message: str) -> AwsError:
    return AwsError("ValidationError", message, 400)


def _target_account(target: str) -> str | None:
    if _TARGET_ACCOUNT.match(target):
        return target
    match = _TARGET_ROOT_ARN.match(target)
    return match.group(1) if match else None


def read_request(ctx: RequestContext, params: dict[str, Any]) -> RootRequest:
    """Refuse the global endpoint, validate the input (model limits were checked by the wire layer)."""
    if regional.at_global_endpoint(ctx):
        raise AwsError("InvalidAction", "Unknown Operation", 400)
    task_policy_arn = (params.get("TaskPolicyArn") or {}).get("arn")
    if task_policy_arn is None:
        raise _validation("1 validation error detected: Value null at 'taskPolicyArn' failed to satisfy constraint: "
                          "Member must not be null")
    target_account_id = _target_account(params["TargetPrincipal"])
    if target_account_id is None:
        raise _validation("Request must contain a valid target principal")
    if task_policy_arn not in TASK_POLICY_FEATURES:
        raise _validation("Request must contain valid AWS managed task policy ARN")
    return RootRequest(target_account_id, task_policy_arn, params.get("DurationSeconds", DEFAULT_DURATION))


def _not_authorized(principal: Principal, request: RootRequest) -> AwsError:
    return AwsError("AccessDenied",
                    f"User: {principal.arn} is not authorized to perform: {_ACTION} on resource: {request.resource}", 403)


def checks(ctx: RequestContext, params: dict[str, Any]) -> list[AuthzCheck]:
    """Steps 1-3 here, then the identity-policy check the gateway evaluates (step 4).

    The check has no resource account: AssumeRoot is decided by the caller's identity policies (and its
    account's SCPs), like any call on a resource without a resource-based policy.
    """
    request = read_request(ctx, params)
    if ctx.principal.kind not in (IAM_USER, ASSUMED_ROLE):
        raise _not_authorized(ctx.principal, request)
    return [AuthzCheck(_ACTION, request.resource, None, context={"sts:TaskPolicyArn": request.task_policy_arn})]


class _Eligibility(NamedTuple):
    """What steps 5 and 6 read about a (caller account, target account) pair; None/empty where a step stops."""

    organization_id: str | None = None
    feature_set: str | None = None
    management_account_id: str | None = None
    caller_is_delegated_admin: bool = False
    target_status: str | None = None            # None: no such account
    target_organization_id: str | None = None
    trusted_access: bool = False
    enabled_features: tuple[str, ...] = ()


# Kept per (caller, target) until a commit writes a table the facts are read from (store/changes.py).
_ELIGIBILITY: TableCache[_Eligibility] = TableCache(row.__tablename__ for row in (
    OrganizationRow, MembershipRow, DelegatedAdminRow, ServiceAccessRow, OrganizationFeaturesRow, AccountRow))


def _read_eligibility(session: Session, caller_account: str, target: str) -> _Eligibility:
    organization = features.organization_of(session, caller_account)
    if organization is None:
        return _Eligibility()
    account = accounts.find_account(session, target)
    target_organization = features.organization_of(session, target)
    return _Eligibility(
        organization.id, organization.feature_set, organization.management_account_id,
        caller_account != organization.management_account_id
        and features.is_delegated_admin(session, organization.id, caller_account),
        account.status if account is not None else None,
        target_organization.id if target_organization is not None else None,
        features.trusted_access_enabled(session, organization.id),
        tuple(features.enabled_features(session, organization.id)),
    )


def _check_eligibility(ctx: RequestContext, request: RootRequest) -> None:
    """Steps 5 and 6: who may call, on which target, with which features (raises AWS's refusals)."""
    caller_account, target = ctx.account_id, request.target_account_id
    facts = _ELIGIBILITY.get(ctx.session, (caller_account, target),
                             lambda session: _read_eligibility(session, caller_account, target))
    if facts.organization_id is None or facts.feature_set != features.ALL_FEATURES:
        raise _not_authorized(ctx.principal, request)
    management = facts.management_account_id
    if caller_account != management and not facts.caller_is_delegated_admin:
        raise _not_authorized(ctx.principal, request)
    if (target == management or facts.target_status != "ACTIVE"
            or facts.target_organization_id is None or facts.target_organization_id != facts.organization_id
            or not regional.region_usable(ctx, target)):
        raise _not_authorized(ctx.principal, request)
    if not facts.trusted_access:
        raise AwsError("AccessDenied", "Service not enabled for AWS Organizations.", 403)
    needed = TASK_POLICY_FEATURES[request.task_policy_arn]
    if needed not in facts.enabled_features:
        raise AwsError("AccessDenied", _FEATURE_OFF[needed], 403)


def assume_root(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """Issue ``ASIA...`` credentials of a root session in the target member account."""
    request = read_request(ctx, params)
    _check_eligibility(ctx, request)
    caller = ctx.principal
    target = request.target_account_id
    root_session = Principal(
        kind=ROOT_SESSION, account_id=target, arn=root_arn(target), user_id=target,
        task_policy_arn=request.task_policy_arn, issuer_arn=caller.arn, issuer_account_id=caller.account_id,
        source_identity=caller.source_identity,
    )
    ctx.audit["also_record_in"] = [target]
    result: dict[str, Any] = {"Credentials": issue_credentials(ctx, root_session, request.duration_seconds, params)}
    if caller.source_identity:
        result["SourceIdentity"] = caller.source_identity
    return result
