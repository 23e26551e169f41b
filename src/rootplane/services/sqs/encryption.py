"""Queues encrypted with a KMS key (the KmsMasterKeyId attribute; SQS Developer Guide, "Encryption at rest", "Key
management": SQS asks KMS for data keys on its callers' behalf).

A producer needs ``kms:GenerateDataKey`` and ``kms:Decrypt`` on the queue's key, a consumer ``kms:Decrypt`` ("Configure
KMS permissions for producers / consumers"), each decided as KMS decides a request SQS makes for the caller
(``kms:ViaService`` ``sqs.<region>.amazonaws.com``, encryption context ``aws:sqs:arn``); the key is named in the queue
owner's account and Region, ``alias/aws/sqs`` (made at first use) being SQS's AWS managed key. An AWS service sending
to an encrypted queue (SNS, EventBridge) needs the key policy to let its service principal do both ("Enable
compatibility between encrypted queues and AWS services"), which the AWS managed key's policy never does.

KMS's refusals are SQS errors (status 400): KmsNotFound, KmsDisabled, KmsInvalidState, KmsInvalidKeyUsage,
KmsAccessDenied, whose query codes (what clients show) are ``KMS.<KMS error>`` (the SQS model's query error codes),
their message KMS's with the service suffix SQS adds (``on_behalf.refusal_text``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.services.sqs.urls import queue_arn

__all__ = ["check_send", "check_receive", "service_may_send"]

_MANAGED = "alias/aws/sqs"
# KMS's error code -> (SQS's error shape, its query code)
_ERRORS = {
    "NotFoundException": ("KmsNotFound", "KMS.NotFoundException"),
    "DisabledException": ("KmsDisabled", "KMS.DisabledException"),
    "KMSInvalidStateException": ("KmsInvalidState", "KMS.InvalidStateException"),
    "InvalidKeyUsageException": ("KmsInvalidKeyUsage", "KMS.InvalidKeyUsageException"),
    "AccessDeniedException": ("KmsAccessDenied", "KMS.AccessDeniedException"),
}
_UNREADABLE = ("The ciphertext refers to a customer master key that does not exist, does not exist in this region, "
               "or you are not allowed to access.")


def _as_sqs(kms_code: str, message: str) -> AwsError:
    from rootplane.services.kms import on_behalf

    shape, query_code = _ERRORS[kms_code]
    return AwsError(shape, on_behalf.refusal_text(kms_code, message), 400, query_code=query_code)


def _check(ctx: Any, queue: Any, attributes: dict[str, str], actions: tuple[str, ...],
           denied_message: str | None = None) -> None:
    """The caller's ``actions`` with the key of the queue (``attributes``: its attributes, read; no key: nothing to
    check), as SQS answers KMS's refusals."""
    key_id = attributes.get("KmsMasterKeyId") or None
    if key_id is None:
        return
    from rootplane.services.kms import on_behalf  # loaded with the first encrypted queue used (issue #19)

    context = {"aws:sqs:arn": queue_arn(queue.region, queue.account_id, queue.name)}
    try:
        on_behalf.use_key(ctx, key_id, queue.region, queue.account_id, _MANAGED, "sqs", actions, context)
    except AwsError as error:
        if error.code in ("AccessDenied", "AccessDeniedException"):
            raise _as_sqs("AccessDeniedException", denied_message or error.message) from None
        if error.code in _ERRORS:
            raise _as_sqs(error.code, error.message) from None
        raise


def check_send(ctx: Any, queue: Any, attributes: dict[str, str]) -> None:
    """SendMessage(Batch) to an encrypted queue: the producer's data key (kms:GenerateDataKey, kms:Decrypt)."""
    _check(ctx, queue, attributes, ("kms:GenerateDataKey", "kms:Decrypt"))


def check_receive(ctx: Any, queue: Any, attributes: dict[str, str]) -> None:
    """ReceiveMessage handing out messages of an encrypted queue: the consumer's kms:Decrypt."""
    _check(ctx, queue, attributes, ("kms:Decrypt",), _UNREADABLE)


def service_may_send(session: Session, queue: Any, attributes: dict[str, str], service: str, source_arn: str | None,
                     now: Any) -> bool:
    """Whether the AWS service principal ``service`` can encrypt a message for the queue (``attributes``: its
    attributes, read; no key: yes)."""
    key_id = attributes.get("KmsMasterKeyId") or None
    if key_id is None:
        return True
    from rootplane.services.kms import on_behalf

    return on_behalf.service_may_use_named(
        session, key_id, queue.region, queue.account_id, ("kms:GenerateDataKey", "kms:Decrypt"), service, source_arn,
        now)
