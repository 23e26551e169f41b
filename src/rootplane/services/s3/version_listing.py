"""ListObjectVersions: every version and delete marker in (key, newest first) order, grouped by delimiter, paged
with the two markers S3 uses (KeyMarker, VersionIdMarker) in O(page) seeks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.s3 import listing, repo
from rootplane.services.s3.lookup import bucket_view_of
from rootplane.services.s3.acls import owner_of
from rootplane.services.s3.names import canonical_user_id
from rootplane.services.s3.objects import storage_class
from rootplane.services.s3.tables import ObjectRow

__all__ = ["VersionListingOperations", "VersionPage", "list_versions_page"]

_DELIMITED_BATCH = 50


@dataclass
class VersionPage:
    """One page: versions and delete markers (in order), common prefixes, and whether more follow."""

    rows: list[ObjectRow] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    truncated: bool = False
    last_prefix: bool = False  # the page ended on a common prefix (NextKeyMarker is that prefix)


def list_versions_page(session: Session, bucket: str, prefix: str, delimiter: str,
                       start: tuple[str, bool, int | None], max_keys: int) -> VersionPage:
    """Walk versions from ``start`` = (key, inclusive, older than seq); a common prefix counts as one entry and
    is skipped with one seek."""
    page = VersionPage()
    position = start
    while len(page.rows) + len(page.prefixes) < max_keys:
        wanted = max_keys - len(page.rows) - len(page.prefixes)
        if delimiter:
            wanted = min(wanted, _DELIMITED_BATCH)
        rows = repo.list_versions_from(session, bucket, *position, prefix, wanted)
        if not rows:
            return page
        for row in rows:
            cut = row.key.find(delimiter, len(prefix)) if delimiter else -1
            if cut >= 0:
                common = row.key[:cut + len(delimiter)]
                page.prefixes.append(common)
                page.last_prefix = True
                position = (repo.successor(common), True, None)
                break
            page.rows.append(row)
            page.last_prefix = False
            position = (row.key, False, row.seq)
        else:
            if len(rows) < wanted:
                return page
    page.truncated = bool(repo.list_versions_from(session, bucket, *position, prefix, 1))
    return page


def _start(ctx: RequestContext, bucket: str, prefix: str, delimiter: str, key_marker: str,
           version_marker: str) -> tuple[str, bool, int | None]:
    """Where a page starts: after KeyMarker's versions, or after VersionIdMarker's version of KeyMarker."""
    if version_marker and not key_marker:
        raise AwsError("InvalidArgument", "A version-id marker cannot be specified without a key marker.", 400,
                       fields={"ArgumentName": "version-id-marker", "ArgumentValue": version_marker})
    if version_marker:
        row = repo.find_version(ctx.session, bucket, key_marker, version_marker)
        if row is None:
            raise AwsError("InvalidArgument", "Invalid version id specified", 400,
                           fields={"ArgumentName": "version-id-marker", "ArgumentValue": version_marker})
        return key_marker, False, row.seq
    if delimiter and key_marker.startswith(prefix) and key_marker.endswith(delimiter) and len(key_marker) > len(prefix):
        return repo.successor(key_marker), True, None  # a NextKeyMarker naming a common prefix skips all of it
    return key_marker, False, None


class VersionListingOperations:
    """ListObjectVersions of the S3 provider."""

    def list_object_versions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = bucket_view_of(ctx, params)
        prefix = params.get("Prefix") or ""
        delimiter = params.get("Delimiter") or ""
        key_marker = params.get("KeyMarker") or ""
        version_marker = params.get("VersionIdMarker") or ""
        start = _start(ctx, row.name, prefix, delimiter, key_marker, version_marker)
        page = list_versions_page(ctx.session, row.name, prefix, delimiter, start,
                                  listing.page_size(params, "MaxKeys", "max-keys"))
        encode = listing.url_encode if params.get("EncodingType") == "url" else (lambda text: text)
        owner = {"ID": canonical_user_id(row.account_id)}
        output: dict[str, Any] = {
            "Name": row.name, "Prefix": encode(prefix), "KeyMarker": encode(key_marker),
            "VersionIdMarker": version_marker, "MaxKeys": params.get("MaxKeys", listing.MAX_LIST),
            "IsTruncated": page.truncated,
        }
        objects = [version for version in page.rows if not version.delete_marker]
        markers = [version for version in page.rows if version.delete_marker]
        if objects:
            output["Versions"] = [{"ETag": version.etag, "Size": version.size, "StorageClass": storage_class(version),
                                   "Key": encode(version.key), "VersionId": version.version_id,
                                   "IsLatest": version.is_latest, "LastModified": version.last_modified,
                                   "Owner": owner_of(row, version.acl_json)} for version in objects]
        if markers:
            output["DeleteMarkers"] = [{"Owner": owner, "Key": encode(marker.key), "VersionId": marker.version_id,
                                        "IsLatest": marker.is_latest, "LastModified": marker.last_modified}
                                       for marker in markers]
        if page.prefixes:
            output["CommonPrefixes"] = [{"Prefix": encode(common)} for common in page.prefixes]
        if delimiter:
            output["Delimiter"] = encode(delimiter)
        if page.truncated:
            if page.last_prefix:
                output["NextKeyMarker"] = encode(page.prefixes[-1])
            elif page.rows:
                output["NextKeyMarker"] = encode(page.rows[-1].key)
                output["NextVersionIdMarker"] = page.rows[-1].version_id
        if params.get("EncodingType"):
            output["EncodingType"] = params["EncodingType"]
        return output
