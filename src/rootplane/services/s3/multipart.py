"""Multipart uploads: create, upload (and copy) parts, list, complete with S3's ``"<md5-of-md5s>-N"`` ETag, abort."""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any
from urllib.parse import quote

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.s3 import checksums, repo
from rootplane.services.s3.acls import new_object_acl
from rootplane.services.s3.authz import object_check
from rootplane.services.s3.conditions import byte_range, check_write_preconditions
from rootplane.services.s3.listing import MAX_LIST, page_size, url_encode
from rootplane.services.s3.lookup import bucket_view_of, copied_object, copy_source
from rootplane.services.s3.names import canonical_user_id
from rootplane.services.s3.encryption import Encryption, check_readable, for_write, stored_encryption
from rootplane.services.s3.objects import attributes_of, new_object, upload_body
from rootplane.services.s3.tables import PartRow, UploadRow
from rootplane.services.s3.object_lock import new_lock
from rootplane.services.s3.tag_sets import check_object_tags, header_tags
from rootplane.services.s3.versions import current_for_write, store_version, version_output
from rootplane.wire.validate import MALFORMED_XML

__all__ = ["MultipartOperations", "MIN_PART_BYTES", "MAX_PART_NUMBER"]

MIN_PART_BYTES = 5 * 1024 * 1024
MAX_PART_NUMBER = 10000


def _no_such_upload(upload_id: str) -> AwsError:
    return AwsError("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload "
                    "may have been aborted or completed.", 404, fields={"UploadId": upload_id})


def _upload(ctx: RequestContext, params: dict[str, Any], lock: str | None = None) -> UploadRow:
    """The open upload the request names (``lock``: as ``repo.find_upload``'s); NoSuchUpload otherwise."""
    bucket = bucket_view_of(ctx, params)
    row = repo.find_upload(ctx.session, params["UploadId"], lock=lock)
    if row is None or row.bucket != bucket.name or row.key != params["Key"] or row.completed_json is not None:
        raise _no_such_upload(params["UploadId"])
    return row


def _completed_again(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any] | None:
    """A retried CompleteMultipartUpload: S3 answers as the first time while the object it made is current."""
    row = repo.find_upload(ctx.session, params["UploadId"])
    if row is None or row.completed_json is None or (row.bucket, row.key) != (params["Bucket"], params["Key"]):
        return None
    answer = json.loads(row.completed_json)
    current = repo.find_object(ctx.session, row.bucket, row.key)
    return answer if current is not None and current.etag == answer["ETag"] else None


def _encryption(ctx: RequestContext, upload: UploadRow) -> Encryption:
    """The encryption of an upload's parts: S3 decrypts the data key made at CreateMultipartUpload for each part, so
    an SSE-KMS upload's parts need kms:Decrypt on its key (CreateMultipartUpload's documentation)."""
    stored = json.loads(upload.attributes_json).get("Encryption")
    check_readable(ctx, stored)
    return stored_encryption(stored)


def _part_checksum(upload: UploadRow, body: bytes) -> dict[str, str]:
    """The part's checksum in the upload's algorithm (an upload created with one checksums every part)."""
    value = checksums.digest(upload.checksum_algorithm, body) if upload.checksum_algorithm else None
    return {checksums.member_of(upload.checksum_algorithm): value} if value else {}


def _part_number(params: dict[str, Any]) -> int:
    number = params["PartNumber"]
    if not 1 <= number <= MAX_PART_NUMBER:
        raise AwsError("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", 400,
                       fields={"ArgumentName": "partNumber", "ArgumentValue": str(number)})
    return number


def _people(row: UploadRow, owner_account: str) -> dict[str, Any]:
    return {"Initiator": {"ID": row.initiator_id, "DisplayName": row.initiator_arn.rsplit(":", 1)[-1]},
            "Owner": {"ID": canonical_user_id(owner_account)}, "StorageClass": "STANDARD"}


def _invalid_part(upload_id: str, number: int, etag: str) -> AwsError:
    return AwsError("InvalidPart", "One or more of the specified parts could not be found.  The part may not have been "
                    "uploaded, or the specified entity tag may not match the part's entity tag.", 400,
                    fields={"UploadId": upload_id, "PartNumber": number, "ETag": etag})


