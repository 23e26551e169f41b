"""``aws-chunked`` request bodies (streaming SigV4 uploads): chunk decoding and trailing checksum headers."""

from __future__ import annotations

from typing import Any

from rootplane.core.errors import AwsError

__all__ = ["is_chunked", "decode_chunked"]

_ENCODING = "aws-chunked"


def is_chunked(params: dict[str, Any]) -> bool:
    """True when the body was sent with ``Content-Encoding: aws-chunked``."""
    encodings = [item.strip().lower() for item in (params.get("ContentEncoding") or "").split(",")]
    return _ENCODING in encodings


def _incomplete() -> AwsError:
    return AwsError("IncompleteBody", "The request body terminated unexpectedly", 400)


def _trailers(text: bytes) -> dict[str, str]:
    trailers: dict[str, str] = {}
    for line in text.split(b"\r\n"):
        name, sep, value = line.partition(b":")
        if sep:
            trailers[name.strip().decode("latin-1").lower()] = value.strip().decode("latin-1")
    return trailers


def decode_chunked(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with Body decoded, ``aws-chunked`` dropped from ContentEncoding and trailing checksums as members.

    Chunk signatures (``;chunk-signature=``) are not re-verified: the seed signature was.
    """
    raw = params.get("Body") or b""
    body = bytearray()
    position = 0
    while True:
        end = raw.find(b"\r\n", position)
        if end < 0:
            raise _incomplete()
        size_text = raw[position:end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise _incomplete() from None
        position = end + 2
        if size == 0:
            break
        if position + size > len(raw):
            raise _incomplete()
        body += raw[position:position + size]
        position += size
        if raw[position:position + 2] == b"\r\n":
            position += 2
    decoded = {**params, "Body": bytes(body)}
    encodings = [item.strip() for item in params["ContentEncoding"].split(",") if item.strip().lower() != _ENCODING]
    if encodings:
        decoded["ContentEncoding"] = ",".join(encodings)
    else:
        decoded.pop("ContentEncoding")
    for name, value in _trailers(raw[position:]).items():
        if name.startswith("x-amz-checksum-"):
            decoded[f"Checksum{name[len('x-amz-checksum-'):].upper()}"] = value
    return decoded
