"""Object versions as S3's versioning documentation describes them: where a new version or delete marker goes
(by the bucket's versioning state), reading a version, and permanent deletion."""

from __future__ import annotations

import datetime as _dt
import secrets
from typing import Any

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.s3 import repo
from rootplane.services.s3.bucket_views import Bucket
from rootplane.services.s3.repo import ObjectVersion, StoredVersion
from rootplane.services.s3.tables import NULL_VERSION, ObjectRow
from rootplane.store.engine import lock_name

__all__ = ["store_version", "add_delete_marker", "delete_version", "read_version", "version_output",
           "put_version_output", "new_version_id", "current_for_write"]


def new_version_id() -> str:
    """A fresh version id: 32 URL-safe characters, like S3's (letters, digits, ``.`` and ``_``; never ``-``, which
    S3's ids do not use and which the AWS CLI would read as an option where an id starts with it)."""
    return secrets.token_urlsafe(24).replace("-", ".")


def store_version(session: Session, bucket: Bucket, row: ObjectRow, *, delete_marker: bool = False) -> ObjectRow:
    """Make ``row`` its key's current version (a delete marker when ``delete_marker``): a new version when
    versioning is enabled, else the ``null`` version (replacing the previous ``null`` version). Writers of one key
    take turns (servers sharing PostgreSQL): the last one wins, as on S3. ``row`` is inserted at once and stays
    outside the session (repo.put_object).

    A key of a never-versioned bucket has at most its ``null`` version, so that row alone gives the next ``seq``
    and, being current, leaves nothing to demote once replaced; other buckets ask for the key's newest ``seq``,
    and a key without versions has nothing to replace or demote."""
    _lock_key(session, row.bucket, row.key)
    session.flush()  # the request's pending changes first: the statements below run on the driver
    previous = None  # (seq, is_latest) of the null version this write replaces
    if bucket.versioning is None:
        previous = repo.null_version(session, row.bucket, row.key)
        row.seq = previous[0] + 1 if previous is not None else 0
    else:
        row.seq = repo.next_seq(session, row.bucket, row.key)
        if bucket.versioning != "Enabled" and row.seq:
            previous = repo.null_version(session, row.bucket, row.key)
    row.version_id = new_version_id() if bucket.versioning == "Enabled" else NULL_VERSION
    if previous is not None:
        repo.delete_version_by_id(session, row.bucket, row.key, NULL_VERSION)
    if row.seq and not (previous is not None and previous[1]):
        repo.demote_latest(session, row.bucket, row.key)
    row.is_latest, row.delete_marker = True, delete_marker
    return repo.put_object(session, row)


def add_delete_marker(ctx: RequestContext, bucket: Bucket, key: str) -> ObjectRow:
    """DeleteObject without a version id on a versioning bucket: a delete marker becomes the current version."""
    marker = ObjectRow(bucket=bucket.name, key=key, body=b"", size=0, etag="", content_type="",
                       last_modified=ctx.now().replace(microsecond=0), metadata_json="{}", headers_json="{}",
                       checksum_json="{}", parts_count=None)
    return store_version(ctx.session, bucket, marker, delete_marker=True)


def delete_version(ctx: RequestContext, row: ObjectRow) -> None:
    """Delete one version for good; when it was current, the next newest becomes current. A version another writer
    deleted meanwhile is already gone: nothing to do (DeleteObject is idempotent)."""
    bucket, key, version_id = row.bucket, row.key, row.version_id
    _lock_key(ctx.session, bucket, key)
    row = repo.find_version(ctx.session, bucket, key, version_id)
    if row is None:
        return
    was_latest = row.is_latest
    repo.delete_object(ctx.session, row)
    if was_latest:
        newest = repo.newest_version(ctx.session, bucket, key)
        if newest is not None:
            newest.is_latest = True


def current_for_write(session: Session, bucket: str, key: str) -> ObjectRow | None:
    """The key's current version as a conditional write sees it: read once this writer has the key's turn, so the
    condition still holds when its version is stored (two ``If-None-Match: *`` writes on two servers: one wins)."""
    _lock_key(session, bucket, key)
    return repo.find_object(session, bucket, key)


def _lock_key(session: Session, bucket: str, key: str) -> None:
    """Wait for this key's turn; rows of the key this transaction read before then are read again when next used
    (another writer may have replaced, demoted or deleted them meanwhile)."""
    if lock_name(session, f"s3-object:{bucket}/{key}"):
        for held in list(session.identity_map.values()):
            if isinstance(held, ObjectRow) and held.bucket == bucket and held.key == key:
                session.expire(held)


def read_version(ctx: RequestContext, bucket: str, key: str, version_id: str | None, method: str, *,
                 with_body: bool = True) -> StoredVersion:
    """The object a Get/Head/Copy reads (its body only ``with_body``): the current version or the one named; AWS's
    errors for an empty version id, a missing key or version and a delete marker (404 NoSuchKey when current, 405
    with ``Allow: DELETE`` when named, both with x-amz-delete-marker)."""
    if version_id == "":
        raise AwsError("InvalidArgument", "Version id cannot be the empty string", 400,
                       fields={"ArgumentName": "versionId", "ArgumentValue": ""})
    row = repo.read_stored(ctx.session, bucket, key, version_id, with_body=with_body)
    if version_id is None:
        if row is None or row.delete_marker:
            headers = _marker_headers(row) if row is not None else {}
            raise AwsError("NoSuchKey", "The specified key does not exist.", 404, fields={"Key": key},
                           headers=headers)
        return row
    if row is None:
        raise AwsError("NoSuchVersion", "The specified version does not exist.", 404,
                       fields={"Key": key, "VersionId": version_id})
    if row.delete_marker:
        raise AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405,
                       fields={"Method": method, "ResourceType": "DeleteMarker"},
                       headers={**_marker_headers(row), "Last-Modified": _http_date(row.last_modified),
                                "Allow": "DELETE"})
    return row


def version_output(bucket: Bucket, row: ObjectVersion) -> dict[str, Any]:
    """The VersionId member of an object response: present once the bucket has had versioning."""
    return {"VersionId": row.version_id} if bucket.versioning else {}


def put_version_output(bucket: Bucket, row: ObjectVersion) -> dict[str, Any]:
    """The VersionId member of a PutObject response: only on a versioning-enabled bucket (S3 does not announce
    the ``null`` version a PutObject stores while versioning is suspended; reads of it name it)."""
    return {"VersionId": row.version_id} if bucket.versioning == "Enabled" else {}


def _marker_headers(row: StoredVersion) -> dict[str, str]:
    return {"x-amz-delete-marker": "true", "x-amz-version-id": row.version_id}


def _http_date(value: _dt.datetime) -> str:
    return value.strftime("%a, %d %b %Y %H:%M:%S GMT")
