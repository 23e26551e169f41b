"""Read-only views of S3 buckets by name, kept in a process cache that every committed change to the buckets
invalidates.

Every object request reads its bucket twice, to authorize (owner, policy, Block Public Access) and to serve it
(versioning, ownership, MFA delete), and an ORM load of the row was a fifth of an authorized PutObject's CPU (issue
#19). A ``BucketView`` is a frozen copy of the row's columns in a ``TableCache`` over ``s3_buckets``
(store/changes.py), as IAM's user views are: a commit that writes the table, here or in another process on the same
database (by notification), makes every entry stale, and a transaction that wrote the table itself reads the row
afresh.

Object, listing and multipart handlers read views (``lookup.bucket_view_of``); the bucket handlers that change or
delete a bucket load the ORM row (``lookup.bucket_of``). Views are never written back.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Union

from sqlalchemy.orm import Session

from rootplane.services.s3 import repo
from rootplane.services.s3.tables import BucketRow
from rootplane.store.changes import TableCache, frozen_copy

__all__ = ["Bucket", "BucketView", "find_bucket_view"]


@dataclass(frozen=True, slots=True)
class BucketView:
    """The columns of one ``BucketRow`` as they were committed."""

    name: str
    account_id: str
    region: str
    created_at: _dt.datetime
    policy: str | None
    tags_json: str | None
    versioning: str | None
    public_access_block: str | None
    ownership: str | None
    mfa_delete: str | None


Bucket = Union[BucketRow, BucketView]  # what readers of a bucket's settings take: the row, or its view

_VIEWS: TableCache[BucketView | None] = TableCache([BucketRow.__tablename__])


def find_bucket_view(session: Session, name: str) -> BucketView | None:
    """The bucket named ``name``, or None: from the cache when fresh."""
    return _VIEWS.get(session, name, lambda s: frozen_copy(BucketView, repo.find_bucket(s, name)))