def _object_checksum(upload: UploadRow, parts: list[PartRow], body: bytes) -> dict[str, str]:
    """The completed object's checksum members: COMPOSITE over part checksums, or FULL_OBJECT when asked."""
    algorithm = upload.checksum_algorithm
    if not algorithm:
        return {}
    kind = json.loads(upload.attributes_json).get("ChecksumType") or "COMPOSITE"
    if kind == "FULL_OBJECT":
        value = checksums.full_object(algorithm, body)
    else:
        values = [json.loads(part.checksum_json).get(checksums.member_of(algorithm)) for part in parts]
        value = checksums.composite(algorithm, values) if all(values) else None
    return {checksums.member_of(algorithm): value, "ChecksumType": kind} if value else {}


class MultipartOperations:
    """The multipart upload operations of the S3 provider."""

    def create_multipart_upload(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_view_of(ctx, params)
        attributes = attributes_of(params)
        if params.get("ChecksumType"):
            attributes["ChecksumType"] = params["ChecksumType"]
        tags = check_object_tags(header_tags(params.get("Tagging")))
        if tags:
            attributes["Tags"] = tags
        acl = new_object_acl(bucket, params, ctx.principal.account_id)
        if acl:
            attributes["Acl"] = acl
        lock = new_lock(ctx, bucket, params)
        if lock:
            attributes["Lock"] = lock
        encryption = for_write(ctx, bucket, params["Key"], params)
        if encryption.kms:
            attributes["Encryption"] = encryption.stored()
        upload_id = f"{int(ctx.now().timestamp() * 1000):013x}{secrets.token_hex(24)}"
        repo.put_upload(ctx.session, UploadRow(
            upload_id=upload_id, bucket=bucket.name, key=params["Key"], initiated=ctx.now(),
            initiator_arn=ctx.principal.arn, initiator_id=ctx.principal.user_id,
            checksum_algorithm=params.get("ChecksumAlgorithm"), attributes_json=json.dumps(attributes)))
        output: dict[str, Any] = {"Bucket": bucket.name, "Key": params["Key"], "UploadId": upload_id,
                                  **encryption.output(with_context=True)}
        if params.get("ChecksumAlgorithm"):
            output["ChecksumAlgorithm"] = params["ChecksumAlgorithm"]
            output["ChecksumType"] = params.get("ChecksumType") or "COMPOSITE"
        return output

    def upload_part(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        upload = _upload(ctx, params, lock="share")
        number = _part_number(params)
        encryption = _encryption(ctx, upload)
        params, body, sent = upload_body(params)
        sent = {**_part_checksum(upload, body), **sent}
        etag = f'"{hashlib.md5(body).hexdigest()}"'  # noqa: S324 - S3's ETag
        repo.put_part(ctx.session, PartRow(upload_id=upload.upload_id, part_number=number, body=body, size=len(body),
                                           etag=etag, last_modified=ctx.now().replace(microsecond=0),
                                           checksum_json=json.dumps(sent)))
        return {"ETag": etag, **sent, **encryption.output()}

    def upload_part_copy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        upload = _upload(ctx, params, lock="share")
        number = _part_number(params)
        source_bucket, source_key, source_version = copy_source(params["CopySource"])
        action = "s3:GetObject" if source_version is None else "s3:GetObjectVersion"
        ctx.authorizer(ctx, [object_check(ctx, action, source_bucket, source_key, source_version)])
        source = copied_object(ctx, source_bucket, source_key, source_version)
        check_readable(ctx, source.encryption_json)
        encryption = _encryption(ctx, upload)
        body = source.body
        span = byte_range(params.get("CopySourceRange"), source.size)
        if span is not None:
            body = body[span[0]:span[1] + 1]
        etag = f'"{hashlib.md5(body).hexdigest()}"'  # noqa: S324 - S3's ETag
        now = ctx.now().replace(microsecond=0)
        checksum = _part_checksum(upload, body)
        repo.put_part(ctx.session, PartRow(upload_id=upload.upload_id, part_number=number, body=body, size=len(body),
                                           etag=etag, last_modified=now, checksum_json=json.dumps(checksum)))
        return {"CopyPartResult": {"ETag": etag, "LastModified": now, **checksum}, **encryption.output()}

    def complete_multipart_upload(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        repo.find_upload(ctx.session, params["UploadId"], lock="update")  # a completion or abort racing this one first
        again = _completed_again(ctx, params)
        if again is not None:
            return again
        upload = _upload(ctx, params)
        requested = (params.get("MultipartUpload") or {}).get("Parts") or []
        if not requested:
            raise AwsError("MalformedXML", MALFORMED_XML, 400)
        numbers = [item.get("PartNumber", 0) for item in requested]
        if any(later <= earlier for earlier, later in zip(numbers, numbers[1:])):
            raise AwsError("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by "
                           "part number.", 400, fields={"UploadId": upload.upload_id})
        stored = repo.find_parts(ctx.session, upload.upload_id, numbers)
        parts: list[PartRow] = []
        for item in requested:
            part = stored.get(item.get("PartNumber", 0))
            etag = item.get("ETag") or ""
            if part is None or part.etag.strip('"') != etag.strip('"'):
                raise _invalid_part(upload.upload_id, item.get("PartNumber", 0), etag)
            parts.append(part)
        for part in parts[:-1]:
            if part.size < MIN_PART_BYTES:
                raise AwsError("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", 400,
                               fields={"ProposedSize": part.size, "MinSizeAllowed": MIN_PART_BYTES,
                                       "PartNumber": part.part_number, "ETag": part.etag.strip('"')})
        body = b"".join(part.body for part in parts)
        digest = hashlib.md5(b"".join(bytes.fromhex(part.etag.strip('"')) for part in parts)).hexdigest()  # noqa: S324
        etag = f'"{digest}-{len(parts)}"'
        checksum = _object_checksum(upload, parts, body)
        attributes = json.loads(upload.attributes_json)
        attributes.pop("ChecksumType", None)
        tags, acl, lock = attributes.pop("Tags", None), attributes.pop("Acl", None), attributes.pop("Lock", None)
        encryption = stored_encryption(attributes.pop("Encryption", None))
        bucket = bucket_view_of(ctx, params)
        check_write_preconditions(lambda: current_for_write(ctx.session, bucket.name, upload.key), params)
        stored = store_version(ctx.session, bucket, new_object(upload.bucket, upload.key, body, attributes, ctx.now(),
                                                               etag=etag, checksum=checksum,
                                                               part_sizes=[part.size for part in parts], tags=tags,
                                                               acl=acl, lock=lock, encryption=encryption))
        location = f"{ctx.config.endpoint.rstrip('/')}/{upload.bucket}/{quote(upload.key)}"
        answer = {"Location": location, "Bucket": upload.bucket, "Key": upload.key, "ETag": etag, **checksum,
                  **encryption.output(), **version_output(bucket, stored)}
        repo.complete_upload(ctx.session, upload, json.dumps(answer))
        return answer

    def abort_multipart_upload(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        repo.delete_upload(ctx.session, _upload(ctx, params, lock="update"))

    def list_parts(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        upload = _upload(ctx, params)
        limit = page_size(params, "MaxParts", "max-parts")
        marker = params.get("PartNumberMarker") or 0
        rows = repo.list_parts(ctx.session, upload.upload_id, marker, limit + 1)
        page = rows[:limit]
        output: dict[str, Any] = {
            "Bucket": upload.bucket, "Key": upload.key, "UploadId": upload.upload_id, "PartNumberMarker": marker,
            "MaxParts": params.get("MaxParts", MAX_LIST), "IsTruncated": len(rows) > limit,
            "Parts": [{"PartNumber": row.part_number, "LastModified": row.last_modified, "ETag": row.etag,
                       "Size": row.size, **json.loads(row.checksum_json)} for row in page],
            **_people(upload, bucket_view_of(ctx, params).account_id),
        }
        if page:
            output["NextPartNumberMarker"] = page[-1].part_number
        if upload.checksum_algorithm:
            output["ChecksumAlgorithm"] = upload.checksum_algorithm
        return output

    def list_multipart_uploads(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_view_of(ctx, params)
        limit = page_size(params, "MaxUploads", "max-uploads")
        prefix = params.get("Prefix") or ""
        rows = repo.list_uploads(ctx.session, bucket.name, prefix, params.get("KeyMarker") or "",
                                 params.get("UploadIdMarker") or "", limit + 1)
        page = rows[:limit]
        encode = url_encode if params.get("EncodingType") == "url" else (lambda text: text)
        output: dict[str, Any] = {
            "Bucket": bucket.name, "KeyMarker": encode(params.get("KeyMarker") or ""),
            "UploadIdMarker": params.get("UploadIdMarker") or "", "Prefix": encode(prefix),
            "MaxUploads": params.get("MaxUploads", MAX_LIST), "IsTruncated": len(rows) > limit,
            "Uploads": [{"UploadId": row.upload_id, "Key": encode(row.key), "Initiated": row.initiated,
                         **_people(row, bucket.account_id)} for row in page],
        }
        if len(rows) > limit and page:  # (max-uploads=0 asks for an empty, truncated page)
            output["NextKeyMarker"] = encode(page[-1].key)
            output["NextUploadIdMarker"] = page[-1].upload_id
        if params.get("EncodingType"):
            output["EncodingType"] = params["EncodingType"]
        return output
