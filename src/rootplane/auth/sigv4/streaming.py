"""S3 streaming uploads (``Content-Encoding: aws-chunked``): verify every chunk signature and decode the body.

``x-amz-content-sha256`` names the framing (AWS "Signature Calculations for the Authorization Header:
Transferring Payload in Multiple Chunks"):

* ``STREAMING-AWS4-HMAC-SHA256-PAYLOAD``: ``hex-size;chunk-signature=sig\\r\\n data \\r\\n`` ... ending with a
  0-size chunk; each signature chains on the previous one (the first on the request's seed signature).
* ``STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER``: the same, then trailing headers and ``x-amz-trailer-signature``.
* ``STREAMING-UNSIGNED-PAYLOAD-TRAILER``: ``hex-size\\r\\n data \\r\\n`` ... ``0\\r\\n`` then trailing headers.

Only the ``-TRAILER`` variants carry trailing headers, and only those the signed ``x-amz-trailer`` header
declares (S3 ``MalformedTrailerError`` otherwise): lines after the last chunk of a plain signed stream are no
one's headers.

:func:`unchunk_request` turns such a request into a plain one: the decoded body, trailing headers (checksums)
as ordinary headers, ``aws-chunked`` removed from Content-Encoding. Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from rootplane.core.errors import AwsError
from rootplane.wire.http import HttpRequest

from .canonical import hmac_sha256, signing_key
from .signed import ALGORITHM, EMPTY_SHA256, SignedRequest

__all__ = ["STREAMING_PAYLOADS", "DecodedBody", "decode_aws_chunked", "decode_unsigned_trailer", "unchunk_request"]

_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
#: ``x-amz-content-sha256`` values whose body is aws-chunked framing this module decodes.
STREAMING_PAYLOADS = frozenset({_SIGNED, _SIGNED_TRAILER, _UNSIGNED_TRAILER})
_MAX_HEADER_LINE = 4096
_S3_SIG_MESSAGE = (
    "The request signature we calculated does not match the signature you provided. Check your key and "
    "signing method."
)


@dataclass
class DecodedBody:
    """The payload carried by an aws-chunked body and its trailing headers (lower-case names)."""

    data: bytes
    trailers: dict[str, str] = field(default_factory=dict)


def _incomplete() -> AwsError:
    return AwsError("IncompleteBody", "The request body terminated unexpectedly", 400)


def _malformed_trailer() -> AwsError:
    return AwsError(
        "MalformedTrailerError",
        "The request contained trailing data that was not well-formed or did not conform to our published schema.",
        400,
    )


def _check_declared(request: HttpRequest, trailers: dict[str, str]) -> None:
    """The trailing headers must be exactly those ``x-amz-trailer`` declares."""
    declared = {name.strip().lower() for name in request.headers.get("x-amz-trailer", "").split(",") if name.strip()}
    if set(trailers) != declared:
        raise _malformed_trailer()


def _mismatch() -> AwsError:
    return AwsError("SignatureDoesNotMatch", _S3_SIG_MESSAGE, 403)


class _Reader:
    """Sequential reads over the raw body, each failure an ``IncompleteBody``."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.position = 0

    def line(self) -> bytes:
        end = self.raw.find(b"\r\n", self.position, self.position + _MAX_HEADER_LINE)
        if end < 0:
            raise _incomplete()
        text = self.raw[self.position : end]
        self.position = end + 2
        return text

    def take(self, size: int) -> bytes:
        end = self.position + size
        if end + 2 > len(self.raw) or self.raw[end : end + 2] != b"\r\n":
            raise _incomplete()
        data = self.raw[self.position : end]
        self.position = end + 2
        return data


def _chunk_header(line: bytes, signed: bool) -> tuple[int, str | None]:
    size_text, _, extension = line.partition(b";")
    try:
        size = int(size_text.strip(), 16)
    except ValueError:
        raise _incomplete() from None
    if size < 0:
        raise _incomplete()
    if not signed:
        return size, None
    name, _, signature = extension.partition(b"=")
    if name.strip() != b"chunk-signature" or not signature:
        raise _incomplete()
    return size, signature.strip().decode("ascii", "replace")


def _trailers(reader: _Reader) -> dict[str, str]:
    trailers: dict[str, str] = {}
    while True:
        line = reader.line()
        if not line:
            return trailers
        name, sep, value = line.partition(b":")
        if not sep:
            raise _incomplete()
        trailers[name.strip().decode("latin-1").lower()] = value.strip().decode("latin-1")


