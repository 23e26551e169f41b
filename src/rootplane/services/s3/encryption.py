"""Server-side encryption of objects: SSE-S3 (AES256, every bucket's default) or SSE-KMS (a KMS key).

What a write stores and a read requires, as the S3 User Guide ("Using server-side encryption with AWS KMS keys
(SSE-KMS)", "Setting default server-side encryption behavior for Amazon S3 buckets", "Reducing the cost of SSE-KMS
with Amazon S3 Bucket Keys") and the KMS Developer Guide ("How Amazon S3 uses AWS KMS") describe it:

- a write with ``x-amz-server-side-encryption: aws:kms`` (or ``aws:kms:dsse``, treated alike) uses the key it names
  (key id, key ARN, alias name or alias ARN, in the requester's account unless an ARN says otherwise), else the
  bucket owner's AWS managed key ``aws/s3``; a write without the header follows the bucket's default encryption rule
  (its KMSMasterKeyID in the bucket owner's account, else ``aws/s3``); the key must be in the bucket's Region, enabled
  and a symmetric encryption key, and S3 asks KMS for a data key on the caller's behalf: the caller must be allowed
  ``kms:GenerateDataKey`` (``kms:ViaService`` ``s3.<region>.amazonaws.com``, encryption context ``aws:s3:arn``: the
  object's ARN, the bucket's with an S3 Bucket Key);
- a read of the object's data (GetObject, a copy's source, UploadPartCopy) needs ``kms:Decrypt`` likewise, on an
  enabled key; HeadObject does not read the data and asks for ``s3:GetObject`` only (HeadObject's documentation).

KMS's refusals reach the caller as S3 errors: ``KMS.<KMS code>`` with KMS's message and status 400 (recorded in
minio/minio#6582, aws/aws-cli#4507, apache/hadoop#4637), a denied data key as S3's 403 AccessDenied naming the KMS
action, and a denied decryption as 403 AccessDenied "The ciphertext refers to a customer master key that does not
exist, does not exist in this region, or you are not allowed to access." (recorded in
ministryofjustice/modernisation-platform#3468, chadgeary/nifi#13).
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.services.s3 import repo
from rootplane.services.s3.bucket_views import Bucket
from rootplane.services.s3.names import bucket_arn, object_arn
from rootplane.services.s3.tables import BucketRow, BucketSettingRow
from rootplane.store.changes import TableCache

if TYPE_CHECKING:  # KMS loads with the first SSE-KMS object: an S3 that sees none loads no KMS (issue #19)
    from rootplane.services.kms.tables import KeyRow

__all__ = ["Encryption", "SSE_S3", "stored_encryption", "for_write", "for_service", "check_readable",
           "changes_encryption"]

AES256 = "AES256"
KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})
_AWS_MANAGED = "alias/aws/s3"
_ENCRYPTION_SETTING = "encryption"  # bucket_settings' kind for PutBucketEncryption's document
_UNREADABLE = ("The ciphertext refers to a customer master key that does not exist, does not exist in this region, "
               "or you are not allowed to access.")
_REQUEST_MEMBERS = ("ServerSideEncryption", "SSEKMSKeyId", "SSEKMSEncryptionContext", "BucketKeyEnabled")


@dataclass(frozen=True)
class Encryption:
    """How one object version is encrypted: ``algorithm`` AES256 (SSE-S3) or aws:kms[:dsse] with ``key_arn``,
    ``bucket_key`` (an S3 Bucket Key) and the encryption ``context`` its data key was made with (``aws:s3:arn``
    and the requester's pairs); ``managed``: the key is the bucket owner's AWS managed key ``aws/s3``."""

    algorithm: str = AES256
    key_arn: str | None = None
    bucket_key: bool = False
    context: dict[str, str] = field(default_factory=dict)
    managed: bool = False

    @property
    def kms(self) -> bool:
        return self.algorithm in KMS_ALGORITHMS

    def stored(self) -> str | None:
        """The object's ``encryption_json`` (None for SSE-S3)."""
        if not self.kms:
            return None
        return json.dumps({"SSEAlgorithm": self.algorithm, "KMSMasterKeyID": self.key_arn,
                           "BucketKeyEnabled": self.bucket_key, "Context": self.context, "Managed": self.managed})

    def output(self, *, with_context: bool = False) -> dict[str, Any]:
        """The response members: ServerSideEncryption, and for SSE-KMS SSEKMSKeyId (the key ARN), BucketKeyEnabled
        when true and, ``with_context``, SSEKMSEncryptionContext (base64 JSON) as PutObject and CopyObject return it."""
        output: dict[str, Any] = {"ServerSideEncryption": self.algorithm}
        if not self.kms:
            return output
        output["SSEKMSKeyId"] = self.key_arn
        if self.bucket_key:
            output["BucketKeyEnabled"] = True
        if with_context and len(self.context) > 1:
            output["SSEKMSEncryptionContext"] = base64.b64encode(json.dumps(self.context).encode()).decode()
        return output


SSE_S3 = Encryption()


def stored_encryption(text: str | None) -> Encryption:
    """An object's encryption from its ``encryption_json``."""
    if not text:
        return SSE_S3
    document = json.loads(text)
    return Encryption(document["SSEAlgorithm"], document["KMSMasterKeyID"], bool(document.get("BucketKeyEnabled")),
                      document.get("Context") or {}, bool(document.get("Managed")))


def changes_encryption(params: dict[str, Any]) -> bool:
    """Whether a CopyObject names encryption attributes (a copy onto itself may then be made)."""
    return any(params.get(member) is not None for member in _REQUEST_MEMBERS)


# Deleting a bucket drops its settings by cascade: a change of the buckets invalidates the rules too.
_RULES: TableCache[tuple[str, str | None, bool]] = TableCache([BucketSettingRow.__tablename__,
                                                               BucketRow.__tablename__])


def _default_rule(session: Session, bucket: str) -> tuple[str, str | None, bool]:
    """(SSEAlgorithm, KMSMasterKeyID, BucketKeyEnabled) of the bucket's default encryption rule, kept in a process
    cache that every committed change of the bucket settings invalidates (every write without encryption headers
    reads it: issue #19's concern for PutObject)."""
    return _RULES.get(session, bucket, lambda held: _read_rule(held, bucket))


def _read_rule(session: Session, bucket: str) -> tuple[str, str | None, bool]:
    setting = repo.find_setting(session, bucket, _ENCRYPTION_SETTING)
    rules = (json.loads(setting.document).get("Rules") or [{}]) if setting is not None else [{}]
    by_default = rules[0].get("ApplyServerSideEncryptionByDefault") or {}
    return (by_default.get("SSEAlgorithm") or AES256, by_default.get("KMSMasterKeyID"),
            bool(rules[0].get("BucketKeyEnabled")))


def _request_context(params: dict[str, Any]) -> dict[str, str]:
    """The requester's encryption context (x-amz-server-side-encryption-context: base64 of a JSON string map)."""
    text = params.get("SSEKMSEncryptionContext")
    if text is None:
        return {}
    try:
        context = json.loads(base64.b64decode(text, validate=True).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        context = None
    if not isinstance(context, dict) or not all(isinstance(v, str) for v in context.values()):
        raise AwsError("InvalidArgument", "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded "
                       "UTF-8 string holding JSON which represents a string-string map", 400,
                       fields={"ArgumentName": "x-amz-server-side-encryption-context"})
    return context


def _via_s3(error: AwsError) -> AwsError:
    """KMS's refusal as S3 answers it: ``KMS.<code>``, KMS's message, 400."""
    return AwsError(f"KMS.{error.code}", error.message, 400)


def _find_key(ctx: Any, region: str, account_id: str, identifier: str | None) -> tuple[KeyRow, bool]:
    """The key a write names (None: the AWS managed key aws/s3) in ``region``, a key id or alias being
    ``account_id``'s; whether it is the AWS managed key."""
    from rootplane.services.kms import on_behalf

    try:
        return on_behalf.find_key(ctx, region, account_id, identifier or _AWS_MANAGED, _AWS_MANAGED)
    except AwsError as error:
        raise _via_s3(error) from None


def _authorize(ctx: Any, action: str, key: KeyRow, region: str, context: dict[str, str]) -> None:
    """The caller's ``action`` on ``key`` as KMS decides it for a request S3 makes on its behalf."""
    from rootplane.services.kms import on_behalf

    on_behalf.authorize(ctx, action, key, "s3", region, context)


def _usable(key: KeyRow) -> None:
    """A data key needs an enabled symmetric encryption key."""
    from rootplane.services.kms import on_behalf

    try:
        on_behalf.require_usable(key)
    except AwsError as error:
        raise _via_s3(error) from None


def for_write(ctx: Any, bucket: Bucket, key: str, params: dict[str, Any]) -> Encryption:
    """The encryption of a new object ``key`` of ``bucket`` (PutObject, CopyObject, CreateMultipartUpload): the
    request's headers, else the bucket's default rule; for SSE-KMS the caller must be allowed a data key of a usable
    key."""
    algorithm, key_id = params.get("ServerSideEncryption"), params.get("SSEKMSKeyId")
    if (key_id is not None or params.get("SSEKMSEncryptionContext") is not None) \
            and algorithm not in KMS_ALGORITHMS:
        raise AwsError("InvalidArgument", "Server Side Encryption with AWS KMS managed key requires HTTP header "
                       "x-amz-server-side-encryption : aws:kms", 400,
                       fields={"ArgumentName": "x-amz-server-side-encryption", "ArgumentValue": str(algorithm)})
    default_algorithm, default_key, default_bucket_key = _default_rule(ctx.session, bucket.name)
    if algorithm is None:
        algorithm, key_id = default_algorithm, default_key
    # A key id or alias the request names is the requester's (PutObject's SSEKMSKeyId: another account's key needs
    # its ARN); the bucket's default key and the AWS managed key are the bucket owner's.
    named = params.get("SSEKMSKeyId") is not None and ctx.principal.account_id
    account_id = ctx.principal.account_id if named else bucket.account_id
    if algorithm not in KMS_ALGORITHMS:
        return SSE_S3
    bucket_key = params["BucketKeyEnabled"] if params.get("BucketKeyEnabled") is not None else default_bucket_key
    found, is_managed = _find_key(ctx, bucket.region, account_id, key_id)
    context = {**_request_context(params),
               "aws:s3:arn": bucket_arn(bucket.name) if bucket_key else object_arn(bucket.name, key)}
    _authorize(ctx, "kms:GenerateDataKey", found, bucket.region, context)
    _usable(found)
    return Encryption(algorithm, found.arn, bool(bucket_key), context, is_managed)


def for_service(session: Session, bucket: Bucket, key: str, now: _dt.datetime, *, key_arn: str | None = None,
                context: dict[str, str] | None = None) -> Encryption:
    """The encryption of an object an AWS service delivers (CloudTrail log files): SSE-KMS with ``key_arn`` and the
    encryption ``context`` when the service names its own key (a trail's KmsKeyId: the service checked it), else the
    bucket's default rule, with its key as named (the AWS managed key aws/s3 when none, made when first read),
    unchecked: the service's access to the key and the key's state are not verified here. A KMSMasterKeyID that
    names no key leaves the file SSE-S3."""
    if key_arn is not None:
        return Encryption("aws:kms", key_arn, False, {**(context or {}), "aws:s3:arn": object_arn(bucket.name, key)})
    algorithm, key_id, bucket_key = _default_rule(session, bucket.name)
    if algorithm not in KMS_ALGORITHMS:
        return SSE_S3
    from rootplane.services.kms import managed
    from rootplane.services.kms.keys import resolve

    context = {"aws:s3:arn": bucket_arn(bucket.name) if bucket_key else object_arn(bucket.name, key)}
    if key_id is None or key_id == _AWS_MANAGED:
        return Encryption(algorithm, managed.managed_key_arn("s3", bucket.region, bucket.account_id), bucket_key,
                          context, True)
    try:
        found = resolve(session, bucket.region, bucket.account_id, key_id, now)
    except AwsError:
        return SSE_S3
    return Encryption(algorithm, found.arn, bucket_key, context)


def check_readable(ctx: Any, encryption_json: str | None) -> None:
    """A read of an SSE-KMS object's data: its key must exist and be enabled, and the caller must be allowed
    ``kms:Decrypt`` with the object's encryption context (403 AccessDenied otherwise)."""
    encryption = stored_encryption(encryption_json)
    if not encryption.kms:
        return
    from rootplane.services.kms import managed
    from rootplane.services.kms.keys import resolve

    account_id, region = encryption.key_arn.split(":")[4], encryption.key_arn.split(":")[3]
    if encryption.managed:
        managed.ensure(ctx, _AWS_MANAGED, region=region, account_id=account_id)
    try:
        key = resolve(ctx.session, region, account_id, encryption.key_arn, ctx.now())
    except AwsError as error:
        raise _via_s3(error) from None
    try:
        _authorize(ctx, "kms:Decrypt", key, region, encryption.context)
    except AwsError as error:
        if error.code != "AccessDenied":
            raise
        raise AwsError("AccessDenied", _UNREADABLE, 403) from None
    _usable(key)
