"""Pure AWS request-signature verification (SigV4 header + presigned, S3 SigV2 presigned/header).

No I/O, no store access, no clock: the caller passes the secret key and ``now``. Two steps:

``extract(request, family)``
    Parse what the request *claims* (access key, scope, signed headers, signature, date, token) into a
    :class:`SignedRequest`, or ``None`` when the request carries no signature at all (the caller answers
    ``MissingAuthenticationToken`` / treats S3 as anonymous). Structurally broken auth raises
    :class:`~rootplane.core.errors.AwsError` (``IncompleteSignature``, S3 ``AuthorizationHeaderMalformed`` ...).

``verify(request, signed, secret_access_key, now, family)``
    Check the scope date, the clock window / presigned expiry, rebuild the canonical request exactly as
    botocore's signers do, and compare signatures in constant time. Raises ``AwsError`` or returns ``None``.

``family`` picks AWS's error vocabulary (spec (i.3)): ``"query"`` (IAM, STS), ``"json"`` (Organizations, SQS,
CloudTrail, EventBridge), ``"rest-json"`` (Account), ``"s3"``.

Canonicalisation rules (botocore 1.44.8 ``SigV4Auth`` / ``S3SigV4Auth`` / ``SigV4QueryAuth`` /
``S3SigV4QueryAuth`` / ``HmacV1Auth`` / ``HmacV1QueryAuth``):

* URI: non-S3 -> remove dot segments and empty segments from the raw (percent-encoded) path, then
  percent-encode it once more (``/`` and ``~`` safe) — i.e. AWS's "double encoding"; S3 -> the raw path as sent.
* Query: every ``k=v`` pair decoded and re-encoded with RFC 3986 unreserved characters safe, sorted by encoded
  key then value; presigned requests drop ``X-Amz-Signature``.
* Headers: only the ``SignedHeaders`` (in the order given), lower-case names, values trimmed with internal
  whitespace runs collapsed (repeated headers are already joined with ``,`` by the HTTP layer).
* Payload: the ``x-amz-content-sha256`` header when present (hex, ``UNSIGNED-PAYLOAD`` or ``STREAMING-…``), else
  hex SHA-256 of the body; S3 presigned URLs use ``UNSIGNED-PAYLOAD`` (or their ``X-Amz-Content-Sha256`` query
  parameter); other presigned requests hash the (normally empty) body.

Secrets never appear in messages or fields; signatures are compared with :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import quote, unquote, unquote_plus

from rootplane.core.errors import AwsError
from rootplane.wire.detect import s3_bucket_from_host
from rootplane.wire.http import HttpRequest

__all__ = [
    "ALGORITHM",
    "EMPTY_SHA256",
    "FAMILIES",
    "MAX_PRESIGN_EXPIRES",
    "MAX_SKEW",
    "S3_SUBRESOURCES",
    "UNSIGNED_PAYLOAD",
    "SignedRequest",
    "canonical_headers",
    "canonical_query_string",
    "canonical_request",
    "canonical_uri",
    "extract",
    "payload_hash",
    "signing_key",
    "string_to_sign",
    "string_to_sign_v2",
    "verify",
]

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
FAMILIES = frozenset({"query", "json", "rest-json", "s3"})

#: Allowed clock skew per protocol family (spec i.1 step 5 / limits table). Override per call with ``max_skew``.
MAX_SKEW: dict[str, timedelta] = {
    "query": timedelta(minutes=15),
    "json": timedelta(minutes=5),
    "rest-json": timedelta(minutes=5),
    "s3": timedelta(minutes=15),
}
#: Longest presigned validity (X-Amz-Expires), one week.
MAX_PRESIGN_EXPIRES = 604800

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
_AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")
_SCOPE_DATE = re.compile(r"\d{8}")
_UNRESERVED = re.compile(r"[A-Za-z0-9\-_.~]*")
_PLAIN_PATH = re.compile(r"(?:/[A-Za-z0-9\-_~]+(?:\.+[A-Za-z0-9\-_~]+)*)*/?")
_UNRESERVED_CHARS = "-_.~"

_SIG_MESSAGE = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)
_S3_SIG_MESSAGE = (
    "The request signature we calculated does not match the signature you provided. Check your key and "
    "signing method."
)
_S3_CREDENTIAL_FORMAT = (
    'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
)
_S3_QUERY_REQUIRED = (
    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, "
    "X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
)
_S3_PAYLOAD_FORMAT = (
    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid "
    "sha256 value."
)


@dataclass(frozen=True)
class SignedRequest:
    """What a request claims about its signature (nothing here is verified yet).

    ``signature_version`` is ``"v4"`` for SigV4 (header or presigned) and ``"v2"`` for S3's legacy HMAC-SHA1
    schemes (``Authorization: AWS AKID:sig`` or ``?AWSAccessKeyId=…&Signature=…&Expires=…``); for v2 the scope
    fields are empty, ``signed_headers`` is ``()``, and for presigned v2 ``date`` is the ``Expires`` instant.
    ``amz_date`` is the signing timestamp in ISO-8601 basic form as it enters the string to sign.
    ``expires_at`` is when a presigned URL stops working (``None`` for header auth).
    """

    access_key_id: str
    date: datetime
    scope_date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    session_token: str | None
    presigned: bool
    expires_seconds: int | None
    payload_hash: str | None
    signature_version: str = "v4"
    amz_date: str = ""
    expires_at: datetime | None = None

    @property
    def credential_scope(self) -> str:
        """``yyyymmdd/region/service/aws4_request``."""
        return f"{self.scope_date}/{self.region}/{self.service}/aws4_request"


# --------------------------------------------------------------------------------------------------- errors


def _check_family(family: str) -> None:
    if family not in FAMILIES:
        raise ValueError(f"unknown protocol family {family!r}; expected one of {sorted(FAMILIES)}")


def _incomplete(family: str, message: str) -> AwsError:
    """Malformed SigV4 auth for the non-S3 families (spec i.3 'malformed Authorization')."""
    code = "IncompleteSignature" if family == "query" else "IncompleteSignatureException"
    return AwsError(code, message, 400)


def _s3_header_malformed(detail: str, **fields: str) -> AwsError:
    return AwsError(
        "AuthorizationHeaderMalformed", f"The authorization header is malformed; {detail}", 400, fields=fields
    )


def _s3_query_error(message: str) -> AwsError:
    return AwsError("AuthorizationQueryParametersError", message, 400)


def _bad_signature(family: str, message: str = _SIG_MESSAGE) -> AwsError:
    """Signature mismatch / expiry for the non-S3 families: query 403, JSON 400, rest-json 403 (spec i.3)."""
    if family == "query":
        return AwsError("SignatureDoesNotMatch", message, 403)
    if family == "json":
        return AwsError("InvalidSignatureException", message, 400)
    return AwsError("InvalidSignatureException", message, 403)


def _hex_bytes(text: str) -> str:
    return " ".join(f"{b:02x}" for b in text.encode("utf-8"))


def _s3_signature_mismatch(signed: SignedRequest, sts: str, canonical: str | None) -> AwsError:
    fields = {
        "AWSAccessKeyId": signed.access_key_id,
        "StringToSign": sts,
        "SignatureProvided": signed.signature,
        "StringToSignBytes": _hex_bytes(sts),
    }
    if canonical is not None:
        fields["CanonicalRequest"] = canonical
        fields["CanonicalRequestBytes"] = _hex_bytes(canonical)
    return AwsError("SignatureDoesNotMatch", _S3_SIG_MESSAGE, 403, fields=fields)


# ---------------------------------------------------------------------------------------------- time helpers


def _fmt_amz(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _fmt_iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_amz_date(value: str) -> datetime | None:
    if len(value) != 16 or value[8] != "T" or value[15] != "Z" or not _AMZ_DATE.fullmatch(value):
        return None
    try:
        return datetime(
            int(value[0:4]), int(value[4:6]), int(value[6:8]),
            int(value[9:11]), int(value[11:13]), int(value[13:15]), tzinfo=timezone.utc,
        )
    except ValueError:
        return None


def _parse_http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


# ------------------------------------------------------------------------------------------------- extract


def extract(request: HttpRequest, family: str) -> SignedRequest | None:
    """Parse the signature a request claims to carry.

    Returns ``None`` when there is no AWS auth at all (no ``Authorization`` header and no ``X-Amz-Algorithm`` /
    ``X-Amz-Credential`` / ``X-Amz-Signature`` query parameters; for S3 also no SigV2 ``AWSAccessKeyId`` /
    ``Signature`` query). Raises :class:`AwsError` for malformed auth: ``IncompleteSignature`` (query),
    ``IncompleteSignatureException`` (JSON, rest-json), S3 ``AuthorizationHeaderMalformed`` /
    ``AuthorizationQueryParametersError`` / ``InvalidArgument`` / ``AccessDenied`` (missing date) — all 400
    except the S3 missing-date/V2-query cases (403).
    """
    _check_family(family)
    authorization = request.headers.get("authorization")
    if authorization is not None:
        stripped = authorization.strip()
        if stripped.startswith(ALGORITHM + " ") or stripped == ALGORITHM:
            return _extract_header(request, stripped, family)
        if family == "s3" and stripped.startswith("AWS "):
            return _extract_v2_header(request, stripped)
        return _unsupported_algorithm(stripped, family)
    qs = request.query_string
    if not qs:
        return None
    if "X-Amz-" in qs:
        query = request.query
        if "X-Amz-Algorithm" in query or "X-Amz-Signature" in query or "X-Amz-Credential" in query:
            return _extract_query(request, query, family)
    if family == "s3" and ("AWSAccessKeyId" in qs or "Signature" in qs):
        query = request.query
        if "AWSAccessKeyId" in query or "Signature" in query:
            return _extract_v2_query(request, query)
    return None


def _unsupported_algorithm(authorization: str, family: str) -> AwsError:
    algorithm = authorization.split(" ", 1)[0]
    if family == "s3":
        raise AwsError(
            "InvalidArgument",
            "Unsupported Authorization Type",
            400,
            fields={"ArgumentName": "Authorization", "ArgumentValue": authorization},
        )
    raise _incomplete(family, f"Unsupported AWS 'algorithm': '{algorithm}'.")


@lru_cache(maxsize=1024)
def _parse_credential(credential: str, family: str, presigned: bool) -> tuple[str, str, str, str]:
    parts = credential.split("/")
    if len(parts) != 5 or not all(parts) or not _SCOPE_DATE.fullmatch(parts[1]) or parts[4] != "aws4_request":
        if family == "s3":
            if presigned:
                raise _s3_query_error(f"Error parsing the X-Amz-Credential parameter; {_S3_CREDENTIAL_FORMAT}")
            raise _s3_header_malformed(_S3_CREDENTIAL_FORMAT)
        if len(parts) != 5:
            raise _incomplete(
                family,
                "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
                f"got '{credential}'",
            )
        if parts[4] != "aws4_request":
            raise _incomplete(
                family, f"Credential should be scoped with a valid terminator: 'aws4_request', not '{parts[4]}'."
            )
        raise _incomplete(family, f"Credential should be scoped to a valid date, region and service, got '{credential}'.")
    return parts[0], parts[1], parts[2], parts[3]


@lru_cache(maxsize=256)
def _parse_signed_headers(value: str) -> tuple[str, ...]:
    return tuple(value.split(";"))


_AUTH_HEADER = re.compile(
    r"AWS4-HMAC-SHA256 +Credential=([^,\s]+), *SignedHeaders=([^,\s]+), *Signature=([^,\s]+)"
)


def _extract_header(request: HttpRequest, authorization: str, family: str) -> SignedRequest:
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
            raise _s3_header_malformed(
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
        raise _incomplete(family, " ".join(problems))
    access_key, scope_date, region, service = _parse_credential(credential, family, presigned=False)

    if amz_date_raw is not None:
        date = _parse_amz_date(amz_date_raw.strip())
        bad_date = amz_date_raw
    elif date_raw is not None:
        date = _parse_http_date(date_raw)
        bad_date = date_raw
    else:
        date = None
        bad_date = None
    if date is None:
        if family == "s3":
            raise AwsError("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header", 403)
        if bad_date is None:
            raise _incomplete(
                family,
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
                f"Authorization={authorization}",
            )
        raise _incomplete(
            family,
            f"Date must be in ISO-8601 'basic format'. Got '{bad_date}'. See http://en.wikipedia.org/wiki/ISO_8601",
        )
    amz_date = amz_date_raw.strip() if amz_date_raw is not None else _fmt_amz(date)

    signed = _parse_signed_headers(signed_headers)
    if "host" not in signed and ":authority" not in signed:
        if family == "s3":
            raise AwsError(
                "AccessDenied",
                "There were headers present in the request which were not signed",
                403,
                fields={"HeadersNotSigned": "host"},
            )
        raise _incomplete(family, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    if family == "s3":
        unsigned = [h for h in headers if h.startswith("x-amz-") and h not in signed]
        if unsigned:
            raise AwsError(
                "AccessDenied",
                "There were headers present in the request which were not signed",
                403,
                fields={"HeadersNotSigned": ", ".join(sorted(unsigned))},
            )
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
        payload_hash=headers.get("x-amz-content-sha256"),
        signature_version="v4",
        amz_date=amz_date,
    )


_QUERY_REQUIRED = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders")


def _extract_query(request: HttpRequest, query: dict[str, str], family: str) -> SignedRequest:
    s3 = family == "s3"
    required = _QUERY_REQUIRED + (("X-Amz-Expires",) if s3 else ())
    missing = [name for name in required if not query.get(name)]
    if missing:
        if s3:
            raise _s3_query_error(_S3_QUERY_REQUIRED)
        raise _incomplete(
            family,
            " ".join(f"AWS query-string parameters must include '{name}'." for name in missing)
            + " Re-examine the query-string parameters.",
        )
    algorithm = query["X-Amz-Algorithm"]
    if algorithm != ALGORITHM:
        if s3:
            raise _s3_query_error(f'X-Amz-Algorithm only supports "{ALGORITHM}"')
        raise _incomplete(family, f"Unsupported AWS 'algorithm': '{algorithm}'.")
    access_key, scope_date, region, service = _parse_credential(query["X-Amz-Credential"], family, presigned=True)
    amz_date = query["X-Amz-Date"]
    date = _parse_amz_date(amz_date)
    if date is None:
        if s3:
            raise _s3_query_error("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
        raise _incomplete(
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
                raise _s3_query_error("X-Amz-Expires should be a number") from None
            raise _incomplete(family, "X-Amz-Expires should be a number") from None
        if expires < 0:
            if s3:
                raise _s3_query_error("X-Amz-Expires must be non-negative")
            raise _incomplete(family, "X-Amz-Expires must be non-negative")
        if expires > MAX_PRESIGN_EXPIRES:
            message = f"X-Amz-Expires must be less than a week (in seconds) that is {MAX_PRESIGN_EXPIRES}"
            if s3:
                raise _s3_query_error(message)
            raise _incomplete(family, message)
    signed = _parse_signed_headers(query["X-Amz-SignedHeaders"])
    if "host" not in signed and ":authority" not in signed:
        if s3:
            raise _s3_query_error("X-Amz-SignedHeaders must contain host")
        raise _incomplete(family, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    headers = request.headers
    if s3:
        if "x-amz-content-sha256" in signed and "x-amz-content-sha256" in headers:
            payload = headers["x-amz-content-sha256"]
        else:
            payload = query.get("X-Amz-Content-Sha256") or query.get("X-Amz-Content-SHA256") or UNSIGNED_PAYLOAD
    else:
        payload = headers.get("x-amz-content-sha256")
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


def _extract_v2_header(request: HttpRequest, authorization: str) -> SignedRequest:
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
        date = _parse_http_date(raw) or _parse_amz_date(raw.strip())
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
        amz_date=_fmt_amz(date),
    )


def _extract_v2_query(request: HttpRequest, query: dict[str, str]) -> SignedRequest:
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
        amz_date=_fmt_amz(expires_at),
        expires_at=expires_at,
    )


# ------------------------------------------------------------------------------------------ canonicalisation


@lru_cache(maxsize=4096)
def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request"); LRU-cached."""
    k = hmac.digest(("AWS4" + secret).encode("utf-8"), date.encode("utf-8"), "sha256")
    k = hmac.digest(k, region.encode("utf-8"), "sha256")
    k = hmac.digest(k, service.encode("utf-8"), "sha256")
    return hmac.digest(k, b"aws4_request", "sha256")


