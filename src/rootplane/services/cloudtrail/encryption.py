"""A trail's KMS key (SSE-KMS for log files): CreateTrail and UpdateTrail check that CloudTrail may encrypt with it.

``KmsKeyId`` is a key id, key ARN, alias name or alias ARN (a name is in the trail's account and home Region); the
trail keeps the key's ARN, as AWS reports it. The key must exist in the Region of the trail's bucket, else
KmsKeyNotFoundException (CloudTrail API Reference); a value naming no KMS key is InvalidKmsKeyIdException ("the KMS
key ARN is not valid"); a key CloudTrail cannot encrypt with (not enabled, or not a symmetric encryption key) is
KmsException ("an issue with the specified KMS key"). Its policy must let ``cloudtrail.amazonaws.com`` do
``kms:GenerateDataKey*`` with the trail's ARN as ``kms:EncryptionContext:aws:cloudtrail:arn`` and ``aws:SourceArn``
(User Guide, "Configure AWS KMS key policies for CloudTrail"), else InsufficientEncryptionPolicyException,
"Insufficient permissions to access S3 bucket <bucket> or KMS key <key ARN>." as AWS words it.
"""

from __future__ import annotations

import datetime as _dt

from sqlalchemy.orm import Session

from rootplane.authz.gather import source
from rootplane.core.errors import AwsError
from rootplane.services.cloudtrail.tables import TrailRow

__all__ = ["check_key"]

SERVICE = "cloudtrail.amazonaws.com"
_SYMMETRIC = "SYMMETRIC_DEFAULT"


def _key(session: Session, trail: TrailRow, now: _dt.datetime):
    """The KMS key the trail names (a KeyRow); KmsKeyNotFoundException or InvalidKmsKeyIdException otherwise."""
    identifier = trail.kms_key_id
    keys = source("rootplane.services.kms.keys")
    if identifier.startswith("arn:") and identifier.split(":", 3)[2:3] != ["kms"]:
        raise AwsError("InvalidKmsKeyIdException", f"Invalid KmsKeyId {identifier}.", 400)
    try:
        return keys.resolve(session, trail.home_region, trail.account_id, identifier, now) if keys else None
    except AwsError as error:
        if error.code != "NotFoundException":
            raise
        return None


def check_key(session: Session, trail: TrailRow, now: _dt.datetime) -> None:
    """Refuse a key CloudTrail could not encrypt the trail's log files with, and store the key's ARN (a trail
    without a key passes)."""
    if not trail.kms_key_id:
        return
    key = _key(session, trail, now)
    s3 = source("rootplane.services.s3.api")
    bucket_region = s3.bucket_region(session, trail.s3_bucket_name) if s3 is not None else None
    if key is None or key.region != (bucket_region or trail.home_region):
        raise AwsError("KmsKeyNotFoundException", f"KMS key {trail.kms_key_id} does not exist or is not in the "
                       "same Region as the S3 bucket.", 400)
    if key.state != "Enabled":
        raise AwsError("KmsException", f"KMS key {key.arn} is not enabled.", 400)
    if key.key_spec != _SYMMETRIC or key.key_usage != "ENCRYPT_DECRYPT":
        raise AwsError("KmsException", f"KMS key {key.arn} is not a symmetric encryption key.", 400)
    authz = source("rootplane.services.kms.authz")
    if not authz.service_allowed(session, key, "kms:GenerateDataKey", SERVICE,
                                 {"aws:SourceArn": trail.trail_arn, "aws:SourceAccount": trail.account_id},
                                 encryption_context={"aws:cloudtrail:arn": trail.trail_arn}):
        raise AwsError("InsufficientEncryptionPolicyException", f"Insufficient permissions to access S3 bucket "
                       f"{trail.s3_bucket_name} or KMS key {key.arn}.", 400)
    trail.kms_key_id = key.arn
