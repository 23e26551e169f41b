"""S3's reads answer a StoredVersion, every column of ObjectRow read on the driver: a column added to the table and
not to the tuple would be missing from every GetObject, HeadObject and copy."""

from __future__ import annotations

from sqlalchemy import inspect

from rootplane.services.s3.repo import StoredVersion
from rootplane.services.s3.tables import ObjectRow


def test_a_stored_version_holds_every_column_of_an_object_row():
    assert set(StoredVersion._fields) == {prop.key for prop in inspect(ObjectRow).column_attrs}
    assert StoredVersion._fields[-1] == "body"  # a read without the body leaves it last, as None