def _remove_dot_segments(path: str) -> str:
    out: list[str] = []
    for segment in path.split("/"):
        if not segment or segment == ".":
            continue
        if segment == "..":
            if out:
                out.pop()
        else:
            out.append(segment)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and out else ""
    return first + "/".join(out) + last


def canonical_uri(path: str, s3: bool) -> str:
    """CanonicalURI from the raw (percent-encoded) request path.

    S3: the path exactly as sent. Others: dot segments and empty segments removed, then percent-encoded again
    with ``/`` and ``~`` safe (so ``%20`` on the wire becomes ``%2520``, as botocore signs it).
    """
    if not path:
        return "/"
    if s3:
        return path
    if path == "/" or (_PLAIN_PATH.fullmatch(path) and "//" not in path):
        return path
    return quote(_remove_dot_segments(path), safe="/~")


def _encode_component(raw: str) -> str:
    if _UNRESERVED.fullmatch(raw):
        return raw
    return quote(unquote_plus(raw), safe=_UNRESERVED_CHARS)


def canonical_query_string(query_string: str, presigned: bool = False) -> str:
    """CanonicalQueryString from the raw query: decode + RFC 3986 re-encode each key and value, sort by
    (key, value); ``X-Amz-Signature`` is dropped for presigned requests.

    A literal ``+`` decodes to a space (form encoding, as ``AWSRequest.prepare`` emits for ``params`` that
    botocore signed as ``%20``); SDK serializers always send ``%2B`` for a real plus.
    """
    if not query_string:
        return ""
    pairs = []
    for item in query_string.split("&"):
        key, _, value = item.partition("=")
        key = _encode_component(key)
        if presigned and key == "X-Amz-Signature":
            continue
        pairs.append((key, _encode_component(value)))
    pairs.sort()
    return "&".join(f"{k}={v}" for k, v in pairs)


