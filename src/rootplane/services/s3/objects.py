"""Object bodies and headers: ETags, checksums, size limits and the shapes Get/HeadObject return."""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import hashlib
import json
import zlib
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.s3.tables import ObjectRow

__all__ = ["MAX_OBJECT_BYTES", "STORED_HEADERS", "new_object", "object_headers", "check_digests"]

MAX_OBJECT_BYTES = 16 * 1024 * 1024
DEFAULT_CONTENT_TYPE = "binary/octet-stream"
# Content headers S3 stores with an object and returns on Get/HeadObject.
STORED_HEADERS = ("CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage", "WebsiteRedirectLocation")
_RESPONSE_OVERRIDES = {
    "ResponseCacheControl": "CacheControl", "ResponseContentDisposition": "ContentDisposition",
    "ResponseContentEncoding": "ContentEncoding", "ResponseContentLanguage": "ContentLanguage",
    "ResponseContentType": "ContentType",
}


def _crc32(body: bytes) -> str:
    return base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()


def check_digests(params: dict[str, Any], body: bytes) -> dict[str, str]:
    """Verify Content-MD5 and a CRC32 checksum when sent; returns the checksum members to echo."""
    md5 = params.get("ContentMD5")
    if md5 is not None:
        try:
            expected = base64.b64decode(md5, validate=True)
        except (binascii.Error, ValueError):
            expected = b""
        if len(expected) != 16:
            raise AwsError("InvalidDigest", "The Content-MD5 you specified was invalid.", 400, fields={"Content-MD5": md5})
        if expected != hashlib.md5(body).digest():
            raise AwsError("BadDigest", "The Content-MD5 you specified did not match what we received.", 400,
                           fields={"ExpectedDigest": md5, "CalculatedDigest": base64.b64encode(hashlib.md5(body).digest()).decode()})
    crc = params.get("ChecksumCRC32")
    if crc is not None:
        if crc != _crc32(body):
            raise AwsError("BadDigest", "The CRC32 you specified did not match the calculated checksum.", 400)
        return {"ChecksumCRC32": crc}
    return {}


def new_object(bucket: str, key: str, body: bytes, params: dict[str, Any], now: _dt.datetime) -> ObjectRow:
    """A row for a PutObject/CopyObject with ``params``' content headers and metadata."""
    if len(body) > MAX_OBJECT_BYTES:
        raise AwsError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400,
                       fields={"ProposedSize": len(body), "MaxSizeAllowed": MAX_OBJECT_BYTES})
    headers = {name: params[name] for name in STORED_HEADERS if params.get(name) is not None}
    return ObjectRow(
        bucket=bucket, key=key, body=body, size=len(body), etag=f'"{hashlib.md5(body).hexdigest()}"',
        last_modified=now.replace(microsecond=0), content_type=params.get("ContentType") or DEFAULT_CONTENT_TYPE,
        metadata_json=json.dumps(params.get("Metadata") or {}), headers_json=json.dumps(headers),
    )


def object_headers(row: ObjectRow, params: dict[str, Any]) -> dict[str, Any]:
    """The GetObject/HeadObject output members (everything but the body)."""
    output: dict[str, Any] = {
        "AcceptRanges": "bytes", "LastModified": row.last_modified, "ContentLength": row.size, "ETag": row.etag,
        "ContentType": row.content_type, **json.loads(row.headers_json),
    }
    metadata = json.loads(row.metadata_json)
    if metadata:
        output["Metadata"] = metadata
    for param, member in _RESPONSE_OVERRIDES.items():
        if params.get(param) is not None:
            output[member] = params[param]
    return output
