"""Step 5 of the pipeline: every check of an operation must be allowed, else AccessDenied."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from rootplane.auth.principal import ANONYMOUS, ASSUMED_ROLE, IAM_USER
from rootplane.authz.checks import AuthzCheck
from rootplane.authz.context_keys import global_context
from rootplane.authz.gather import NOTHING_APPLIES, policy_set_for, source
from rootplane.core.errors import AwsError
from rootplane.policy import Decision, RequestFacts, evaluate
from rootplane.policy.evaluate import IDENTITY, RESOURCE

__all__ = ["authorize", "decide", "denial", "deciding_statement"]

# Services whose AccessDenied names no reason (recorded sts:AssumeRoot denials, implicit and explicit).
_REASONLESS_DENIALS = {"sts"}
# SQS names the action in lower case: "... not authorized to perform: sqs:sendmessage on resource: ...".
_LOWERCASE_ACTION_DENIALS = {"sqs"}

# Actions whose denial points to the request's authorization details (recorded for iam:GetAccountProperties,
# aws-captures/root_access.json; not for iam:ListOrganizationsFeatures).
_AUTHORIZATION_DETAILS_ACTIONS = {"iam:GetAccountProperties"}
_AUTHORIZATION_DETAILS = (". Go to https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1#/authorization-details/"
                          "{id} for complete details, or call the GetRequestAuthorizationDetails API with the following "
                          "authorization id: {id}")

_JSON_DENIAL = {
    "organizations": ("AccessDeniedException", 400),
    "cloudtrail": ("AccessDeniedException", 400),
    "events": ("AccessDeniedException", 400),
    "account": ("AccessDeniedException", 403),
}


_BILLING_LOCKED = Decision(allowed=False, kind="implicit_deny", deny_policy_type=None, matched=())
# The root user acting on its own account's resources with no policy applying (no SCP, RCP, resource, session or
# task policy): allowed, as ``evaluate`` decides (tests/unit/test_authorizer_root.py checks they agree).
_ROOT_OWN_ACCOUNT = Decision(allowed=True, kind="allow", deny_policy_type=None, matched=())


def _billing_locked(ctx: Any, action: str) -> bool:
    """IAM principals are denied ``aws-portal:*``/``billing:*`` while the root user keeps Billing access off."""
    if ctx.principal.is_root:
        return False
    preferences = source("rootplane.services.account.preferences")
    if preferences is None or not preferences.is_billing_action(action):
        return False
    return not preferences.iam_billing_access(ctx.session, ctx.principal.account_id)


def _condition_context(ctx: Any, check: AuthzCheck) -> dict[str, Any]:
    """The condition keys of one check: the request's global keys and the check's own (lower-cased names)."""
    context = global_context(ctx, check.resource, check.resource_account, check.resource_tags)
    own = check.context() if callable(check.context) else check.context
    context.update({key.lower(): value for key, value in own.items()})
    return context


def decide(ctx: Any, check: AuthzCheck) -> Decision:
    """Evaluate one check for the request's principal. Its condition keys are worked out only if a policy
    statement that could apply has a condition or a policy variable (issue #19: most decisions read none), and
    its ACL grant is read only when the policies alone deny implicitly."""
    principal = ctx.principal
    if _billing_locked(ctx, check.action):
        return _BILLING_LOCKED
    policies = policy_set_for(ctx, check)
    if (policies is NOTHING_APPLIES and principal.is_root and check.resource_account in (None, principal.account_id)
            and not check.acl_only):
        return _ROOT_OWN_ACCOUNT  # what evaluate decides here, without making the request's facts (issue #19)
    facts = RequestFacts(
        action=check.action,
        resource=check.resource,
        principal_arn=principal.arn,
        principal_account=principal.account_id,
        resource_account=check.resource_account,
        context=functools.partial(_condition_context, ctx, check),
        principal_is_root=principal.is_root,
        principal_is_service=principal.service,
        role_arn=principal.role_arn,
        principal_is_anonymous=principal.kind == ANONYMOUS,
        unique_id=principal.role_id if principal.kind == ASSUMED_ROLE else
        principal.user_id if principal.kind == IAM_USER else None,
    )
    if check.acl_only and check.acl is not None:
        return evaluate(facts, policies, granted_as=check.acl(), acl_only=True)
    decision = evaluate(facts, policies)
    if decision.kind == "implicit_deny" and check.acl is not None:  # an ACL grant may allow what no policy does
        granted = check.acl()
        if granted is not None:
            decision = evaluate(facts, policies, granted_as=granted)
    return decision


def denial(service: str, protocol: str, message: str) -> AwsError:
    """AWS's AccessDenied error for a service and protocol."""
    if service in ("sqs", "cloudwatch"):
        return AwsError("AccessDenied", message, 403, query_code="AccessDenied")
    if protocol in ("json", "rest-json", "smithy-rpc-v2-cbor"):
        code, status = _JSON_DENIAL.get(service, ("AccessDeniedException", 400))
        return AwsError(code, message, status)
    if protocol == "ec2":
        return AwsError("UnauthorizedOperation", f"You are not authorized to perform this operation. {message}", 403)
    if service == "sns":  # botocore's AuthorizationErrorException
        return AwsError("AuthorizationError", message, 403)
    return AwsError("AccessDenied", message, 403)


_DECIDING_TYPES = (IDENTITY, RESOURCE)


def deciding_statement(check: AuthzCheck, decision: Decision) -> dict[str, Any]:
    """What decided a check, for the call's CloudTrail record (an internal field, never in the AWS JSON): the
    decision, the action, and the statement that allowed or explicitly denied it (policy type and name, Sid,
    index in the policy); none for an implicit deny or a call no policy governs (the root user's own account)."""
    found: dict[str, Any] = {"decision": {"allow": "Allow", "explicit_deny": "ExplicitDeny"}.get(
        decision.kind, "ImplicitDeny"), "action": check.action}
    if decision.kind == "implicit_deny":
        found["policyType"] = decision.deny_policy_type
    statements = decision.matched
    if decision.allowed:  # the identity or resource policy that granted it, not the SCP that let it through
        statements = tuple(m for m in statements if m.policy_type in _DECIDING_TYPES) or statements
    if statements:
        first = statements[0]
        found.update(policyType=first.policy_type, policy=first.policy_name, sid=first.sid,
                     statementIndex=first.index)
    return found


def _record(ctx: Any, check: AuthzCheck, decision: Decision) -> None:
    """Keep the first check's deciding statement, or the first denial's."""
    audit = getattr(ctx, "audit", None)
    if audit is None:
        return
    current = audit.get("deciding_statement")
    if current is None or (not decision.allowed and current["decision"] == "Allow"):
        audit["deciding_statement"] = deciding_statement(check, decision)


def _s3_explains(ctx: Any, check: AuthzCheck) -> bool:
    """Whether S3 says why it denied: for a requester of the bucket owner's account or organization (S3 User Guide,
    "Troubleshoot access denied (403 Forbidden) errors": User: <arn> is not authorized to perform: <action> on
    resource: "<arn>" because ...); anyone else reads a bare "Access Denied"."""
    requester, owner = ctx.principal.account_id, check.resource_account
    if not requester or ctx.principal.kind == ANONYMOUS:
        return False
    if owner is None or owner == requester:
        return True
    orgs = source("rootplane.services.organizations.policies")
    if orgs is None:
        return False
    mine, theirs = orgs.org_identity(ctx.session, requester), orgs.org_identity(ctx.session, owner)
    return mine is not None and theirs is not None and mine[0] == theirs[0]


def authorize(ctx: Any, checks: list[AuthzCheck], protocol: str) -> None:
    """Raise AccessDenied unless every check is allowed; the deciding statement goes to ``ctx.audit``."""
    for check in checks:
        decision = decide(ctx, check)
        _record(ctx, check, decision)
        if not decision.allowed:
            # SQS lower-cases its own actions, not another service's (a KMS key's, checked on the caller's behalf)
            lowercase = ctx.service in _LOWERCASE_ACTION_DENIALS and check.action.startswith(f"{ctx.service}:")
            action = check.action.lower() if lowercase else check.action
            resource = check.denial_resource or check.resource
            if ctx.service == "s3":
                if not _s3_explains(ctx, check):
                    raise AwsError("AccessDenied", "Access Denied", 403)
                resource = f'"{resource}"'
            message = decision.message(ctx.principal.arn, action, resource)
            if ctx.service in _REASONLESS_DENIALS:
                message = message.split(" because ", 1)[0].split(" with an explicit deny", 1)[0]
            if check.action in _AUTHORIZATION_DETAILS_ACTIONS:
                message += _AUTHORIZATION_DETAILS.format(id=uuid.uuid4())
            raise denial(ctx.service, protocol, message)
