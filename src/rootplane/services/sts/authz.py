"""STS authorization facts: GetCallerIdentity and GetSessionToken need no permission (AWS); every other operation,
GetAccessKeyInfo included, is its ``sts:`` action on ``*`` unless it has its own checks. Credentials an
opt-in region does not accept are refused first (regional.py), and the calls the sessions of GetSessionToken and
GetFederationToken may not make (session_limits.py)."""

from __future__ import annotations

from typing import Any

from rootplane.authz.checks import AuthzCheck
from rootplane.services.sts import regional, session_limits

__all__ = ["checks"]

_UNCHECKED = {"GetCallerIdentity", "GetSessionToken", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}


def checks(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    regional.refuse_unusable_token(ctx)
    session_limits.refuse_restricted(ctx.principal, "sts", operation)
    if operation in _UNCHECKED:
        return []
    if operation == "GetFederationToken":
        from rootplane.services.sts import federation_token

        return federation_token.checks(ctx, params)
    if operation == "AssumeRole":  # the operations' modules load with their first call (provider.py)
        from rootplane.services.sts import assume_role

        return assume_role.checks(ctx, params)
    if operation == "AssumeRoot":
        from rootplane.services.sts import assume_root

        return assume_root.checks(ctx, params)
    return [AuthzCheck(f"sts:{operation}", "*", ctx.account_id)]
