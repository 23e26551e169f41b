"""Copies of rows read past the ORM: S3's StoredVersion (every column of ObjectRow read on the driver) and the
views TableCaches keep of buckets and queues. A column added to a table and not to its copy would be missing from
every answer built from the copy."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from rootplane.services.s3.bucket_views import BucketView
from rootplane.services.s3.repo import StoredVersion
from rootplane.services.s3.tables import BucketRow, ObjectRow
from rootplane.services.sqs.queue_views import QueueView
from rootplane.services.sqs.tables import QueueRow
from rootplane.store.changes import frozen_copy


def _columns(row_cls) -> set[str]:
    return {prop.key for prop in inspect(row_cls).column_attrs}


def test_a_stored_version_holds_every_column_of_an_object_row():
    assert set(StoredVersion._fields) == _columns(ObjectRow)
    assert StoredVersion._fields[-1] == "body"  # a read without the body leaves it last, as None


@pytest.mark.parametrize(("view_cls", "row_cls"), [(BucketView, BucketRow), (QueueView, QueueRow)])
def test_a_cached_view_holds_every_column_of_its_row(view_cls, row_cls):
    assert set(view_cls.__dataclass_fields__) == _columns(row_cls)


def test_a_frozen_copy_takes_the_rows_values_and_none_stays_none():
    row = QueueRow(queue_id=7, account_id="111111111111", region="us-east-1", name="q", fifo=False,
                   attributes_json="{}", policy=None, tags_json="{}", sequence=0)
    view = frozen_copy(QueueView, row)
    assert (view.queue_id, view.name, view.policy, view.created_at) == (7, "q", None, None)
    assert frozen_copy(QueueView, None) is None
