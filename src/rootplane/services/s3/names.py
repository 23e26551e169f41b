"""Bucket names, ARNs and the account's canonical user id."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from rootplane.core.errors import AwsError

__all__ = ["bucket_arn", "object_arn", "canonical_user_id", "check_bucket_name", "no_such_bucket"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


def bucket_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def object_arn(bucket: str, key: str) -> str:
    return f"arn:aws:s3:::{bucket}/{key}"


@lru_cache(maxsize=1024)
def canonical_user_id(account_id: str) -> str:
    """A stable 64-hex canonical user id for an account (S3's Owner.ID)."""
    return hashlib.sha256(f"rootplane-canonical-{account_id}".encode()).hexdigest()


def check_bucket_name(name: str) -> None:
    """S3's general purpose bucket naming rules; InvalidBucketName otherwise."""
    if (not _NAME.match(name) or ".." in name or _IP.match(name) or name.startswith("xn--")
            or name.endswith(("-s3alias", "--ol-s3")) or ".-" in name or "-." in name):
        raise AwsError("InvalidBucketName", "The specified bucket is not valid.", 400, fields={"BucketName": name})


def no_such_bucket(name: str) -> AwsError:
    return AwsError("NoSuchBucket", "The specified bucket does not exist", 404, fields={"BucketName": name})
