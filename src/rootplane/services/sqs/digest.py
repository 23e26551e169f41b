"""The MD5 digests SQS returns (and SDKs verify): message body and message attributes."""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any

__all__ = ["md5_of_body", "md5_of_attributes"]

_STRING, _BINARY = 1, 2


def md5_of_body(body: str) -> str:
    return hashlib.md5(body.encode("utf-8")).hexdigest()


def _length_prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def md5_of_attributes(attributes: dict[str, dict[str, Any]]) -> str | None:
    """AWS's algorithm: for each name in order, length-prefixed name, type, transport byte and value.

    Values are stored as the wire sends them: ``StringValue`` text or ``BinaryValue`` base64 text.
    """
    if not attributes:
        return None
    digest = hashlib.md5()
    for name in sorted(attributes):
        attribute = attributes[name]
        digest.update(_length_prefixed(name.encode("utf-8")))
        digest.update(_length_prefixed(attribute["DataType"].encode("utf-8")))
        if attribute.get("BinaryValue") is not None:
            digest.update(bytes([_BINARY]))
            digest.update(_length_prefixed(base64.b64decode(attribute["BinaryValue"])))
        else:
            digest.update(bytes([_STRING]))
            digest.update(_length_prefixed(attribute["StringValue"].encode("utf-8")))
    return digest.hexdigest()
