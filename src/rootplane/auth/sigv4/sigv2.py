"""S3's legacy HMAC-SHA1 signatures (botocore ``HmacV1Auth`` / ``HmacV1QueryAuth``): ``Authorization: AWS
AKID:sig`` headers and ``?AWSAccessKeyId=…&Signature=…&Expires=…`` URLs."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote

from rootplane.core.errors import AwsError
from rootplane.wire.detect import s3_bucket_from_host
from rootplane.wire.http import HttpRequest

from .errors import expired_error, s3_signature_mismatch, skew_error
from .signed import SignedRequest, fmt_amz, parse_amz_date, parse_http_date

__all__ = ["S3_SUBRESOURCES", "extract_v2_header", "extract_v2_query", "string_to_sign_v2", "verify_v2"]

#: S3 sub-resources that take part in the SigV2 canonical resource (botocore ``HmacV1Auth.QSAOfInterest``).
S3_SUBRESOURCES = frozenset(
    {
        "accelerate", "acl", "cors", "defaultObjectAcl", "location", "logging", "partNumber", "policy",
        "requestPayment", "torrent", "versioning", "versionId", "versions", "website", "uploads", "uploadId",
        "response-content-type", "response-content-language", "response-expires", "response-cache-control",
        "response-content-disposition", "response-content-encoding", "delete", "lifecycle", "tagging", "restore",
        "storageClass", "notification", "replication", "analytics", "metrics", "inventory", "select",
        "select-type", "object-lock",
    }
)


def extract_v2_header(request: HttpRequest, authorization: str) -> SignedRequest:
    access_key, sep, signature = authorization[4:].strip().rpartition(":")
    if not sep or not access_key or not signature:
        raise AwsError(
            "InvalidArgument",
            "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
            400,
            fields={"ArgumentName": "Authorization", "ArgumentValue": authorization},
        )
    headers = request.headers
    raw = headers.get("x-amz-date") or headers.get("date")
    date = None
    if raw:
        date = parse_http_date(raw) or parse_amz_date(raw.strip())
    if date is None:
        raise AwsError("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header", 403)
    return SignedRequest(
        access_key_id=access_key,
        date=date,
        scope_date="",
        region="",
        service="s3",
        signed_headers=(),
        signature=signature,
        session_token=headers.get("x-amz-security-token"),
        presigned=False,
        expires_seconds=None,
        payload_hash=None,
        signature_version="v2",
        amz_date=raw.strip(),  # as sent: S3's RequestTimeTooSkewed names it so
    )


def extract_v2_query(request: HttpRequest, query: dict[str, str]) -> SignedRequest:
    access_key = query.get("AWSAccessKeyId")
    signature = query.get("Signature")
    expires_raw = query.get("Expires")
    if not access_key or not signature or not expires_raw:
        raise AwsError(
            "AccessDenied",
            "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters",
            403,
        )
    try:
        expires_at = datetime.fromtimestamp(int(expires_raw), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise AwsError(
            "AccessDenied",
            "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters",
            403,
        ) from None
    return SignedRequest(
        access_key_id=access_key,
        date=expires_at,
        scope_date="",
        region="",
        service="s3",
        signed_headers=(),
        signature=signature,
        session_token=query.get("x-amz-security-token") or request.headers.get("x-amz-security-token"),
        presigned=True,
        expires_seconds=None,
        payload_hash=None,
        signature_version="v2",
        amz_date=fmt_amz(expires_at),
        expires_at=expires_at,
    )


def string_to_sign_v2(request: HttpRequest, signed: SignedRequest, auth_path: str | None = None) -> str:
    """S3 SigV2 (HMAC-SHA1) string to sign, for ``Authorization: AWS`` headers and ``?Signature=`` URLs.

    ``METHOD\\nContent-MD5\\nContent-Type\\n<Date|Expires>\\n<x-amz-* lines><canonical resource>``. For presigned
    URLs the date line is ``Expires`` and ``x-amz-*`` / ``content-type`` / ``content-md5`` query parameters count
    as headers (botocore's ``HmacV1QueryAuth`` moves them into the URL). ``auth_path`` overrides the path for
    virtual-hosted-style requests (``/bucket`` + path).
    """
    headers = request.headers
    query_params = request.query_params if signed.presigned else ()
    amz: dict[str, list[str]] = {}
    for name, value in headers.items():
        if name.startswith("x-amz-"):
            amz.setdefault(name, []).append(value.strip())
    extra: dict[str, str] = {}
    for name, value in query_params:
        lowered = name.lower()
        if lowered.startswith("x-amz-") and lowered not in headers:
            amz.setdefault(lowered, []).append(value.strip())
        elif lowered in ("content-type", "content-md5"):
            extra.setdefault(lowered, value)
    content_md5 = headers.get("content-md5", extra.get("content-md5", "")).strip()
    content_type = headers.get("content-type", extra.get("content-type", "")).strip()
    if signed.presigned:
        date_line = next((value for name, value in query_params if name == "Expires"), "")
    elif "x-amz-date" in headers:
        date_line = ""
    else:
        date_line = headers.get("date", "").strip()
    lines = [request.method.upper(), content_md5, content_type, date_line]
    for name in sorted(amz):
        lines.append(f"{name}:{','.join(amz[name])}")
    resource = auth_path if auth_path is not None else (request.path or "/")
    sub = []
    if request.query_string:
        for item in request.query_string.split("&"):
            key, sep, value = item.partition("=")
            if key in S3_SUBRESOURCES:
                sub.append((key, f"{key}={unquote(value)}" if sep else key))
    if sub:
        sub.sort(key=lambda kv: kv[0])
        resource += "?" + "&".join(text for _, text in sub)
    lines.append(resource)
    return "\n".join(lines)


def verify_v2(
    request: HttpRequest,
    signed: SignedRequest,
    secret_access_key: str,
    now: datetime,
    skew: timedelta,
    auth_path: str | None,
) -> None:
    if signed.presigned:
        if now > signed.date:
            raise expired_error("s3", signed, now)
    elif abs(now - signed.date) > skew:
        raise skew_error("s3", signed, signed.amz_date, now, skew, future=signed.date > now)
    if auth_path is None:
        auth_path = virtual_host_auth_path(request)
    sts = string_to_sign_v2(request, signed, auth_path)
    if _signature_v2(sts, secret_access_key, signed):
        return
    path = request.path or "/"
    if auth_path is None and path.count("/") == 1 and len(path) > 1:
        # A path-style bucket request (``/bucket``): botocore signs its virtual-hosted resource ``/bucket/``.
        if _signature_v2(string_to_sign_v2(request, signed, path + "/"), secret_access_key, signed):
            return
    raise s3_signature_mismatch(signed, sts, None)


def _signature_v2(string_to_sign: str, secret_access_key: str, signed: SignedRequest) -> bool:
    """Whether the request's signature is the HMAC-SHA1 of ``string_to_sign`` (constant-time comparison)."""
    digest = hmac.new(secret_access_key.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    return hmac.compare_digest(base64.b64encode(digest), signed.signature.encode("utf-8", "surrogateescape"))


def virtual_host_auth_path(request: HttpRequest) -> str | None:
    """``/bucket`` + path for a virtual-hosted-style S3 request (what botocore's HmacV1Auth signs), else None."""
    host = request.host.lower()
    if not host.startswith("["):
        host = host.rsplit(":", 1)[0]
    bucket = s3_bucket_from_host(host)
    return f"/{bucket}{request.path or '/'}" if bucket else None