def canonical_headers(headers: dict[str, str], signed_headers: tuple[str, ...]) -> str:
    """``name:value\\n`` for every signed header (value trimmed, whitespace runs collapsed)."""
    lines = []
    for name in signed_headers:
        value = headers.get(name)
        if value is None:
            value = ""
        elif "  " in value or "\t" in value or "\n" in value or value[:1] == " " or value[-1:] == " ":
            value = " ".join(value.split())
        lines.append(f"{name}:{value}\n")
    return "".join(lines)


def payload_hash(request: HttpRequest, signed: SignedRequest) -> str:
    """The HashedPayload line: the claimed ``x-amz-content-sha256`` (or S3 presign literal), else sha256(body)."""
    if signed.payload_hash is not None:
        return signed.payload_hash
    if not request.body:
        return EMPTY_SHA256
    return hashlib.sha256(request.body).hexdigest()


def canonical_request(request: HttpRequest, signed: SignedRequest, family: str | None = None) -> str:
    """The SigV4 canonical request botocore built for this request.

    ``family`` defaults to S3 rules when the credential scope's service is ``s3`` (S3 path handling and the
    presigned ``UNSIGNED-PAYLOAD`` rule); pass it explicitly to force a family.
    """
    s3 = family == "s3" if family is not None else signed.service == "s3"
    return "\n".join(
        (
            request.method.upper(),
            canonical_uri(request.path, s3),
            canonical_query_string(request.query_string, signed.presigned),
            canonical_headers(request.headers, signed.signed_headers),
            ";".join(signed.signed_headers),
            payload_hash(request, signed),
        )
    )


