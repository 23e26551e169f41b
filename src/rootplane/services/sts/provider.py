"""STS operations. The modules of the operations that issue credentials load at their first call: GetCallerIdentity,
the usual first signed request, needs none of them (nor the Organizations, IAM or sign-in tables they map)."""

from __future__ import annotations

import dataclasses
from typing import Any

from rootplane.auth.principal import ASSUMED_ROLE, IAM_USER, ROOT_SESSION
from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.account.regions import OPT_IN_REGIONS
from rootplane.services.provider import Provider

__all__ = ["StsProvider", "PROVIDER"]

ROOT_SESSION_TOKEN_MAX = 3600
USER_SESSION_TOKEN_MAX = 129600
USER_SESSION_TOKEN_DEFAULT = 43200


def _mfa_check(ctx: RequestContext, serial_number: str | None, token_code: str | None) -> bool:
    """Verify an MFA code for GetSessionToken; True when MFA was presented and valid."""
    if not serial_number and not token_code:
        return False
    if not serial_number or not token_code:
        raise AwsError("ValidationError", "SerialNumber and TokenCode must be provided together.", 400)
    from rootplane.services.sts import mfa

    mfa.require_mfa(ctx, serial_number, token_code)
    return True


class StsProvider(Provider):
    service_name = "sts"
    # Named like a read, but issues credentials and counts wrong MFA codes: take the write lock up front.
    write_operations = frozenset({"GetSessionToken", "GetFederationToken"})
    storeless_operations = frozenset({"GetCallerIdentity"})
    # The web identity token or SAML assertion is the caller's proof: AWS serves these without a signature
    # (AssumeRoleWithSAML is not built: unsigned, it answers 501 NotImplemented).
    unsigned_operations = frozenset({"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"})

    def storeless(self, operation_name: str, region: str) -> bool:
        """GetCallerIdentity reads nothing durable, except in an opt-in region: there the caller's account must
        have the region enabled for session credentials (services/sts/regional.py)."""
        return super().storeless(operation_name, region) and region not in OPT_IN_REGIONS

    def get_caller_identity(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        principal = ctx.principal
        return {"UserId": principal.user_id, "Account": principal.account_id, "Arn": principal.arn}

    def get_session_token(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        principal = ctx.principal  # long-term keys: sessions are refused first (session_limits.py)
        if principal.kind == IAM_USER:
            duration = params.get("DurationSeconds", USER_SESSION_TOKEN_DEFAULT)
            duration = min(duration, USER_SESSION_TOKEN_MAX)
        else:
            duration = min(params.get("DurationSeconds", ROOT_SESSION_TOKEN_MAX), ROOT_SESSION_TOKEN_MAX)
        mfa = _mfa_check(ctx, params.get("SerialNumber"), params.get("TokenCode"))
        session_principal = dataclasses.replace(
            principal, mfa_authenticated=mfa, mfa_authenticated_at=ctx.now() if mfa else None,
        )
        from rootplane.services.sts.sessions import issue_credentials

        return {"Credentials": issue_credentials(ctx, session_principal, duration, params)}

    def get_federation_token(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        from rootplane.services.sts import federation_token

        return federation_token.get_federation_token(ctx, params)

    def get_access_key_info(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        from rootplane.services.accounts import repo as accounts

        access_key_id = params["AccessKeyId"]
        key = accounts.find_access_key(ctx.session, access_key_id)
        if key is not None:
            return {"Account": key.account_id}
        temporary = accounts.find_temporary_session(ctx.session, access_key_id)
        if temporary is not None:
            return {"Account": temporary.account_id}
        raise AwsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403)

    def assume_root(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        from rootplane.services.sts import assume_root

        return assume_root.assume_root(ctx, params)

    def assume_role(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        from rootplane.services.sts import assume_role

        return assume_role.assume_role(ctx, params)

    def assume_role_with_web_identity(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        from rootplane.services.sts import federation

        return federation.assume_role_with_web_identity(ctx, params)


PROVIDER = StsProvider()

# Kinds re-exported for modules that extend STS (AssumeRole, AssumeRoot).
SESSION_KINDS = (ASSUMED_ROLE, ROOT_SESSION)
