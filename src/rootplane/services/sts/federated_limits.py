"""What a federated user session (GetFederationToken) may not call: no IAM operation, and no STS operation but
GetCallerIdentity. Loaded with every STS and IAM authorization, so it imports nothing heavy."""

from __future__ import annotations

from rootplane.auth.principal import FEDERATED_USER, Principal
from rootplane.core.errors import AwsError

__all__ = ["federated_user_arn", "refuse_restricted"]

_STS_ALLOWED = frozenset({"GetCallerIdentity"})


def federated_user_arn(account_id: str, name: str) -> str:
    return f"arn:aws:sts::{account_id}:federated-user/{name}"


def refuse_restricted(principal: Principal, service: str, operation: str) -> None:
    """Refuse a federated user's IAM call (its token refused as IAM refuses the session tokens it does not accept)
    and its STS calls but GetCallerIdentity."""
    if principal.kind != FEDERATED_USER:
        return
    if service == "iam":
        raise AwsError("InvalidClientTokenId", "The security token included in the request is invalid", 403)
    if operation not in _STS_ALLOWED:
        raise AwsError("AccessDenied", f"Cannot call {operation} with session credentials", 403)
