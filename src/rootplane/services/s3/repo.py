"""Queries over buckets and objects (list queries are indexed and LIMITed)."""

from __future__ import annotations

import datetime as _dt
from functools import cache
from typing import Any, NamedTuple, Union

from sqlalchemy import Integer, Select, and_, bindparam, delete, false, func, or_, select, true, update
from sqlalchemy.orm import Session, undefer

from rootplane.services.s3.tables import NULL_VERSION, BucketRow, BucketSettingRow, ObjectRow, PartRow, UploadRow
from rootplane.store.engine import get_row
from rootplane.store.changes import note_written
from rootplane.store.lazy import statements
from rootplane.store.prepared import PreparedStatement
from rootplane.store.rows import insert_object

__all__ = [
    "find_bucket", "list_buckets", "put_bucket", "delete_bucket", "bucket_has_objects",
    "StoredVersion", "ObjectVersion", "read_stored", "find_object", "find_version", "null_version", "put_object", "set_version_value",
    "delete_object", "delete_version_by_id", "list_objects_from", "list_versions_from", "next_seq", "demote_latest", "newest_version",
    "put_upload", "find_upload", "delete_upload", "complete_upload", "list_uploads", "put_part", "list_parts", "find_parts", "successor",
]


def find_bucket(session: Session, name: str) -> BucketRow | None:
    return session.get(BucketRow, name)


def list_buckets(session: Session, account_id: str, after: str | None, prefix: str | None, region: str | None,
                 limit: int) -> list[BucketRow]:
    """The account's buckets by name, after ``after``, starting with ``prefix``, in ``region`` if given."""
    query = select(BucketRow).where(BucketRow.account_id == account_id)
    if region:
        query = query.where(BucketRow.region == region)
    if after:
        query = query.where(BucketRow.name > after)
    if prefix:
        query = query.where(BucketRow.name >= prefix, BucketRow.name < successor(prefix))
    return list(session.scalars(query.order_by(BucketRow.name).limit(limit)))


def put_bucket(session: Session, row: BucketRow) -> BucketRow:
    session.add(row)
    return row


def delete_bucket(session: Session, row: BucketRow) -> None:
    session.delete(row)


def bucket_has_objects(session: Session, bucket: str) -> bool:
    query = select(func.count()).select_from(select(ObjectRow.key).where(ObjectRow.bucket == bucket).limit(1).subquery())
    return bool(session.scalar(query))


class _KeyQueries(NamedTuple):
    """The per-key reads of the ORM, with bound ``bucket`` and ``key``."""

    current: Select  # the key's current version
    newest: Select  # its newest version


@cache
def _key_queries() -> _KeyQueries:
    """Built once (building the expressions on each call cost about an eighth of an authorized PutObject in
    process)."""
    of_key = (ObjectRow.bucket == bindparam("bucket"), ObjectRow.key == bindparam("key"))
    return _KeyQueries(select(ObjectRow).where(*of_key, ObjectRow.is_latest == true()).limit(1),
                       select(ObjectRow).where(*of_key).order_by(ObjectRow.seq.desc()).limit(1))


class _VersionWrites(NamedTuple):
    """The statements of a version write, with bound ``bucket`` and ``key``, run on the driver (store/prepared.py):
    the ORM's get, delete, bulk update and flush cost an authorized PutObject more than half its CPU (issue #19)."""

    null_version: PreparedStatement  # (seq, is_latest) of the key's null version
    newest_seq: PreparedStatement  # the highest ``seq`` of its versions
    delete_version: PreparedStatement  # the version of bound ``version_id``
    demote_latest: PreparedStatement  # its current version made noncurrent


