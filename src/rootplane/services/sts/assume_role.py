"""sts:AssumeRole: the role's trust policy is the resource policy of ``sts:AssumeRole`` on the role ARN.

Same account: the trust policy naming the caller is enough, else the caller's identity policies must allow;
cross-account: both (the policy engine applies these rules). Passing session tags also needs ``sts:TagSession``,
a source identity ``sts:SetSourceIdentity``, on the same terms; so does chaining a session that has a source
identity, which the new session keeps and may not change. Root callers are refused as AWS does.
"""

from __future__ import annotations

from typing import Any

from rootplane.auth.principal import ASSUMED_ROLE, Principal
from rootplane.authz.checks import AuthzCheck
from rootplane.authz.context_keys import request_tag_context
from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.iam import api as iam
from rootplane.services.iam.tables import RoleRow
from rootplane.services.sts import mfa, regional
from rootplane.services.sts.session_policies import inline_policy, packed_size, policy_arns
from rootplane.services.sts.sessions import issue_credentials
from rootplane.services.tagging import tag_map

__all__ = ["checks", "assume_role"]

DEFAULT_DURATION = 3600
CHAINING_MAX = 3600


def _denied(ctx: RequestContext, role_arn: str) -> AwsError:
    return AwsError("AccessDenied", f"User: {ctx.principal.arn} is not authorized to perform: sts:AssumeRole on "
                    f"resource: {role_arn}", 403)


