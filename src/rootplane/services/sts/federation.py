"""AssumeRoleWithWebIdentity, an unsigned operation (the token is the proof).

rootplane does not fetch identity providers' signing keys, so it issues no credentials here: it answers AWS's
errors for a token that is not a JWT, for an issuer without an OpenID Connect provider in the role's account, and,
for a provider it has, the one AWS gives when it cannot retrieve the provider's verification key.
(AssumeRoleWithSAML is served unsigned too and, not built, answers 501 NotImplemented.)
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from rootplane.core.arn import parse_arn
from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.iam.tables import OidcProviderRow

__all__ = ["assume_role_with_web_identity"]

_NOT_A_JWT = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
_NO_KEY = ("Couldn't retrieve verification key from your identity provider,  please reference "
           "AssumeRoleWithWebIdentity documentation for requirements")


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
    raise _invalid_token(_NO_KEY)