def string_to_sign(signed: SignedRequest, canonical: str) -> str:
    """``AWS4-HMAC-SHA256\\n<amz-date>\\n<scope>\\n<hex sha256(canonical request)>``."""
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{signed.amz_date or _fmt_amz(signed.date)}\n{signed.credential_scope}\n{digest}"


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


# -------------------------------------------------------------------------------------------------- verify


def verify(
    request: HttpRequest,
    signed: SignedRequest,
    secret_access_key: str,
    now: datetime,
    family: str,
    *,
    max_skew: timedelta | None = None,
    auth_path: str | None = None,
) -> None:
    """Verify ``signed`` (from :func:`extract`) against ``request`` with the caller's secret key.

    Checks in order: scope date == X-Amz-Date date; clock window (header auth: ``|now - date| <= max_skew``,
    default :data:`MAX_SKEW` per family) or presigned validity (``date - skew <= now <= date + X-Amz-Expires``);
    S3 payload-hash header format; signature (constant-time); finally that a hex ``x-amz-content-sha256``
    matches the body. Raises :class:`AwsError` on the first failure, returns ``None`` when valid.
    ``auth_path`` is only used by S3 SigV2 (virtual-hosted style: ``/bucket/key``).
    """
    _check_family(family)
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    skew = max_skew if max_skew is not None else MAX_SKEW[family]
    s3 = family == "s3"
    if signed.signature_version == "v2":
        _verify_v2(request, signed, secret_access_key, now, skew, auth_path)
        return

    # 1. scope date must be the date of X-Amz-Date
    amz_date = signed.amz_date or _fmt_amz(signed.date)
    if signed.scope_date != amz_date[:8]:
        if s3:
            detail = "Invalid credential date. Date is not the same as X-Amz-Date."
            if signed.presigned:
                raise _s3_query_error(detail)
            raise _s3_header_malformed(detail)
        raise _bad_signature(
            family,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            f"'{signed.scope_date}' != '{amz_date[:8]}', from '{amz_date}'.",
        )

    # 2. time window
    if signed.presigned:
        if signed.date - now > skew:
            raise _skew_error(family, signed, amz_date, now, skew, future=True)
        if signed.expires_seconds is not None and now > signed.date + timedelta(seconds=signed.expires_seconds):
            raise _expired_error(family, signed, now)
        if signed.expires_seconds is None and now - signed.date > skew:
            raise _skew_error(family, signed, amz_date, now, skew, future=False)
    else:
        delta = now - signed.date
        if delta > skew:
            raise _skew_error(family, signed, amz_date, now, skew, future=False)
        if -delta > skew:
            raise _skew_error(family, signed, amz_date, now, skew, future=True)

    # 3. payload hash claim
    claimed = signed.payload_hash
    if s3 and not signed.presigned:
        if claimed is None:
            raise AwsError("InvalidRequest", "Missing required header for this request: x-amz-content-sha256", 400)
        if claimed not in _S3_PAYLOAD_LITERALS and not _HEX64.fullmatch(claimed):
            raise AwsError("InvalidArgument", _S3_PAYLOAD_FORMAT, 400, fields={
                "ArgumentName": "x-amz-content-sha256", "ArgumentValue": claimed})

    # 4. signature
    canonical = canonical_request(request, signed, family)
    sts = string_to_sign(signed, canonical)
    key = signing_key(secret_access_key, signed.scope_date, signed.region, signed.service)
    expected = hmac.digest(key, sts.encode("utf-8"), "sha256").hex()
    provided = signed.signature.encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(expected.encode("ascii"), provided):
        if s3:
            raise _s3_signature_mismatch(signed, sts, canonical)
        raise _bad_signature(family)

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
            raise _bad_signature(family)


