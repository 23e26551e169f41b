"""Verify a SigV4 signature: scope, clock window or presigned expiry, payload-hash claim, signature
(constant time), then the signed body hash."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta

from rootplane.core.errors import AwsError
from rootplane.wire.http import HttpRequest

from .canonical import canonical_request, signature, string_to_sign
from .errors import (
    S3_PAYLOAD_FORMAT,
    bad_signature,
    check_family,
    expired_error,
    s3_header_malformed,
    s3_query_error,
    s3_signature_mismatch,
    skew_error,
)
from .scope import check_scope
from .signed import EMPTY_SHA256, MAX_SKEW, SignedRequest, fmt_amz
from .sigv2 import verify_v2

__all__ = ["verify"]

_S3_PAYLOAD_LITERALS = frozenset(
    {
        "UNSIGNED-PAYLOAD",
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
    }
)
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


def verify(
    request: HttpRequest,
    signed: SignedRequest,
    secret_access_key: str,
    now: datetime,
    family: str,
    *,
    max_skew: timedelta | None = None,
    auth_path: str | None = None,
    signing_name: str | None = None,
) -> None:
    """Verify ``signed`` (from :func:`extract`) against ``request`` with the caller's secret key.

    Checks in order: the scope's region and service (``signing_name``: the endpoint's, see
    :func:`~rootplane.auth.sigv4.scope.check_scope`); scope date == X-Amz-Date date; clock window (header
    auth: ``|now - date| <= max_skew``, default :data:`MAX_SKEW` per family) or presigned validity
    (``date - skew <= now <= date + X-Amz-Expires``);
    S3 payload-hash header format; signature (constant-time); finally that a hex ``x-amz-content-sha256``
    matches the body. Raises :class:`AwsError` on the first failure, returns ``None`` when valid.
    ``auth_path`` is only used by S3 SigV2 (virtual-hosted style: ``/bucket/key``).
    """
    check_family(family)
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    skew = max_skew if max_skew is not None else MAX_SKEW[family]
    s3 = family == "s3"
    if signed.signature_version == "v2":
        verify_v2(request, signed, secret_access_key, now, skew, auth_path)
        return

    # 1. the scope names a real region and the endpoint's service; its date is the date of X-Amz-Date
    check_scope(signed, family, signing_name)
    amz_date = signed.amz_date or fmt_amz(signed.date)
    if signed.scope_date != amz_date[:8]:
        if s3:
            detail = "Invalid credential date. Date is not the same as X-Amz-Date."
            if signed.presigned:
                raise s3_query_error(detail)
            raise s3_header_malformed(detail)
        raise bad_signature(
            family,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            f"'{signed.scope_date}' != '{amz_date[:8]}', from '{amz_date}'.",
        )

    # 2. time window
    if signed.presigned:
        if signed.date - now > skew:
            raise skew_error(family, signed, amz_date, now, skew, future=True)
        if signed.expires_seconds is not None and now > signed.date + timedelta(seconds=signed.expires_seconds):
            raise expired_error(family, signed, now)
        if signed.expires_seconds is None and now - signed.date > skew:
            raise skew_error(family, signed, amz_date, now, skew, future=False)
    else:
        delta = now - signed.date
        if delta > skew:
            raise skew_error(family, signed, amz_date, now, skew, future=False)
        if -delta > skew:
            raise skew_error(family, signed, amz_date, now, skew, future=True)

    # 3. payload hash claim
    claimed = signed.payload_hash
    if s3 and not signed.presigned:
        if claimed is None:
            raise AwsError("InvalidRequest", "Missing required header for this request: x-amz-content-sha256", 400)
        if claimed not in _S3_PAYLOAD_LITERALS and not _HEX64.fullmatch(claimed):
            raise AwsError("InvalidArgument", S3_PAYLOAD_FORMAT, 400, fields={
                "ArgumentName": "x-amz-content-sha256", "ArgumentValue": claimed})

    # 4. signature
    canonical = canonical_request(request, signed, family)
    sts = string_to_sign(signed, canonical)
    expected = signature(secret_access_key, signed.scope_date, signed.region, signed.service, sts)
    provided = signed.signature.encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(expected.encode("ascii"), provided):
        if s3:
            raise s3_signature_mismatch(signed, sts, canonical)
        raise bad_signature(family)

    # 5. the signed body hash must be the body's
    if claimed is not None and len(claimed) == 64 and _HEX64.fullmatch(claimed):
        actual = hashlib.sha256(request.body).hexdigest() if request.body else EMPTY_SHA256
        if actual != claimed.lower():
            if s3:
                raise AwsError(
                    "XAmzContentSHA256Mismatch",
                    "The provided 'x-amz-content-sha256' header does not match what was computed.",
                    400,
                    fields={"ClientComputedContentSHA256": claimed, "S3ComputedContentSHA256": actual},
                )
            raise bad_signature(family)
