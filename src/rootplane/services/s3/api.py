"""What other services use: an AWS service principal (CloudTrail) checks a bucket policy and writes objects."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy.orm import Session

from rootplane.authz.service_requests import decide_for_service
from rootplane.policy import NamedPolicy, parse_policy_cached
from rootplane.services.s3 import repo
from rootplane.services.s3.encryption import for_service
from rootplane.services.s3.object_lock import default_lock
from rootplane.services.s3.objects import attributes_of, new_object
from rootplane.services.s3.versions import store_version

__all__ = ["bucket_exists", "bucket_region", "service_allowed", "put_object_as_service"]


def bucket_exists(session: Session, bucket: str) -> bool:
    return repo.find_bucket(session, bucket) is not None


def bucket_region(session: Session, bucket: str) -> str | None:
    """The Region a bucket was created in (None: no such bucket)."""
    row = repo.find_bucket(session, bucket)
    return row.region if row is not None else None


def service_allowed(session: Session, bucket: str, action: str, resource: str, service: str,
                    context: dict[str, object], *, with_rcps: bool = True) -> bool:
    """Whether the bucket policy lets ``service`` (e.g. ``cloudtrail.amazonaws.com``) do ``action`` on ``resource``
    and, ``with_rcps``, no RCP of the bucket owner's account denies it (a real request; CreateTrail's check of the
    bucket policy reads the policy alone)."""
    row = repo.find_bucket(session, bucket)
    if row is None or not row.policy:
        return False
    policy = NamedPolicy("bucket-policy", parse_policy_cached(row.policy, "resource"), "resource-based policy")
    return decide_for_service(session, service, action, resource, row.account_id, policy, context,
                              rcps=with_rcps).allowed


def put_object_as_service(session: Session, bucket: str, key: str, body: bytes, now: _dt.datetime, *,
                          content_type: str, content_encoding: str | None = None,
                          metadata: dict[str, str] | None = None, kms_key_arn: str | None = None,
                          encryption_context: dict[str, str] | None = None) -> None:
    """Store an object a service delivers, with user ``metadata`` (x-amz-meta-*) if any (the caller has checked the
    bucket policy with :func:`service_allowed`), encrypted with the service's own KMS key ``kms_key_arn`` (and its
    ``encryption_context``) if it names one, else as the bucket's default encryption says (``encryption.for_service``:
    an aws:kms default's key is used without checking the service's access to it)."""
    params = {"ContentType": content_type, "ContentEncoding": content_encoding, "Metadata": metadata}
    row = repo.find_bucket(session, bucket)
    if row is not None:
        store_version(session, row, new_object(bucket, key, body, attributes_of(params), now,
                                               lock=default_lock(session, bucket, row.versioning, now),
                                               encryption=for_service(session, row, key, now, key_arn=kms_key_arn,
                                                                      context=encryption_context)))