@cache
def _version_writes() -> _VersionWrites:
    of_key = (ObjectRow.bucket == bindparam("bucket"), ObjectRow.key == bindparam("key"))
    return _VersionWrites(
        PreparedStatement(select(ObjectRow.seq, ObjectRow.is_latest).where(
            *of_key, ObjectRow.version_id == bindparam("version_id", NULL_VERSION))),
        PreparedStatement(select(func.max(ObjectRow.seq)).where(*of_key)),
        PreparedStatement(delete(ObjectRow.__table__).where(
            *of_key, ObjectRow.version_id == bindparam("version_id"))),
        PreparedStatement(update(ObjectRow.__table__).where(*of_key, ObjectRow.is_latest == true())
                          .values(is_latest=False)))


class StoredVersion(NamedTuple):
    """One version as the reads answer it (GetObject, HeadObject, a copy's source): every column of its
    ``ObjectRow``, read in one statement on the driver (store/prepared.py), where the ORM's query and its load of
    the deferred body cost a GetObject a quarter of its CPU (issue #19); ``body`` is None when not asked for."""

    bucket: str
    key: str
    size: int
    etag: str
    last_modified: _dt.datetime
    content_type: str
    metadata_json: str
    headers_json: str
    checksum_json: str
    parts_count: int | None
    version_id: str
    seq: int
    is_latest: bool
    delete_marker: bool
    part_sizes: str | None
    tags_json: str | None
    acl_json: str | None
    lock_json: str | None
    encryption_json: str | None
    body: bytes | None


ObjectVersion = Union[ObjectRow, StoredVersion]  # what readers of a version take: the row, or as a read answers it


@cache
def _stored_columns(with_body: bool) -> list[Any]:
    """The columns a ``StoredVersion`` is read from, in its order (the body last, only ``with_body``)."""
    return [getattr(ObjectRow, name) for name in StoredVersion._fields if with_body or name != "body"]


def _stored_read(named: bool, with_body: bool) -> PreparedStatement:
    """The read of a key's current version (``named``: of bound ``version_id``), its body only ``with_body``."""
    columns = _stored_columns(with_body)
    which = ObjectRow.version_id == bindparam("version_id") if named else ObjectRow.is_latest == true()
    return PreparedStatement(select(*columns).where(ObjectRow.bucket == bindparam("bucket"),
                                                    ObjectRow.key == bindparam("key"), which).limit(1))


def read_stored(session: Session, bucket: str, key: str, version_id: str | None, *,
                with_body: bool) -> StoredVersion | None:
    """The key's current version (possibly a delete marker) or the version named; None when there is none."""
    params = {"bucket": bucket, "key": key} if version_id is None else {"bucket": bucket, "key": key,
                                                                          "version_id": version_id}
    row = _stored_read(version_id is not None, with_body).typed_first(statements(session), params)
    if row is None:
        return None
    return StoredVersion(*row) if with_body else StoredVersion(*row, None)


def find_object(session: Session, bucket: str, key: str) -> ObjectRow | None:
    """The key's current version (possibly a delete marker)."""
    return session.scalars(_key_queries().current, {"bucket": bucket, "key": key}).first()


def find_version(session: Session, bucket: str, key: str, version_id: str) -> ObjectRow | None:
    return session.get(ObjectRow, (bucket, key, version_id))


def null_version(session: Session, bucket: str, key: str) -> tuple[int, bool] | None:
    """``(seq, is_latest)`` of the key's ``null`` version, or None."""
    found = _version_writes().null_version.first(statements(session), {"bucket": bucket, "key": key})
    return None if found is None else (found[0], bool(found[1]))


def put_object(session: Session, row: ObjectRow) -> ObjectRow:
    """Insert a version now (the caller has made room: see services/s3/versions.py); ``row`` stays outside the
    session (store/rows.py)."""
    insert_object(session, row)
    return row


@cache
def _version_write(column: str) -> PreparedStatement:
    return PreparedStatement(update(ObjectRow.__table__).where(
        ObjectRow.bucket == bindparam("bucket"), ObjectRow.key == bindparam("key"),
        ObjectRow.version_id == bindparam("version_id")).values({column: bindparam("new_value")}))


