"""sts:GetFederationToken: a federated user session issued by an IAM user (or the root user) with long-term keys.

The session's permissions are the intersection of its issuer's identity policies (everything, for the root user)
and the session policies passed; with none passed it has no permissions but what a resource policy naming the
federated user grants (authz/gather.py). Its credentials call no IAM operation and no STS operation but
GetCallerIdentity (session_limits.py).
"""

from __future__ import annotations

from typing import Any

from rootplane.auth.principal import FEDERATED_USER, IAM_USER, Principal
from rootplane.authz.checks import AuthzCheck
from rootplane.authz.context_keys import request_tag_context
from rootplane.services.context import RequestContext
from rootplane.services.sts.session_limits import federated_user_arn
from rootplane.services.sts.session_policies import inline_policy, packed_size, policy_arns
from rootplane.services.sts.sessions import issue_credentials
from rootplane.services.tagging import tag_map

__all__ = ["checks", "get_federation_token"]

DEFAULT_DURATION = 43200
ROOT_MAX = 3600


def checks(ctx: RequestContext, params: dict[str, Any]) -> list[AuthzCheck]:
    """``sts:GetFederationToken`` on the federated user's ARN (and ``sts:TagSession`` when tags are passed)."""
    arn = federated_user_arn(ctx.account_id, params["Name"])
    context = request_tag_context(tag_map(params.get("Tags")))
    actions = ["sts:GetFederationToken", *(["sts:TagSession"] if params.get("Tags") else [])]
    return [AuthzCheck(action, arn, ctx.account_id, context=context) for action in actions]


def _tags(caller: Principal, params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The issuing user's tags, a session tag replacing a user tag of the same key in any case."""
    session = tag_map(params.get("Tags"))
    replaced = {key.lower() for key in session}
    kept = {key: value for key, value in caller.tags if key.lower() not in replaced}
    return tuple({**kept, **session}.items())


def get_federation_token(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """Issue federated user credentials (authorization already passed in :func:`checks`)."""
    caller = ctx.principal
    duration = params.get("DurationSeconds") or DEFAULT_DURATION
    if caller.kind != IAM_USER:
        duration = min(duration, ROOT_MAX)  # AWS: a root user's session "defaults to one hour"
    policy = inline_policy(params)
    arns = policy_arns(params)
    packed = packed_size(ctx, policy, arns, params.get("Tags") or [])
    name = params["Name"]
    arn = federated_user_arn(caller.account_id, name)
    principal = Principal(
        kind=FEDERATED_USER, account_id=caller.account_id, arn=arn, user_id=f"{caller.account_id}:{name}", name=name,
        session_policies=(policy,) if policy else (), session_policy_arns=tuple(arns),
        issuer_arn=caller.arn, issuer_account_id=caller.account_id,
        issuer_id=caller.user_id if caller.kind == IAM_USER else None, tags=_tags(caller, params))
    result: dict[str, Any] = {
        "Credentials": issue_credentials(ctx, principal, duration, params),
        "FederatedUser": {"FederatedUserId": principal.user_id, "Arn": arn},
    }
    if packed is not None:
        result["PackedPolicySize"] = packed
    return result
