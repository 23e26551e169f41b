"""SigV4 query-string authentication (presigned URLs): ``X-Amz-Algorithm``, ``X-Amz-Credential``,
``X-Amz-Date``, ``X-Amz-Expires`` (at most a week), ``X-Amz-SignedHeaders``, ``X-Amz-Signature``."""

from __future__ import annotations

from datetime import timedelta

from rootplane.wire.http import HttpRequest

from .errors import S3_QUERY_REQUIRED, incomplete, s3_query_error
from .header import require_amz_headers_signed
from .scope import parse_credential
from .signed import (
    ALGORITHM,
    MAX_PRESIGN_EXPIRES,
    UNSIGNED_PAYLOAD,
    SignedRequest,
    parse_amz_date,
    parse_signed_headers,
)

__all__ = ["extract_query"]

_QUERY_REQUIRED = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders")


def extract_query(request: HttpRequest, query: dict[str, str], family: str) -> SignedRequest:
    s3 = family == "s3"
    required = _QUERY_REQUIRED + (("X-Amz-Expires",) if s3 else ())
    missing = [name for name in required if not query.get(name)]
    if missing:
        if s3:
            raise s3_query_error(S3_QUERY_REQUIRED)
        raise incomplete(
            family,
            " ".join(f"AWS query-string parameters must include '{name}'." for name in missing)
            + " Re-examine the query-string parameters.",
        )
    algorithm = query["X-Amz-Algorithm"]
    if algorithm != ALGORITHM:
        if s3:
            raise s3_query_error(f'X-Amz-Algorithm only supports "{ALGORITHM}"')
        raise incomplete(family, f"Unsupported AWS 'algorithm': '{algorithm}'.")
    access_key, scope_date, region, service = parse_credential(query["X-Amz-Credential"], family, presigned=True)
    amz_date = query["X-Amz-Date"]
    date = parse_amz_date(amz_date)
    if date is None:
        if s3:
            raise s3_query_error("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
        raise incomplete(
            family,
            f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See http://en.wikipedia.org/wiki/ISO_8601",
        )
    expires_raw = query.get("X-Amz-Expires")
    expires: int | None = None
    if expires_raw is not None:
        try:
            expires = int(expires_raw)
        except ValueError:
            if s3:
                raise s3_query_error("X-Amz-Expires should be a number") from None
            raise incomplete(family, "X-Amz-Expires should be a number") from None
        if expires < 0:
            if s3:
                raise s3_query_error("X-Amz-Expires must be non-negative")
            raise incomplete(family, "X-Amz-Expires must be non-negative")
        if expires > MAX_PRESIGN_EXPIRES:
            message = f"X-Amz-Expires must be less than a week (in seconds) that is {MAX_PRESIGN_EXPIRES}"
            if s3:
                raise s3_query_error(message)
            raise incomplete(family, message)
    signed = parse_signed_headers(query["X-Amz-SignedHeaders"])
    if "host" not in signed and ":authority" not in signed:
        if s3:
            raise s3_query_error("X-Amz-SignedHeaders must contain host")
        raise incomplete(family, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    headers = request.headers
    require_amz_headers_signed(headers, signed, family)
    if s3:
        if "x-amz-content-sha256" in signed and "x-amz-content-sha256" in headers:
            payload = headers["x-amz-content-sha256"]
        else:
            payload = query.get("X-Amz-Content-Sha256") or query.get("X-Amz-Content-SHA256") or UNSIGNED_PAYLOAD
    else:
        payload = None  # outside S3 the body is always hashed into the signature
    return SignedRequest(
        access_key_id=access_key,
        date=date,
        scope_date=scope_date,
        region=region,
        service=service,
        signed_headers=signed,
        signature=query["X-Amz-Signature"],
        session_token=query.get("X-Amz-Security-Token") or headers.get("x-amz-security-token"),
        presigned=True,
        expires_seconds=expires,
        payload_hash=payload,
        signature_version="v4",
        amz_date=amz_date,
        expires_at=date + timedelta(seconds=expires) if expires is not None else None,
    )
