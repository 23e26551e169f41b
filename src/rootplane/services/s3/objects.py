"""Object bodies and headers: ETags, checksums, size limits and the shapes Get/HeadObject return."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.s3 import checksums
from rootplane.services.s3.encryption import Encryption, stored_encryption
from rootplane.services.s3.repo import ObjectVersion
from rootplane.services.s3.tables import ObjectRow
from rootplane.services.s3.tag_sets import stored_tags

__all__ = ["MAX_OBJECT_BYTES", "STORED_HEADERS", "upload_body", "attributes_of", "new_object",
           "stored_attributes", "object_headers", "storage_class", "part_span"]

MAX_OBJECT_BYTES = 64 * 1024 * 1024
DEFAULT_CONTENT_TYPE = "binary/octet-stream"
STANDARD = "STANDARD"
# Content headers S3 stores with an object and returns on Get/HeadObject.
STORED_HEADERS = ("CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage", "Expires",
                  "WebsiteRedirectLocation")
_RESPONSE_OVERRIDES = {
    "ResponseCacheControl": "CacheControl", "ResponseContentDisposition": "ContentDisposition",
    "ResponseContentEncoding": "ContentEncoding", "ResponseContentLanguage": "ContentLanguage",
    "ResponseContentType": "ContentType", "ResponseExpires": "Expires",
}


def upload_body(params: dict[str, Any]) -> tuple[dict[str, Any], bytes, dict[str, str]]:
    """(params, the body, the verified checksum members sent with it).

    aws-chunked bodies arrive decoded, their trailing checksums as members (gateway/authenticate unchunks them)."""
    body = params.get("Body") or b""
    checksums.check_content_md5(params, body)
    return params, body, checksums.verify_sent(params, body)


def attributes_of(params: dict[str, Any]) -> dict[str, Any]:
    """The stored attributes of a new object: ContentType, content headers and user Metadata (JSON-ready)."""
    attributes: dict[str, Any] = {name: params[name] for name in STORED_HEADERS if params.get(name) is not None}
    if isinstance(attributes.get("Expires"), _dt.datetime):
        attributes["Expires"] = attributes["Expires"].isoformat()
    attributes["ContentType"] = params.get("ContentType") or DEFAULT_CONTENT_TYPE
    attributes["Metadata"] = params.get("Metadata") or {}
    if params.get("StorageClass") not in (None, STANDARD):  # S3 shows no class header for STANDARD objects
        attributes["StorageClass"] = params["StorageClass"]
    return attributes


def storage_class(row: ObjectVersion) -> str:
    """The object's storage class (listings show STANDARD too)."""
    return json.loads(row.headers_json).get("StorageClass", STANDARD)


def part_span(row: ObjectVersion, number: int) -> tuple[int, int]:
    """The inclusive bytes of part ``number`` (an object not uploaded in parts is its part 1); 416 beyond."""
    sizes = json.loads(row.part_sizes) if row.part_sizes else [row.size]
    if not 1 <= number <= len(sizes):
        raise AwsError("InvalidPartNumber", "The requested partnumber is not satisfiable", 416,
                       fields={"PartNumberRequested": number, "ActualPartCount": len(sizes)})
    first = sum(sizes[:number - 1])
    return first, first + sizes[number - 1] - 1