def _context(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    context: dict[str, Any] = {"sts:RoleSessionName": params["RoleSessionName"]}
    if params.get("ExternalId") is not None:
        context["sts:ExternalId"] = params["ExternalId"]
    source_identity = _source_identity(ctx.principal, params)
    if source_identity:
        context["sts:SourceIdentity"] = source_identity
    context.update(request_tag_context(tag_map(params.get("Tags"))))
    if params.get("TransitiveTagKeys"):
        context["sts:TransitiveTagKeys"] = list(params["TransitiveTagKeys"])
    if params.get("SerialNumber") or params.get("TokenCode"):
        context["aws:MultiFactorAuthPresent"] = "true" if _mfa_ok(ctx, params) else "false"
        context["aws:MultiFactorAuthAge"] = "0"  # the code was checked with this very request
    return context


def _source_identity(caller: Principal, params: dict[str, Any]) -> str | None:
    """The session's source identity: the one set by the calling role session, which persists across chained
    sessions (then in sts:SourceIdentity too), else the one passed (IAM User Guide, "Monitor and control actions
    taken with assumed roles")."""
    return caller.source_identity or params.get("SourceIdentity")


def _mfa_ok(ctx: RequestContext, params: dict[str, Any]) -> bool:
    """Verify the MFA code sent with AssumeRole (once per request: the result is remembered on the context)."""
    if "assume_role_mfa" not in ctx.audit:
        serial, code = params.get("SerialNumber"), params.get("TokenCode")
        if not (serial and code):
            raise AwsError("AccessDenied", mfa.WRONG_CODE_MESSAGE, 403)
        mfa.require_mfa(ctx, serial, code)
        ctx.audit["assume_role_mfa"] = True
    return True


def checks(ctx: RequestContext, params: dict[str, Any]) -> list[AuthzCheck]:
    """The authorization of AssumeRole: the trust policy (resource side) and the caller's identity policies."""
    if ctx.principal.is_root:
        raise AwsError("AccessDenied", "Roles may not be assumed by root accounts.", 403)
    role_arn = params["RoleArn"]
    role = iam.find_role_by_arn(ctx.session, role_arn)
    if role is None or not regional.region_usable(ctx, role.account_id):
        raise _denied(ctx, role_arn)
    inherited = ctx.principal.source_identity
    if inherited and params.get("SourceIdentity") not in (None, inherited):
        raise _denied(ctx, role_arn)  # a chained session may not change its source identity (IAM User Guide)
    context = _context(ctx, params)
    actions = ["sts:AssumeRole"]
    if params.get("Tags") or params.get("TransitiveTagKeys"):
        actions.append("sts:TagSession")
    if _source_identity(ctx.principal, params):  # chaining a session that has one needs it too
        actions.append("sts:SetSourceIdentity")
    return [AuthzCheck(action, role.arn, role.account_id, resource_policy=role.trust_policy, context=context,
                       resource_tags=role.tags) for action in actions]


def _duration(ctx: RequestContext, role: RoleRow, requested: int | None) -> int:
    duration = requested or DEFAULT_DURATION
    if ctx.principal.kind == ASSUMED_ROLE and duration > CHAINING_MAX:
        raise AwsError("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                       "assumed by role chaining.", 400)
    if duration > role.max_session_duration:
        raise AwsError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                       "role.", 400)
    return duration


def _invalid_tags(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message, 400)


def _check_session_tags(caller: Principal, params: dict[str, Any]) -> None:
    """AWS's checks of the session tags, keys compared case-insensitively (InvalidParameterValue): no key twice, no
    key of a transitive tag the calling role session passes on (IAM User Guide, "Chaining roles with session tags"),
    and every TransitiveTagKeys key among the tags passed."""
    keys = [tag["Key"].lower() for tag in params.get("Tags") or []]
    if len(set(keys)) < len(keys):
        raise _invalid_tags("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
    if caller.kind == ASSUMED_ROLE and {key.lower() for key in caller.transitive_tag_keys}.intersection(keys):
        raise _invalid_tags("One of the specified transitive tag keys can't be set because it conflicts with a "
                            "transitive tag key from the calling session.")
    if any(key.lower() not in keys for key in params.get("TransitiveTagKeys") or []):
        raise _invalid_tags("The specified transitive tag key must be included in the requested tags.")


def _tags(caller: Principal, role: RoleRow, params: dict[str, Any]) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """Role tags, then transitive tags from a calling role session, then the session tags (last wins); a transitive
    key names its tag whatever its case."""
    transitive_keys = {key.lower() for key in caller.transitive_tag_keys} if caller.kind == ASSUMED_ROLE else set()
    inherited = {key: value for key, value in caller.tags if key.lower() in transitive_keys}
    session = {tag["Key"]: tag["Value"] for tag in params.get("Tags") or []}
    merged = {**role.tags, **inherited, **session}
    transitive = tuple(dict.fromkeys([*inherited, *(params.get("TransitiveTagKeys") or [])]))
    return tuple(merged.items()), transitive


def assume_role(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """Issue role-session credentials (authorization already passed in :func:`checks`)."""
    caller = ctx.principal
    role = iam.find_role_by_arn(ctx.session, params["RoleArn"])
    if role is None:
        raise _denied(ctx, params["RoleArn"])
    duration = _duration(ctx, role, params.get("DurationSeconds"))
    _check_session_tags(caller, params)
    policy = inline_policy(params)
    arns = policy_arns(params)
    packed = packed_size(ctx, policy, arns, params.get("Tags") or [])
    session_name = params["RoleSessionName"]
    tags, transitive = _tags(caller, role, params)
    mfa_ok = bool(ctx.audit.get("assume_role_mfa"))
    assumed_arn = f"arn:aws:sts::{role.account_id}:assumed-role/{role.role_name}/{session_name}"
    principal = Principal(
        kind=ASSUMED_ROLE, account_id=role.account_id, arn=assumed_arn, user_id=f"{role.role_id}:{session_name}",
        name=role.role_name, path=role.path, session_name=session_name, role_arn=role.arn, role_id=role.role_id,
        session_policies=(policy,) if policy else (), session_policy_arns=tuple(arns),
        mfa_authenticated=mfa_ok or (caller.mfa_authenticated and caller.kind == ASSUMED_ROLE),
        mfa_authenticated_at=ctx.now() if mfa_ok else caller.mfa_authenticated_at,
        source_identity=_source_identity(caller, params),
        issuer_arn=caller.arn, issuer_account_id=caller.account_id, tags=tags, transitive_tag_keys=transitive,
    )
    role.last_used_at, role.last_used_region = ctx.now(), ctx.region
    result: dict[str, Any] = {
        "Credentials": issue_credentials(ctx, principal, duration, params),
        "AssumedRoleUser": {"AssumedRoleId": principal.user_id, "Arn": assumed_arn},
    }
    if packed is not None:
        result["PackedPolicySize"] = packed
    if principal.source_identity:
        result["SourceIdentity"] = principal.source_identity
    return result
