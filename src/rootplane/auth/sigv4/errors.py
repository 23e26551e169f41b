"""AWS's signature errors, per protocol family (spec i.3): ``"query"`` (IAM, STS), ``"json"`` (Organizations,
SQS, CloudTrail, EventBridge), ``"rest-json"`` (Account), ``"s3"``. Secrets never appear in messages or fields."""

from __future__ import annotations

from datetime import datetime, timedelta

from rootplane.core.errors import AwsError

from .signed import FAMILIES, SignedRequest, fmt_amz, fmt_iso

__all__ = [
    "SIG_MESSAGE",
    "S3_SIG_MESSAGE",
    "S3_CREDENTIAL_FORMAT",
    "S3_QUERY_REQUIRED",
    "S3_PAYLOAD_FORMAT",
    "check_family",
    "incomplete",
    "s3_header_malformed",
    "s3_query_error",
    "bad_signature",
    "s3_signature_mismatch",
    "headers_not_signed",
    "skew_error",
    "expired_error",
]

SIG_MESSAGE = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)
S3_SIG_MESSAGE = (
    "The request signature we calculated does not match the signature you provided. Check your key and "
    "signing method."
)
S3_CREDENTIAL_FORMAT = (
    'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
)
S3_QUERY_REQUIRED = (
    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, "
    "X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
)
S3_PAYLOAD_FORMAT = (
    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid "
    "sha256 value."
)


def check_family(family: str) -> None:
    if family not in FAMILIES:
        raise ValueError(f"unknown protocol family {family!r}; expected one of {sorted(FAMILIES)}")


def incomplete(family: str, message: str) -> AwsError:
    """Malformed SigV4 auth for the non-S3 families (spec i.3 'malformed Authorization')."""
    code = "IncompleteSignature" if family == "query" else "IncompleteSignatureException"
    return AwsError(code, message, 400)


def s3_header_malformed(detail: str, **fields: str) -> AwsError:
    return AwsError(
        "AuthorizationHeaderMalformed", f"The authorization header is malformed; {detail}", 400, fields=fields
    )


def s3_query_error(message: str, **fields: str) -> AwsError:
    return AwsError("AuthorizationQueryParametersError", message, 400, fields=fields)


def bad_signature(family: str, message: str = SIG_MESSAGE) -> AwsError:
    """Signature mismatch / expiry for the non-S3 families: query 403, JSON 400, rest-json 403 (spec i.3)."""
    if family == "query":
        return AwsError("SignatureDoesNotMatch", message, 403)
    if family == "json":
        return AwsError("InvalidSignatureException", message, 400)
    return AwsError("InvalidSignatureException", message, 403)


def _hex_bytes(text: str) -> str:
    return " ".join(f"{b:02x}" for b in text.encode("utf-8"))


def s3_signature_mismatch(signed: SignedRequest, sts: str, canonical: str | None) -> AwsError:
    fields = {
        "AWSAccessKeyId": signed.access_key_id,
        "StringToSign": sts,
        "SignatureProvided": signed.signature,
        "StringToSignBytes": _hex_bytes(sts),
    }
    if canonical is not None:
        fields["CanonicalRequest"] = canonical
        fields["CanonicalRequestBytes"] = _hex_bytes(canonical)
    return AwsError("SignatureDoesNotMatch", S3_SIG_MESSAGE, 403, fields=fields)


def headers_not_signed(family: str, names: list[str]) -> AwsError:
    """Headers that had to be signed and were not: S3 403 ``AccessDenied`` with ``HeadersNotSigned``; the other
    families ``IncompleteSignature`` naming the first one, as they do for an unsigned ``Host``."""
    if family == "s3":
        return AwsError(
            "AccessDenied",
            "There were headers present in the request which were not signed",
            403,
            fields={"HeadersNotSigned": ", ".join(sorted(names))},
        )
    shown = "-".join(part.capitalize() for part in sorted(names)[0].split("-"))
    return incomplete(family, f"'{shown}' must be a 'SignedHeader' in the AWS Authorization.")


def skew_error(
    family: str, signed: SignedRequest, amz_date: str, now: datetime, skew: timedelta, *, future: bool
) -> AwsError:
    if family == "s3":
        return AwsError(
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
            403,
            fields={
                "RequestTime": amz_date,
                "ServerTime": fmt_iso(now),
                "MaxAllowedSkewMilliseconds": str(int(skew.total_seconds() * 1000)),
            },
        )
    minutes = int(skew.total_seconds() // 60)
    if future:
        message = (
            f"Signature not yet current: {amz_date} is still later than {fmt_amz(now + skew)} "
            f"({fmt_amz(now)} + {minutes} min.)"
        )
    else:
        message = (
            f"Signature expired: {amz_date} is now earlier than {fmt_amz(now - skew)} "
            f"({fmt_amz(now)} - {minutes} min.)"
        )
    return bad_signature(family, message)


def expired_error(family: str, signed: SignedRequest, now: datetime) -> AwsError:
    expires_at = signed.expires_at or signed.date
    if family == "s3":
        fields = {"Expires": fmt_iso(expires_at), "ServerTime": fmt_iso(now)}
        if signed.expires_seconds is not None:
            fields = {"X-Amz-Expires": str(signed.expires_seconds), **fields}
        return AwsError("AccessDenied", "Request has expired", 403, fields=fields)
    return bad_signature(family, "Request has expired")
