"""SigV4 in the ``Authorization`` header: parse what it claims (``Credential``, ``SignedHeaders``, ``Signature``,
the ``X-Amz-Date`` / ``Date`` header) and the rules about which headers must be signed."""

from __future__ import annotations

import re

from rootplane.core.errors import AwsError
from rootplane.wire.http import HttpRequest

from .errors import headers_not_signed, incomplete, s3_header_malformed
from .scope import parse_credential
from .signed import ALGORITHM, SignedRequest, fmt_amz, parse_amz_date, parse_http_date, parse_signed_headers

__all__ = ["extract_header", "require_amz_headers_signed"]

_SESSION_TOKEN = "x-amz-security-token"

# botocore's layout, each value printable ASCII but "," and " " (a class the regex engine tests by bitmap: a third
# cheaper than [^,\s]); any other layout or character takes the general parse, which reads the same values.
_AUTH_HEADER = re.compile(
    r"AWS4-HMAC-SHA256 +Credential=([!-+\--~]+), *SignedHeaders=([!-+\--~]+), *Signature=([!-+\--~]+)"
)


def require_amz_headers_signed(headers: dict[str, str], signed_headers: tuple[str, ...], family: str) -> None:
    """Every ``x-amz-*`` header present must be signed (header and query auth alike): an unsigned one could be
    added or changed by anyone on the way (``X-Amz-Target`` picks the operation, ``x-amz-acl`` grants access).

    Outside S3 the one exception is ``X-Amz-Security-Token``, which AWS's SigV4 test suite adds after signing
    (``post-sts-header-after``): it is compared with the session's own token, so it cannot be forged unsigned.
    """
    exempt = "" if family == "s3" else _SESSION_TOKEN
    unsigned = [
        name for name in headers if name.startswith("x-amz-") and name not in signed_headers and name != exempt
    ]
    if unsigned:
        raise headers_not_signed(family, unsigned)


def extract_header(request: HttpRequest, authorization: str, family: str) -> SignedRequest:
    match = _AUTH_HEADER.fullmatch(authorization)
    if match is not None:  # botocore's exact layout: the hot path
        credential, signed_headers, signature = match.groups()
    else:
        params: dict[str, str] = {}
        for item in authorization[len(ALGORITHM):].split(","):
            key, sep, value = item.strip().partition("=")
            if sep:
                params[key] = value.strip()
        credential = params.get("Credential")
        signed_headers = params.get("SignedHeaders")
        signature = params.get("Signature")
    headers = request.headers
    amz_date_raw = headers.get("x-amz-date")
    date_raw = headers.get("date") if amz_date_raw is None else None
    if not credential or not signed_headers or not signature:
        if family == "s3":
            raise s3_header_malformed(
                "the authorization header requires three components: Credential, SignedHeaders, and Signature."
            )
        problems = []
        if not credential:
            problems.append("Authorization header requires 'Credential' parameter.")
        if not signature:
            problems.append("Authorization header requires 'Signature' parameter.")
        if not signed_headers:
            problems.append("Authorization header requires 'SignedHeaders' parameter.")
        if amz_date_raw is None and date_raw is None:
            problems.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
        problems.append(f"Authorization={authorization}")
        raise incomplete(family, " ".join(problems))
    access_key, scope_date, region, service = parse_credential(credential, family, False)  # positional: a cheaper LRU key

    if amz_date_raw is not None:
        date = parse_amz_date(amz_date_raw.strip())
        bad_date = amz_date_raw
    elif date_raw is not None:
        date = parse_http_date(date_raw)
        bad_date = date_raw
    else:
        date = None
        bad_date = None
    if date is None:
        if family == "s3":
            raise AwsError("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header", 403)
        if bad_date is None:
            raise incomplete(
                family,
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
                f"Authorization={authorization}",
            )
        raise incomplete(
            family,
            f"Date must be in ISO-8601 'basic format'. Got '{bad_date}'. See http://en.wikipedia.org/wiki/ISO_8601",
        )
    amz_date = amz_date_raw.strip() if amz_date_raw is not None else fmt_amz(date)

    signed = parse_signed_headers(signed_headers)
    if "host" not in signed and ":authority" not in signed:
        if family == "s3":
            raise headers_not_signed(family, ["host"])
        raise incomplete(family, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    require_amz_headers_signed(headers, signed, family)
    return SignedRequest(
        access_key_id=access_key,
        date=date,
        scope_date=scope_date,
        region=region,
        service=service,
        signed_headers=signed,
        signature=signature,
        session_token=headers.get("x-amz-security-token"),
        presigned=False,
        expires_seconds=None,
        payload_hash=headers.get("x-amz-content-sha256") if family == "s3" else None,  # else the body is hashed
        signature_version="v4",
        amz_date=amz_date,
    )
