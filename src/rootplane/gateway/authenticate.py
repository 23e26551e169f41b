"""Step 3 of the pipeline: SigV4 -> Principal, with each protocol family's error codes (spec i.3)."""

from __future__ import annotations

import datetime as _dt

from rootplane.auth import sigv4
from rootplane.auth.sigv4.streaming import unchunk_request
from rootplane.auth.principal import ANONYMOUS, Principal
from rootplane.core.errors import AwsError
from rootplane.gateway.credentials import ResolvedCredential
from rootplane.services.accounts import session_tokens
from rootplane.wire.http import HttpRequest

__all__ = ["family_of", "identify", "authenticate", "missing_authentication", "ANONYMOUS_PRINCIPAL"]

_FAMILY = {"query": "query", "json": "json", "rest-json": "rest-json", "rest-xml": "s3", "smithy-rpc-v2-cbor": "json"}

ANONYMOUS_PRINCIPAL = Principal(kind=ANONYMOUS, account_id="", arn="*", user_id="anonymous")

# (code, status, message) per family for each authentication failure.
_ERRORS = {
    "missing": {
        "query": ("MissingAuthenticationToken", 403, "Request is missing Authentication Token"),
        "json": ("MissingAuthenticationTokenException", 403, "Missing Authentication Token"),
        "rest-json": ("MissingAuthenticationTokenException", 403, "Missing Authentication Token"),
        "s3": ("AccessDenied", 403, "Access Denied"),
    },
    "unknown_key": {
        "query": ("InvalidClientTokenId", 403, "The security token included in the request is invalid."),
        "json": ("UnrecognizedClientException", 400, "The security token included in the request is invalid."),
        "rest-json": ("UnrecognizedClientException", 403, "The security token included in the request is invalid."),
        "s3": ("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records."),
    },
    "bad_token": {
        "query": ("InvalidClientTokenId", 403, "The security token included in the request is invalid."),
        "json": ("UnrecognizedClientException", 400, "The security token included in the request is invalid."),
        "rest-json": ("UnrecognizedClientException", 403, "The security token included in the request is invalid."),
        "s3": ("InvalidToken", 400, "The provided token is malformed or otherwise invalid."),
    },
    "expired": {
        "query": ("ExpiredToken", 403, "The security token included in the request is expired"),
        "json": ("ExpiredTokenException", 400, "The security token included in the request is expired"),
        "rest-json": ("ExpiredTokenException", 403, "The security token included in the request is expired"),
        "s3": ("ExpiredToken", 400, "The provided token has expired."),
    },
}


def family_of(protocol: str) -> str:
    """SigV4 error family of a wire protocol."""
    return _FAMILY.get(protocol, "query")


def _error(kind: str, family: str, **fields: str) -> AwsError:
    code, status, message = _ERRORS[kind][family]
    return AwsError(code, message, status, fields=fields if family == "s3" else None)


def missing_authentication(family: str) -> AwsError:
    return _error("missing", family)


def identify(
    request: HttpRequest, family: str, resolve, unsigned_ok: bool = False,
) -> tuple[sigv4.SignedRequest | None, ResolvedCredential | None]:
    """The part of authentication the headers and query string decide alone, before any body is read.

    Parses the claimed signature and finds its key: ``(None, None)`` for an unsigned request that may be anonymous
    (S3, or ``unsigned_ok``); raises the family's AwsError for a malformed signature, a missing one where one is
    required, an unknown, inactive or suspended key, or a session token that does not match.
    """
    signed = sigv4.extract(request, family)
    if signed is None:
        if family == "s3" or unsigned_ok:
            return None, None
        raise missing_authentication(family)
    credential: ResolvedCredential | None = resolve(signed.access_key_id)
    if credential is None or not credential.active or credential.account_status == "SUSPENDED":
        raise _error("unknown_key", family, AWSAccessKeyId=signed.access_key_id)
    if credential.session_token_sha256 is not None:
        if not session_tokens.matches(signed.session_token, credential.session_token_sha256):
            raise _error("bad_token", family)
    elif signed.session_token:
        raise _error("bad_token", family)
    return signed, credential


def authenticate(
    request: HttpRequest,
    family: str,
    resolve,
    now: _dt.datetime,
    session_now: _dt.datetime | None = None,
    unsigned_ok: bool = False,
    signing_name: str | None = None,
) -> tuple[Principal, sigv4.SignedRequest | None, str | None]:
    """Verify the request's signature and return the caller, the claimed signature and the key's id.

    ``resolve(access_key_id) -> ResolvedCredential | None`` looks keys up. S3 requests without any signature
    are anonymous; every other unsigned request is refused. ``now`` checks the signature's time;
    ``session_now`` (the business clock, default ``now``) checks session expiry. ``unsigned_ok`` marks operations
    AWS serves without a signature (SNS ConfirmSubscription/Unsubscribe links): unsigned, they are anonymous.
    ``signing_name`` is the endpoint's SigV4 service name, which the credential scope must name. The returned key
    id is the one ``resolve`` found (the real id when the request used an alias; None for anonymous callers).
    """
    signed, credential = identify(request, family, resolve, unsigned_ok)
    if signed is None or credential is None:
        return ANONYMOUS_PRINCIPAL, None, None
    sigv4.verify(request, signed, credential.secret_access_key, now, family, signing_name=signing_name)
    unchunk_request(request, signed, credential.secret_access_key)  # S3 streaming uploads: every chunk verified
    expires = credential.principal.session_expires_at
    if expires is not None and (session_now or now) >= expires:
        raise _error("expired", family, **{"Token-0": signed.session_token or ""})  # S3 names the token
    return credential.principal, signed, credential.access_key_id