def _skew_error(
    family: str, signed: SignedRequest, amz_date: str, now: datetime, skew: timedelta, *, future: bool
) -> AwsError:
    if family == "s3":
        return AwsError(
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
            403,
            fields={
                "RequestTime": amz_date,
                "ServerTime": _fmt_iso(now),
                "MaxAllowedSkewMilliseconds": str(int(skew.total_seconds() * 1000)),
            },
        )
    minutes = int(skew.total_seconds() // 60)
    if future:
        message = (
            f"Signature not yet current: {amz_date} is still later than {_fmt_amz(now + skew)} "
            f"({_fmt_amz(now)} + {minutes} min.)"
        )
    else:
        message = (
            f"Signature expired: {amz_date} is now earlier than {_fmt_amz(now - skew)} "
            f"({_fmt_amz(now)} - {minutes} min.)"
        )
    return _bad_signature(family, message)


def _expired_error(family: str, signed: SignedRequest, now: datetime) -> AwsError:
    expires_at = signed.expires_at or signed.date
    if family == "s3":
        fields = {"Expires": _fmt_iso(expires_at), "ServerTime": _fmt_iso(now)}
        if signed.expires_seconds is not None:
            fields = {"X-Amz-Expires": str(signed.expires_seconds), **fields}
        return AwsError("AccessDenied", "Request has expired", 403, fields=fields)
    return _bad_signature(family, "Request has expired")


def _verify_v2(
    request: HttpRequest,
    signed: SignedRequest,
    secret_access_key: str,
    now: datetime,
    skew: timedelta,
    auth_path: str | None,
) -> None:
    if signed.presigned:
        if now > signed.date:
            raise _expired_error("s3", signed, now)
    elif abs(now - signed.date) > skew:
        raise _skew_error("s3", signed, signed.amz_date, now, skew, future=signed.date > now)
    if auth_path is None:
        auth_path = _virtual_host_auth_path(request)
    sts = string_to_sign_v2(request, signed, auth_path)
    digest = hmac.digest(secret_access_key.encode("utf-8"), sts.encode("utf-8"), "sha1")
    expected = base64.b64encode(digest)
    if not hmac.compare_digest(expected, signed.signature.encode("utf-8", "surrogateescape")):
        raise _s3_signature_mismatch(signed, sts, None)


def _virtual_host_auth_path(request: HttpRequest) -> str | None:
    """``/bucket`` + path for a virtual-hosted-style S3 request (what botocore's HmacV1Auth signs), else None."""
    host = request.host.lower()
    if not host.startswith("["):
        host = host.rsplit(":", 1)[0]
    bucket = s3_bucket_from_host(host)
    return f"/{bucket}{request.path or '/'}" if bucket else None
