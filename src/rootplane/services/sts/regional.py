"""STS in opt-in regions (observed in aws-captures/regions*.json).

- Credentials are refused (``InvalidClientTokenId``) in an opt-in region unless their account has the region
  ENABLED (or still DISABLING), and temporary ones always when they carry a version-1 token: a session issued by the
  global endpoint ``sts.amazonaws.com`` while its account's GlobalEndpointTokenVersion is v1 (the default). Long-term
  keys too: an account cannot use a Region until it is enabled (Account Management API reference, EnableRegion), and
  "the account that makes the request" must have enabled it (AWS Knowledge Center, iam-validate-access-credentials).
- AssumeRole in an opt-in region into an account that has not enabled it is ``AccessDenied``.
"""

from __future__ import annotations

from rootplane.auth.principal import ANONYMOUS
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
    """InvalidClientTokenId for credentials the request's opt-in region does not accept."""
    principal = ctx.principal
    if ctx.region not in OPT_IN_REGIONS or principal.kind == ANONYMOUS:
        return
    if (principal.is_temporary and principal.session_token_version == 1) \
            or not region_usable(ctx, principal.account_id):
        raise AwsError("InvalidClientTokenId", _INVALID_TOKEN, 403)
