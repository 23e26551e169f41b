"""STS in opt-in regions (observed in aws-captures/regions*.json).

- Temporary credentials are refused (``InvalidClientTokenId``) in an opt-in region unless their account has the
  region ENABLED (or still DISABLING), and always when they carry a version-1 token: a session issued by the global
  endpoint ``sts.amazonaws.com`` while its account's GlobalEndpointTokenVersion is v1 (the default).
- AssumeRole in an opt-in region into an account that has not enabled it is ``AccessDenied``.
Long-term keys are not refused here: AWS judged their AssumeRole calls on the target role.
"""

from __future__ import annotations

from rootplane.core.errors import AwsError
from rootplane.services.account.regions import OPT_IN_REGIONS, opt_status
from rootplane.services.context import RequestContext

__all__ = ["GLOBAL_HOST", "at_global_endpoint", "region_usable", "refuse_unusable_token"]

GLOBAL_HOST = "sts.amazonaws.com"
_USABLE = ("ENABLED", "DISABLING")
# As recorded: no trailing period on this refusal (AWS's unknown-key message has one).
_INVALID_TOKEN = "The security token included in the request is invalid"


def at_global_endpoint(ctx: RequestContext) -> bool:
    """Whether the request was sent to the global endpoint (its Host, behind an endpoint override too)."""
    return ctx.host.rsplit(":", 1)[0].lower() == GLOBAL_HOST


def region_usable(ctx: RequestContext, account_id: str) -> bool:
    """Whether ``account_id`` may be used in the request's region (default regions always)."""
    if ctx.region not in OPT_IN_REGIONS:
        return True
    from rootplane.services.account import repo as account_repo  # opt-in regions' rows: loaded when first needed

    row = account_repo.find_region_opt(ctx.session, account_id, ctx.region)
    return opt_status(ctx.region, row, ctx.now()) in _USABLE


def refuse_unusable_token(ctx: RequestContext) -> None:
    """InvalidClientTokenId for session credentials the request's opt-in region does not accept."""
    principal = ctx.principal
    if not principal.is_temporary or ctx.region not in OPT_IN_REGIONS:
        return
    if principal.session_token_version == 1 or not region_usable(ctx, principal.account_id):
        raise AwsError("InvalidClientTokenId", _INVALID_TOKEN, 403)