def _read(raw: bytes, chain: _SignatureChain | None) -> DecodedBody:
    reader = _Reader(raw)
    data = bytearray()
    while True:
        size, signature = _chunk_header(reader.line(), chain is not None)
        chunk = reader.take(size) if size else b""
        if chain is not None:
            chain.check_chunk(chunk, signature or "")
        data += chunk
        if size == 0:
            break
    if raw[reader.position :] in (b"", b"\r\n"):
        return DecodedBody(bytes(data))  # no trailer (a signed body ends with the final chunk's empty line)
    trailers = _trailers(reader)
    if reader.position != len(raw):
        raise _malformed_trailer()  # nothing may follow the trailer section
    return DecodedBody(bytes(data), trailers)


class _SignatureChain:
    """Chunk and trailer signatures, each signing the previous one (the seed is the request signature)."""

    def __init__(self, signed: SignedRequest, secret_access_key: str) -> None:
        self.key = signing_key(secret_access_key, signed.scope_date, signed.region, signed.service)
        self.prefix = f"{signed.amz_date}\n{signed.credential_scope}\n"
        self.previous = signed.signature

    def _check(self, string_to_sign: str, provided: str) -> None:
        expected = hmac_sha256(self.key, string_to_sign.encode("utf-8")).hex()
        if not hmac.compare_digest(expected.encode("ascii"), provided.encode("utf-8", "surrogateescape")):
            raise _mismatch()
        self.previous = expected

    def check_chunk(self, chunk: bytes, provided: str) -> None:
        digest = hashlib.sha256(chunk).hexdigest()
        self._check(f"{ALGORITHM}-PAYLOAD\n{self.prefix}{self.previous}\n{EMPTY_SHA256}\n{digest}", provided)

    def check_trailer(self, trailers: dict[str, str], provided: str) -> None:
        text = "".join(f"{name}:{value}\n" for name, value in trailers.items())
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        self._check(f"{ALGORITHM}-TRAILER\n{self.prefix}{self.previous}\n{digest}", provided)


def decode_aws_chunked(request: HttpRequest, signed: SignedRequest, secret_access_key: str) -> DecodedBody:
    """Decode a signed streaming body, verifying every chunk (and trailer) signature in order.

    Raises ``SignatureDoesNotMatch`` (403) for a wrong signature, ``IncompleteBody`` (400) for broken framing
    or a decoded size other than ``x-amz-decoded-content-length``, ``MalformedTrailerError`` (400) for trailing
    headers the payload type or ``x-amz-trailer`` does not allow.
    """
    chain = _SignatureChain(signed, secret_access_key)
    decoded = _read(request.body, chain)
    if signed.payload_hash == _SIGNED_TRAILER:
        provided = decoded.trailers.pop("x-amz-trailer-signature", None)
        if provided is None:
            raise _incomplete()
        chain.check_trailer(decoded.trailers, provided)
        _check_declared(request, decoded.trailers)
    elif decoded.trailers:
        raise _malformed_trailer()
    _check_length(request, decoded)
    return decoded


def decode_unsigned_trailer(request: HttpRequest) -> DecodedBody:
    """Decode a ``STREAMING-UNSIGNED-PAYLOAD-TRAILER`` body (no chunk signatures)."""
    decoded = _read(request.body, None)
    _check_declared(request, decoded.trailers)
    _check_length(request, decoded)
    return decoded


def _check_length(request: HttpRequest, decoded: DecodedBody) -> None:
    declared = request.headers.get("x-amz-decoded-content-length")
    if declared is not None and declared.strip() != str(len(decoded.data)):
        raise _incomplete()


def unchunk_request(request: HttpRequest, signed: SignedRequest, secret_access_key: str) -> None:
    """Replace a verified streaming request's body by its payload, in place.

    Trailing headers (``x-amz-checksum-*``) become headers, ``aws-chunked`` leaves Content-Encoding and
    Content-Length becomes the payload's. Requests that are not streaming uploads are left alone.
    """
    if signed.payload_hash not in STREAMING_PAYLOADS:
        return
    if signed.payload_hash == _UNSIGNED_TRAILER:
        decoded = decode_unsigned_trailer(request)
    else:
        decoded = decode_aws_chunked(request, signed, secret_access_key)
    headers = request.headers
    for name, value in decoded.trailers.items():
        headers.setdefault(name, value)
    codings = [item.strip() for item in headers.get("content-encoding", "").split(",")]
    kept = [item for item in codings if item and item.lower() != "aws-chunked"]
    if kept:
        headers["content-encoding"] = ", ".join(kept)
    else:
        headers.pop("content-encoding", None)
    headers["content-length"] = str(len(decoded.data))
    request.body = decoded.data
