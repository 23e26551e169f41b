"""Revision 0010: objects stored before S3 versioning become each key's current "null" version (SQLite and
PostgreSQL), and the bucket has no MFA delete state."""

import datetime as _dt

from alembic import command
from sqlalchemy import text

from rootplane.store.migrate import alembic_config


def test_existing_objects_become_the_null_version(empty_store):
    config = alembic_config(empty_store.engine)
    command.upgrade(config, "0009")
    now = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)
    with empty_store.engine.begin() as connection:
        connection.execute(text("INSERT INTO s3_buckets (name, account_id, region, created_at) "
                                "VALUES ('old', '000000000000', 'us-east-1', :now)"), {"now": now})
        connection.execute(text(
            "INSERT INTO s3_objects (bucket, key, body, size, etag, last_modified, content_type, metadata_json, "
            "headers_json, checksum_json) VALUES ('old', 'k', :body, 4, '\"e\"', :now, 'text/plain', '{}', '{}', '{}')"),
            {"body": b"data", "now": now})
    command.upgrade(config, "head")
    with empty_store.engine.begin() as connection:
        row = connection.execute(text("SELECT version_id, seq, is_latest, delete_marker FROM s3_objects")).one()
        mfa_delete = connection.execute(text("SELECT mfa_delete FROM s3_buckets")).scalar_one()
    assert (row.version_id, row.seq, bool(row.is_latest), bool(row.delete_marker)) == ("null", 0, True, False)
    assert mfa_delete is None
