"""Queries over buckets and objects (list queries are indexed and LIMITed)."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from rootplane.services.s3.tables import BucketRow, ObjectRow

__all__ = [
    "find_bucket", "list_buckets", "put_bucket", "delete_bucket", "bucket_has_objects",
    "find_object", "put_object", "delete_object", "list_objects_from",
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


def find_object(session: Session, bucket: str, key: str) -> ObjectRow | None:
    return session.get(ObjectRow, (bucket, key))


def put_object(session: Session, row: ObjectRow) -> ObjectRow:
    """Insert or replace an object."""
    return session.merge(row)


def delete_object(session: Session, bucket: str, key: str) -> bool:
    """Delete an object; True when it existed."""
    result = session.execute(delete(ObjectRow).where(ObjectRow.bucket == bucket, ObjectRow.key == key))
    return bool(result.rowcount)


def list_objects_from(session: Session, bucket: str, start: str, inclusive: bool, prefix: str, limit: int) -> list[ObjectRow]:
    """Up to ``limit`` objects with keys from ``start`` (in key order), restricted to ``prefix``."""
    query = select(ObjectRow).where(ObjectRow.bucket == bucket)
    if start:
        query = query.where(ObjectRow.key >= start if inclusive else ObjectRow.key > start)
    if prefix:
        query = query.where(ObjectRow.key >= prefix, ObjectRow.key < successor(prefix))
    return list(session.scalars(query.order_by(ObjectRow.key).limit(limit)))


def successor(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    stripped = prefix.rstrip("\U0010ffff")
    if not stripped:
        return "\U0010ffff" * (len(prefix) + 1)
    return stripped[:-1] + chr(ord(stripped[-1]) + 1)