def set_version_value(session: Session, row: ObjectVersion, column: str, value: str | None) -> None:
    """Set one column of a version (its tag set ``tags_json``, its ACL ``acl_json``, its Object Lock ``lock_json``)."""
    session.flush()  # the request's pending changes first: the statement runs on the driver
    _version_write(column).run(statements(session), {"bucket": row.bucket, "key": row.key,
                                                     "version_id": row.version_id, "new_value": value})
    note_written(session, (ObjectRow.__tablename__,))


def delete_object(session: Session, row: ObjectRow) -> None:
    """Delete one version the session holds."""
    session.delete(row)
    session.flush()


def delete_version_by_id(session: Session, bucket: str, key: str, version_id: str) -> None:
    """Delete one version by its id; the session holds no object of it afterwards."""
    _version_writes().delete_version.run(statements(session), {"bucket": bucket, "key": key,
                                                               "version_id": version_id})
    note_written(session, (ObjectRow.__tablename__,))
    if session.identity_map:
        held = session.identity_map.get(session.identity_key(ObjectRow, (bucket, key, version_id)))
        if held is not None:
            session.expunge(held)


def next_seq(session: Session, bucket: str, key: str) -> int:
    """The ``seq`` of a key's next version (one above its newest)."""
    [newest] = _version_writes().newest_seq.one(statements(session), {"bucket": bucket, "key": key})
    return 0 if newest is None else newest + 1


def demote_latest(session: Session, bucket: str, key: str) -> None:
    """The key's current version becomes noncurrent (an object of it the session holds reads the change)."""
    _version_writes().demote_latest.run(statements(session), {"bucket": bucket, "key": key})
    note_written(session, (ObjectRow.__tablename__,))
    for held in list(session.identity_map.values()) if session.identity_map else ():
        if isinstance(held, ObjectRow) and held.bucket == bucket and held.key == key:
            session.expire(held, ["is_latest"])


def newest_version(session: Session, bucket: str, key: str) -> ObjectRow | None:
    return session.scalars(_key_queries().newest, {"bucket": bucket, "key": key}).first()


@cache
def _current_objects(start: str, within_prefix: bool) -> PreparedStatement:
    """A page of a bucket's current objects (their columns but the body) in key order: from the first key
    (``start`` ""), from bound ``start`` ("from") or after it ("after"), within [``prefix``, ``prefix_end``)."""
    query = select(*_stored_columns(False)).where(
        ObjectRow.bucket == bindparam("bucket"), ObjectRow.is_latest == true(), ObjectRow.delete_marker == false())
    if start:
        query = query.where(ObjectRow.key >= bindparam("start") if start == "from" else
                            ObjectRow.key > bindparam("start"))
    if within_prefix:
        query = query.where(ObjectRow.key >= bindparam("prefix"), ObjectRow.key < bindparam("prefix_end"))
    return PreparedStatement(query.order_by(ObjectRow.key).limit(bindparam("limit", type_=Integer)))


def list_objects_from(session: Session, bucket: str, start: str, inclusive: bool, prefix: str,
                      limit: int) -> list[StoredVersion]:
    """Up to ``limit`` current objects (no delete markers) with keys from ``start`` (in key order), within ``prefix``,
    without their bodies (one prepared statement: issue #19)."""
    params: dict[str, Any] = {"bucket": bucket, "limit": limit}
    if start:
        params["start"] = start
    if prefix:
        params.update(prefix=prefix, prefix_end=successor(prefix))
    statement = _current_objects(("from" if inclusive else "after") if start else "", bool(prefix))
    return [StoredVersion(*row, None) for row in statement.typed_all(statements(session), params)]


def list_versions_from(session: Session, bucket: str, start: str, inclusive: bool, below_seq: int | None,
                       prefix: str, limit: int) -> list[ObjectRow]:
    """Up to ``limit`` versions and delete markers in (key, newest first) order from ``start``: keys after it (or
    from it when ``inclusive``), and when ``below_seq`` is given, the versions of ``start`` older than that."""
    query = select(ObjectRow).where(ObjectRow.bucket == bucket)
    if start:
        after = ObjectRow.key >= start if inclusive else ObjectRow.key > start
        if below_seq is not None:
            after = or_(after, and_(ObjectRow.key == start, ObjectRow.seq < below_seq))
        query = query.where(after)
    if prefix:
        query = query.where(ObjectRow.key >= prefix, ObjectRow.key < successor(prefix))
    return list(session.scalars(query.order_by(ObjectRow.key, ObjectRow.seq.desc()).limit(limit)))


