"""Topics encrypted with a KMS key (the KmsMasterKeyId attribute; SNS Developer Guide, "Securing Amazon SNS data
with server-side encryption", "Setting up topic encryption"): SNS asks KMS for data keys on its publishers' behalf.

A publisher needs ``kms:GenerateDataKey*`` and ``kms:Decrypt`` on the topic's key, decided as KMS decides a request
SNS makes for the caller (``kms:ViaService`` ``sns.<region>.amazonaws.com``, encryption context
``aws:sns:topicArn``); the key is named in the topic owner's account and Region, ``alias/aws/sns`` (made at first
use) being SNS's AWS managed key. An AWS service publishing (CloudWatch alarms, EventBridge, CloudTrail) needs the
key policy to let its service principal do both ("Enable compatibility between event sources from AWS services and
encrypted topics"), which the AWS managed key's policy never does. KMS's refusals are SNS's KMSNotFound,
KMSDisabled, KMSInvalidState, KMSAccessDenied (400, the SNS model's codes), worded as ``on_behalf.refusal_text``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError

__all__ = ["check_publish", "service_may_publish"]

_MANAGED = "alias/aws/sns"
_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")
_ERRORS = {  # KMS's error code -> SNS's
    "NotFoundException": "KMSNotFound", "DisabledException": "KMSDisabled",
    "KMSInvalidStateException": "KMSInvalidState", "InvalidKeyUsageException": "KMSInvalidState",
    "AccessDeniedException": "KMSAccessDenied",
}


def _place(topic: Any) -> tuple[str, str]:
    """(Region, account) of a topic, from its ARN."""
    _, _, _, region, account_id, _ = topic.arn.split(":", 5)
    return region, account_id


def check_publish(ctx: Any, topic: Any, attributes: dict[str, str]) -> None:
    """Publish(Batch) to an encrypted topic (``attributes``: its attributes, read): the publisher's data key (none
    to make for a topic without a key)."""
    key_id = attributes.get("KmsMasterKeyId") or None
    if key_id is None:
        return
    from rootplane.services.kms import on_behalf  # loaded with the first encrypted topic used (issue #19)

    region, account_id = _place(topic)
    try:
        on_behalf.use_key(ctx, key_id, region, account_id, _MANAGED, "sns", _ACTIONS, {"aws:sns:topicArn": topic.arn})
    except AwsError as error:
        kms_code = "AccessDeniedException" if error.code in ("AccessDenied", "AuthorizationError") else error.code
        if kms_code not in _ERRORS:
            raise
        raise AwsError(_ERRORS[kms_code], on_behalf.refusal_text(kms_code, error.message), 400) from None


def service_may_publish(session: Session, topic: Any, attributes: dict[str, str], service: str,
                        source_arn: str | None, now: Any) -> bool:
    """Whether the AWS service principal ``service`` can encrypt a message for the topic (``attributes``: its
    attributes, read; no key: yes)."""
    key_id = attributes.get("KmsMasterKeyId") or None
    if key_id is None:
        return True
    from rootplane.services.kms import on_behalf

    region, account_id = _place(topic)
    return on_behalf.service_may_use_named(session, key_id, region, account_id, _ACTIONS, service, source_arn, now)
