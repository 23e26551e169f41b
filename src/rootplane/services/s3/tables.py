"""Rows: buckets (with their policy) and objects (bodies stored in the database)."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column

from rootplane.store.base import Base, UtcDateTime

__all__ = ["BucketRow", "BucketSettingRow", "ObjectRow", "UploadRow", "PartRow", "NULL_VERSION"]

# Keys sort by code point (S3's UTF-8 binary order) on both SQLite (BINARY) and PostgreSQL ("C" collation).
_KEY = String(1024).with_variant(String(1024, collation="C"), "postgresql")
_BUCKET = String(63).with_variant(String(63, collation="C"), "postgresql")


class BucketRow(Base):
    """A bucket: globally unique name, owning account, region and bucket policy."""

    __tablename__ = "s3_buckets"

    name: Mapped[str] = mapped_column(_BUCKET, primary_key=True)
    account_id: Mapped[str] = mapped_column(String(12), index=True)
    region: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    policy: Mapped[str | None] = mapped_column(Text, nullable=True)
    # JSON list of {"Key", "Value"}; None when the bucket has no tag set.
    tags_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    versioning: Mapped[str | None] = mapped_column(String(16), nullable=True)  # Enabled | Suspended
    # JSON PublicAccessBlockConfiguration; None once deleted (new buckets block everything, like AWS).
    public_access_block: Mapped[str | None] = mapped_column(Text, nullable=True)
    ownership: Mapped[str | None] = mapped_column(String(32), nullable=True)  # ObjectOwnership rule
    mfa_delete: Mapped[str | None] = mapped_column(String(16), nullable=True)  # Enabled | Disabled


NULL_VERSION = "null"


class ObjectRow(Base):
    """One version of an object (or a delete marker): body, ETag and the headers S3 stores with it.

    Objects of never-versioned buckets, and those written while versioning is suspended, are the ``null`` version.
    ``seq`` orders a key's versions (newest highest); ``is_latest`` marks the key's current version.
    """

    __tablename__ = "s3_objects"

    bucket: Mapped[str] = mapped_column(_BUCKET, ForeignKey("s3_buckets.name", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(_KEY, primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer)
    etag: Mapped[str] = mapped_column(String(40))
    last_modified: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    content_type: Mapped[str] = mapped_column(String(255))
    # JSON object: user metadata (x-amz-meta-*) and stored content headers (CacheControl, ContentEncoding...).
    metadata_json: Mapped[str] = mapped_column(Text, default="{}")
    headers_json: Mapped[str] = mapped_column(Text, default="{}")
    # JSON: the checksum members S3 returns with ChecksumMode=ENABLED (ChecksumCRC32..., ChecksumType).
    checksum_json: Mapped[str] = mapped_column(Text, default="{}")
    parts_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    version_id: Mapped[str] = mapped_column(String(64), primary_key=True, server_default=NULL_VERSION)
    seq: Mapped[int] = mapped_column(Integer, server_default="0")
    is_latest: Mapped[bool] = mapped_column(Boolean, server_default=true())
    delete_marker: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # A multipart object's part sizes (JSON list): GetObject/HeadObject with PartNumber answer one part.
    part_sizes: Mapped[str | None] = mapped_column(Text, nullable=True)
    # JSON list of {"Key", "Value"}; None when the version has no tags.
    tags_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    # JSON AccessControlPolicy ({"Owner", "Grants"}); None: the owner's full control.
    acl_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    # JSON Object Lock state ({"Mode", "RetainUntilDate", "LegalHold"}); None: the version is not locked.
    lock_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    # JSON server-side encryption with a KMS key ({"SSEAlgorithm", "KMSMasterKeyID", "BucketKeyEnabled", "Context"});
    # None: SSE-S3 (AES256), every other object's.
    encryption_json: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_s3_objects_current", "bucket", "is_latest", "key"),
                      Index("ix_s3_objects_versions", "bucket", "key", "seq"))


class UploadRow(Base):
    """An in-progress multipart upload and the object attributes it was created with."""

    __tablename__ = "s3_uploads"

    upload_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    bucket: Mapped[str] = mapped_column(_BUCKET, ForeignKey("s3_buckets.name", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(_KEY)
    initiated: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    initiator_arn: Mapped[str] = mapped_column(String(2048))
    initiator_id: Mapped[str] = mapped_column(String(128))
    checksum_algorithm: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # JSON: ContentType, stored content headers and Metadata of the object to be.
    attributes_json: Mapped[str] = mapped_column(Text, default="{}")
    # Once completed: CompleteMultipartUpload's answer (JSON), which a retried completion gets again.
    completed_json: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_s3_uploads_bucket_key", "bucket", "key", "upload_id"),)


class PartRow(Base):
    """One uploaded part of a multipart upload."""

    __tablename__ = "s3_parts"

    upload_id: Mapped[str] = mapped_column(String(64), ForeignKey("s3_uploads.upload_id", ondelete="CASCADE"),
                                           primary_key=True)
    part_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer)
    etag: Mapped[str] = mapped_column(String(40))
    last_modified: Mapped[_dt.datetime] = mapped_column(UtcDateTime())
    checksum_json: Mapped[str] = mapped_column(Text, default="{}")


class BucketSettingRow(Base):
    """One stored bucket configuration (logging, encryption, lifecycle...): its kind and its JSON document."""

    __tablename__ = "s3_bucket_settings"

    bucket: Mapped[str] = mapped_column(_BUCKET, ForeignKey("s3_buckets.name", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    document: Mapped[str] = mapped_column(Text)