def successor(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    stripped = prefix.rstrip("\U0010ffff")
    if not stripped:
        return "\U0010ffff" * (len(prefix) + 1)
    return stripped[:-1] + chr(ord(stripped[-1]) + 1)


def put_upload(session: Session, row: UploadRow) -> UploadRow:
    session.add(row)
    return row


def find_upload(session: Session, upload_id: str, *, lock: str | None = None) -> UploadRow | None:
    """The multipart upload ``upload_id``. ``lock`` where the store needs it (``locks_rows``: PostgreSQL's writers),
    read afresh and held until commit: "share" for a part's upload (parts of one upload go in side by side),
    "update" to complete or abort it (after the parts being uploaded, before any later one: no part outlives its
    upload, no upload is both completed and aborted)."""
    return get_row(session, UploadRow, upload_id, lock=lock)


def delete_upload(session: Session, row: UploadRow) -> None:
    """Delete an upload and its parts."""
    session.execute(delete(PartRow).where(PartRow.upload_id == row.upload_id))
    session.delete(row)


def complete_upload(session: Session, row: UploadRow, answer: str) -> None:
    """Drop a completed upload's parts, keeping its answer (``completed_json``) for a retried completion."""
    session.execute(delete(PartRow).where(PartRow.upload_id == row.upload_id))
    row.completed_json = answer


def list_uploads(session: Session, bucket: str, prefix: str, key_marker: str, upload_id_marker: str,
                 limit: int) -> list[UploadRow]:
    """Up to ``limit`` uploads of ``bucket`` in (key, upload id) order after the markers."""
    query = select(UploadRow).where(UploadRow.bucket == bucket, UploadRow.completed_json.is_(None))
    if key_marker:
        after_key = UploadRow.key > key_marker
        query = query.where(or_(after_key, and_(UploadRow.key == key_marker, UploadRow.upload_id > upload_id_marker))
                            if upload_id_marker else after_key)
    if prefix:
        query = query.where(UploadRow.key >= prefix, UploadRow.key < successor(prefix))
    return list(session.scalars(query.order_by(UploadRow.key, UploadRow.upload_id).limit(limit)))


def put_part(session: Session, row: PartRow) -> PartRow:
    """Insert or replace a part."""
    return session.merge(row)


def list_parts(session: Session, upload_id: str, after: int, limit: int) -> list[PartRow]:
    """Up to ``limit`` parts numbered above ``after`` (bodies not loaded)."""
    query = select(PartRow).where(PartRow.upload_id == upload_id, PartRow.part_number > after)
    return list(session.scalars(query.order_by(PartRow.part_number).limit(limit)))


def find_parts(session: Session, upload_id: str, numbers: list[int]) -> dict[int, PartRow]:
    """The named parts of an upload by number, bodies loaded."""
    query = select(PartRow).options(undefer(PartRow.body)).where(PartRow.upload_id == upload_id, PartRow.part_number.in_(numbers))
    return {row.part_number: row for row in session.scalars(query)}


def find_setting(session: Session, bucket: str, kind: str) -> BucketSettingRow | None:
    return session.get(BucketSettingRow, (bucket, kind))


def put_setting(session: Session, bucket: str, kind: str, document: str) -> None:
    row = find_setting(session, bucket, kind)
    if row is None:
        session.add(BucketSettingRow(bucket=bucket, kind=kind, document=document))
    else:
        row.document = document


def delete_setting(session: Session, bucket: str, kind: str) -> None:
    session.execute(delete(BucketSettingRow).where(BucketSettingRow.bucket == bucket, BucketSettingRow.kind == kind))
