"""The SigV4 canonical request and string to sign, rebuilt exactly as botocore 1.44.8's signers build them.

* URI: non-S3 -> remove dot segments and empty segments from the raw (percent-encoded) path, then
  percent-encode it once more (``/`` and ``~`` safe) — i.e. AWS's "double encoding"; S3 -> the raw path as sent.
* Query: every ``k=v`` pair decoded and re-encoded with RFC 3986 unreserved characters safe, sorted by encoded
  key then value; presigned requests drop ``X-Amz-Signature``.
* Headers: only the ``SignedHeaders`` (in the order given), lower-case names, values trimmed with internal
  whitespace runs collapsed (repeated headers are already joined with ``,`` by the HTTP layer).
* Payload: the ``x-amz-content-sha256`` header when present (hex, ``UNSIGNED-PAYLOAD`` or ``STREAMING-…``), else
  hex SHA-256 of the body; S3 presigned URLs use ``UNSIGNED-PAYLOAD`` (or their ``X-Amz-Content-Sha256`` query
  parameter); other presigned requests hash the (normally empty) body.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache
from urllib.parse import quote, unquote_plus

from rootplane.wire.http import HttpRequest

from .signed import ALGORITHM, EMPTY_SHA256, SignedRequest, fmt_amz

__all__ = [
    "canonical_headers",
    "canonical_query_string",
    "canonical_request",
    "canonical_uri",
    "hmac_sha256",
    "payload_hash",
    "signature",
    "signing_key",
    "string_to_sign",
]

_UNRESERVED = re.compile(r"[A-Za-z0-9\-_.~]*")
_PLAIN_PATH = re.compile(r"(?:/[A-Za-z0-9\-_~]+(?:\.+[A-Za-z0-9\-_~]+)*)*/?")
_UNRESERVED_CHARS = "-_.~"


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """HMAC-SHA256. Not ``hmac.digest``: that one-shot C call lets go of the GIL whatever the message's size, and on a
    busy server taking it back from another thread (the CloudTrail writer's) costs ten times the HMAC itself."""
    return hmac.new(key, message, hashlib.sha256).digest()


@lru_cache(maxsize=4096)
def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request"); LRU-cached."""
    k = hmac_sha256(("AWS4" + secret).encode("utf-8"), date.encode("utf-8"))
    k = hmac_sha256(k, region.encode("utf-8"))
    k = hmac_sha256(k, service.encode("utf-8"))
    return hmac_sha256(k, b"aws4_request")


@lru_cache(maxsize=4096)
def _keyed(secret: str, date: str, region: str, service: str) -> hmac.HMAC:
    return hmac.new(signing_key(secret, date, region, service), digestmod=hashlib.sha256)


def signature(secret: str, date: str, region: str, service: str, string_to_sign: str) -> str:
    """The hex SigV4 signature of ``string_to_sign``: HMAC(kSigning, it), from a copy of an HMAC already keyed with
    kSigning (LRU-cached per scope: a copy costs less than keying a new one)."""
    mac = _keyed(secret, date, region, service).copy()
    mac.update(string_to_sign.encode("utf-8"))
    return mac.hexdigest()


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
    return f"{ALGORITHM}\n{signed.amz_date or fmt_amz(signed.date)}\n{signed.credential_scope}\n{digest}"


