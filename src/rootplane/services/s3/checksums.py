"""Object checksums: the algorithms S3 accepts, verification of sent values and multipart combinations."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from collections.abc import Callable, Iterable
from typing import Any

from rootplane.core.errors import AwsError

__all__ = ["ALGORITHMS", "member_of", "digest", "verify_sent", "check_content_md5", "composite", "full_object",
           "copy_checksum"]

# Algorithm -> function over the bytes (None: accepted and echoed, not verified: needs a native CRC library).
ALGORITHMS: dict[str, Callable[[bytes], bytes] | None] = {
    "CRC32": lambda data: zlib.crc32(data).to_bytes(4, "big"),
    "CRC32C": None,
    "CRC64NVME": None,
    "SHA1": lambda data: hashlib.sha1(data).digest(),
    "SHA256": lambda data: hashlib.sha256(data).digest(),
    "SHA512": lambda data: hashlib.sha512(data).digest(),
    "MD5": lambda data: hashlib.md5(data).digest(),  # noqa: S324 - the wire format
    "XXHASH64": None,
    "XXHASH3": None,
    "XXHASH128": None,
}
_CRC = frozenset({"CRC32", "CRC32C", "CRC64NVME"})


def member_of(algorithm: str) -> str:
    """The output/input member carrying ``algorithm``'s value (``ChecksumCRC32``)."""
    return f"Checksum{algorithm}"


def digest(algorithm: str, data: bytes) -> str | None:
    """Base64 checksum of ``data``; None when the algorithm is not computable here."""
    function = ALGORITHMS.get(algorithm)
    return base64.b64encode(function(data)).decode() if function else None


def verify_sent(params: dict[str, Any], body: bytes) -> dict[str, str]:
    """Check every ``Checksum*`` member sent with the body; returns {member: value} for the ones sent."""
    sent: dict[str, str] = {}
    for algorithm in ALGORITHMS:
        value = params.get(member_of(algorithm))
        if value is None:
            continue
        expected = digest(algorithm, body)
        if expected is not None and expected != value:
            raise AwsError("BadDigest", f"The {algorithm} you specified did not match the calculated checksum.", 400)
        sent[member_of(algorithm)] = value
    return sent


def check_content_md5(params: dict[str, Any], body: bytes) -> None:
    """Verify Content-MD5 when sent (InvalidDigest / BadDigest like S3)."""
    md5 = params.get("ContentMD5")
    if md5 is None:
        return
    try:
        expected = base64.b64decode(md5, validate=True)
    except (binascii.Error, ValueError):
        expected = b""
    if len(expected) != 16:
        raise AwsError("InvalidDigest", "The Content-MD5 you specified was invalid.", 400, fields={"Content-MD5": md5})
    actual = hashlib.md5(body).digest()  # noqa: S324 - the wire format
    if expected != actual:
        raise AwsError("BadDigest", "The Content-MD5 you specified did not match what we received.", 400,
                       fields={"ExpectedDigest": md5, "CalculatedDigest": base64.b64encode(actual).decode()})


def composite(algorithm: str, part_values: Iterable[str]) -> str | None:
    """A COMPOSITE multipart checksum: the checksum of the parts' raw checksums, then ``-<count>``."""
    function = ALGORITHMS.get(algorithm)
    values = list(part_values)
    if function is None:
        return None
    raw = b"".join(base64.b64decode(value) for value in values)
    return f"{base64.b64encode(function(raw)).decode()}-{len(values)}"


def full_object(algorithm: str, body: bytes) -> str | None:
    """A FULL_OBJECT multipart checksum (CRC algorithms only): the checksum of the whole object."""
    return digest(algorithm, body) if algorithm in _CRC else None


def copy_checksum(source: Any, algorithm: str | None) -> dict[str, str]:
    """A copy's checksum: the requested algorithm, else the source's, over the copied bytes (a FULL_OBJECT checksum
    even when the source's was a multipart COMPOSITE one); none when neither names an algorithm."""
    if algorithm is None:
        stored = json.loads(source.checksum_json or "{}")
        algorithm = next((name[len("Checksum"):] for name in stored if name.startswith("Checksum") and
                          name != "ChecksumType"), None)
    value = digest(algorithm, source.body) if algorithm else None
    return {member_of(algorithm): value, "ChecksumType": "FULL_OBJECT"} if value else {}
