"""AssumeRoleWithWebIdentity and AssumeRoleWithSAML: unsigned operations (the token or assertion is the proof).

rootplane does not fetch identity providers' signing keys nor verify SAML signatures, so it cannot issue these
credentials: it answers AWS's errors for what it can judge (a token that is not a JWT, an issuer without an
OpenID Connect provider in the role's account) and 501 NotImplemented for a request it would have to verify
(every SAML assertion).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from rootplane.core.arn import parse_arn
from rootplane.core.errors import AwsError, not_implemented
from rootplane.services.context import RequestContext
from rootplane.services.iam.tables import OidcProviderRow

__all__ = ["assume_role_with_web_identity", "assume_role_with_saml"]

_NOT_A_JWT = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"


def _invalid_token(message: str) -> AwsError:
    return AwsError("InvalidIdentityToken", message, 400)


def _issuer(token: str) -> str:
    """The ``iss`` claim of a JWT (InvalidIdentityToken when the token is not one)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise _invalid_token(_NOT_A_JWT)
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _invalid_token(_NOT_A_JWT) from None
    if not isinstance(claims, dict) or not isinstance(claims.get("iss"), str):
        raise _invalid_token(_NOT_A_JWT)
    return claims["iss"]


def _role_account(role_arn: str) -> str:
    parsed = parse_arn(role_arn)
    if parsed is None or not parsed.account:
        raise AwsError("ValidationError", f"{role_arn} is invalid", 400)
    return parsed.account


def assume_role_with_web_identity(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    issuer = _issuer(params["WebIdentityToken"])
    account = _role_account(params["RoleArn"])
    url = issuer.removeprefix("https://")
    if ctx.session.get(OidcProviderRow, f"arn:aws:iam::{account}:oidc-provider/{url}") is None:
        raise _invalid_token(f"No OpenIDConnect provider found in your account for {issuer}")
    raise not_implemented("sts", "AssumeRoleWithWebIdentity")


def assume_role_with_saml(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """Served unsigned, answered 501: verifying a SAML assertion's signature is not built."""
    raise not_implemented("sts", "AssumeRoleWithSAML")