def new_object(bucket: str, key: str, body: bytes, attributes: dict[str, Any], now: _dt.datetime, *,
               etag: str | None = None, checksum: dict[str, str] | None = None,
               part_sizes: list[int] | None = None, tags: list[dict[str, str]] | None = None,
               acl: dict[str, Any] | None = None, lock: dict[str, Any] | None = None,
               encryption: Encryption | None = None) -> ObjectRow:
    """A row for a new object with ``attributes`` (from :func:`attributes_of`), its tag set, ACL, Object Lock and
    server-side encryption (None: SSE-S3, as every object is encrypted at rest)."""
    if len(body) > MAX_OBJECT_BYTES:
        raise AwsError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400,
                       fields={"ProposedSize": len(body), "MaxSizeAllowed": MAX_OBJECT_BYTES})
    headers = {name: attributes[name] for name in (*STORED_HEADERS, "StorageClass") if attributes.get(name) is not None}
    return ObjectRow(
        bucket=bucket, key=key, body=body, size=len(body),
        etag=etag or f'"{hashlib.md5(body).hexdigest()}"',  # noqa: S324 - S3's ETag
        last_modified=now.replace(microsecond=0), content_type=attributes.get("ContentType") or DEFAULT_CONTENT_TYPE,
        metadata_json=json.dumps(attributes.get("Metadata") or {}), headers_json=json.dumps(headers),
        checksum_json=json.dumps(checksum or {}), parts_count=len(part_sizes) if part_sizes else None,
        part_sizes=json.dumps(part_sizes) if part_sizes else None, tags_json=json.dumps(tags) if tags else None,
        acl_json=json.dumps(acl) if acl else None, lock_json=json.dumps(lock) if lock else None,
        encryption_json=encryption.stored() if encryption is not None else None,
    )


def stored_attributes(row: ObjectVersion) -> dict[str, Any]:
    """The attributes an object was stored with (what CopyObject's COPY directive carries over)."""
    return {**json.loads(row.headers_json), "ContentType": row.content_type, "Metadata": json.loads(row.metadata_json)}


def object_attributes(row: ObjectVersion, wanted: list[str]) -> dict[str, Any]:
    """GetObjectAttributes' output: LastModified, then only the attributes asked for (ETag without its quotes,
    as S3 answers it; ObjectParts only for an object made by a multipart upload)."""
    output: dict[str, Any] = {"LastModified": row.last_modified}
    if "ETag" in wanted:
        output["ETag"] = row.etag.strip('"')
    checksums = json.loads(row.checksum_json or "{}")
    if "Checksum" in wanted and checksums:
        output["Checksum"] = checksums
    if "ObjectParts" in wanted and row.parts_count:
        output["ObjectParts"] = {"TotalPartsCount": row.parts_count}
    if "StorageClass" in wanted:
        output["StorageClass"] = storage_class(row)
    if "ObjectSize" in wanted:
        output["ObjectSize"] = row.size
    return output


def _lock_headers(lock: dict[str, Any]) -> dict[str, Any]:
    """The ObjectLock* members of GetObject and HeadObject for a version's Object Lock state."""
    output: dict[str, Any] = {"ObjectLockLegalHoldStatus": lock["LegalHold"]} if "LegalHold" in lock else {}
    if "Mode" in lock:
        output.update(ObjectLockMode=lock["Mode"],
                      ObjectLockRetainUntilDate=_dt.datetime.fromisoformat(lock["RetainUntilDate"]))
    return output


def object_headers(row: ObjectVersion, params: dict[str, Any]) -> dict[str, Any]:
    """The GetObject/HeadObject output members (everything but the body)."""
    output: dict[str, Any] = {
        "AcceptRanges": "bytes", "LastModified": row.last_modified, "ContentLength": row.size, "ETag": row.etag,
        "ContentType": row.content_type, **json.loads(row.headers_json),
        **stored_encryption(row.encryption_json).output(),
    }
    if isinstance(output.get("Expires"), str):
        output["Expires"] = _dt.datetime.fromisoformat(output["Expires"])
    metadata = json.loads(row.metadata_json)
    if metadata:
        output["Metadata"] = metadata
    if params.get("ChecksumMode") == "ENABLED":
        output.update(json.loads(row.checksum_json or "{}"))
    if row.tags_json:
        output["TagCount"] = len(stored_tags(row.tags_json))
    if row.lock_json:
        output.update(_lock_headers(json.loads(row.lock_json)))
    if row.parts_count and params.get("PartNumber"):
        output["PartsCount"] = row.parts_count
    for param, member in _RESPONSE_OVERRIDES.items():
        if params.get(param) is not None:
            output[member] = params[param]
    return output
