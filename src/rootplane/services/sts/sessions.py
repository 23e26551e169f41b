"""Issue temporary credentials for a principal and store them."""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Any

from rootplane.auth.principal import Principal
from rootplane.core import ids
from rootplane.services.accounts import repo as accounts
from rootplane.services.accounts import session_tokens
from rootplane.services.accounts.tables import TemporarySessionRow
from rootplane.services.iam import repo as iam_repo
from rootplane.services.sts.regional import at_global_endpoint

__all__ = ["issue_credentials", "token_version"]


def token_version(ctx: Any) -> int:
    """1 for a session issued by the global endpoint of an account keeping v1 tokens (the default), else 2."""
    if not at_global_endpoint(ctx):
        return 2
    settings = iam_repo.find_settings(ctx.session, ctx.principal.account_id)
    return (settings.sts_token_version if settings is not None else None) or 1


def issue_credentials(ctx: Any, principal: Principal, duration_seconds: int, params: dict[str, Any]) -> dict[str, Any]:
    """Create an ASIA... key pair with a session token for ``principal``; returns the STS ``Credentials`` shape.
    The token is padded to the request's ``MinimumSessionTokenSize``, if any (botocore's STS model)."""
    now = ctx.now()
    expires = (now + _dt.timedelta(seconds=duration_seconds)).replace(microsecond=0)
    access_key_id = ids.access_key_id(temporary=True)
    secret = ids.secret_access_key()
    token = ids.session_token(params.get("MinimumSessionTokenSize") or 0)
    principal = dataclasses.replace(
        principal, access_key_id=access_key_id, session_issued_at=now, session_expires_at=expires,
        session_token_version=token_version(ctx),
    )
    accounts.put_temporary_session(ctx.session, TemporarySessionRow(
        access_key_id=access_key_id, secret_access_key=secret, session_token_sha256=session_tokens.digest(token),
        account_id=principal.account_id, principal=principal.to_json(),
        source_access_key_id=ctx.principal.access_key_id, created_at=now, expires_at=expires, revoked=False,
    ))
    return {"AccessKeyId": access_key_id, "SecretAccessKey": secret, "SessionToken": token, "Expiration": expires}
