"""What session credentials may not call, as AWS documents for the sessions GetSessionToken and GetFederationToken
issue (console sessions are not limited):

- GetSessionToken's: no IAM operation unless the session was issued with MFA; no STS operation but AssumeRole and
  GetCallerIdentity;
- GetFederationToken's (a federated user): no IAM operation; no STS operation but GetCallerIdentity.

IAM refuses such a token as it refuses one it does not accept (InvalidClientTokenId, as AWS answers short-term keys
without MFA: aws/aws-cli#8918); STS as GetSessionToken refuses session credentials. Loaded with every STS and IAM
authorization, so it imports nothing heavy."""

from __future__ import annotations

from rootplane.auth.principal import FEDERATED_USER, IAM_USER, ROOT, Principal
from rootplane.core.errors import AwsError

__all__ = ["federated_user_arn", "refuse_restricted"]

_STS_FOR_FEDERATED_USERS = frozenset({"GetCallerIdentity"})
_STS_FOR_SESSION_TOKENS = frozenset({"GetCallerIdentity", "AssumeRole"})
_LONG_TERM_KEYS_ONLY = frozenset({"GetSessionToken", "GetFederationToken"})


def federated_user_arn(account_id: str, name: str) -> str:
    return f"arn:aws:sts::{account_id}:federated-user/{name}"


def refuse_restricted(principal: Principal, service: str, operation: str) -> None:
    """Refuse an IAM or STS call the caller's session may not make (no session of any kind calls the operations
    that only long-term keys may: GetSessionToken, GetFederationToken)."""
    if service == "sts" and operation in _LONG_TERM_KEYS_ONLY and principal.is_temporary:
        raise AwsError("AccessDenied", f"Cannot call {operation} with session credentials", 403)
    if principal.kind == FEDERATED_USER:
        iam_allowed, sts_allowed = False, _STS_FOR_FEDERATED_USERS
    elif principal.kind in (IAM_USER, ROOT) and principal.is_temporary and not principal.from_console:
        iam_allowed, sts_allowed = principal.mfa_authenticated, _STS_FOR_SESSION_TOKENS
    else:
        return
    if service == "iam" and not iam_allowed:
        raise AwsError("InvalidClientTokenId", "The security token included in the request is invalid", 403)
    if service == "sts" and operation not in sts_allowed:
        raise AwsError("AccessDenied", f"Cannot call {operation} with session credentials", 403)
