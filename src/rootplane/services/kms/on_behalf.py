"""KMS keys used by another service on its caller's behalf: S3 objects, SQS queues and SNS topics encrypted with a
KMS key (KMS Developer Guide, "How AWS services use AWS KMS").

The service finds the key its resource names (its own AWS managed key ``aws/<service>`` when none, made at first
use), asks KMS for the caller's permission as KMS decides a request the service makes for it (the key policy with
its grants, the caller's IAM policies and SCPs, ``kms:ViaService`` = ``<service>.<region>.amazonaws.com`` and the
encryption context), and needs an enabled symmetric encryption key to make data keys. Every refusal is KMS's own
AwsError (NotFoundException, DisabledException, KMSInvalidStateException, InvalidKeyUsageException, the caller's
AccessDenied); each service answers it in its own words. ``service_may_use`` decides for an AWS service principal
that sends on its own (SNS delivering to an encrypted queue): the key policy alone, as for any service principal.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.services.kms import managed
from rootplane.services.kms.authz import key_check, service_allowed
from rootplane.services.kms.keys import alias_parts, require_enabled, resolve
from rootplane.services.kms.tables import KeyRow

__all__ = ["find_key", "authorize", "require_usable", "use_key", "service_may_use", "service_may_use_named",
           "refusal_text"]

_SYMMETRIC = "SYMMETRIC_DEFAULT"


def find_key(ctx: Any, region: str, account_id: str, identifier: str, managed_alias: str) -> tuple[KeyRow, bool]:
    """The key ``identifier`` names in ``region`` (a key id or alias being ``account_id``'s), and whether it is the
    service's AWS managed key ``managed_alias`` (made when first named). A key ARN of another Region is not found
    from this one (NotFoundException "Invalid arn <region>", recorded in apache/hadoop#4637)."""
    if identifier.startswith("arn:"):
        parts = identifier.split(":")
        if len(parts) > 3 and parts[3] != region:
            raise AwsError("NotFoundException", f"Invalid arn {parts[3]}", 400)
    alias = alias_parts(identifier, region, account_id)
    is_managed = alias is not None and alias[2] == managed_alias
    if is_managed:
        managed.ensure(ctx, identifier, region=region, account_id=account_id)
    return resolve(ctx.session, region, account_id, identifier, ctx.now()), is_managed


def authorize(ctx: Any, action: str, key: KeyRow, service: str, region: str, context: dict[str, str]) -> None:
    """The caller's ``action`` on ``key`` for a request ``service`` makes on its behalf in ``region``, with the
    encryption ``context``; the caller's AccessDenied when refused."""
    check = key_check(ctx, action, key, {"EncryptionContext": context},
                      context={"kms:ViaService": f"{service}.{region}.amazonaws.com"})
    ctx.authorizer(ctx, [check])


def require_usable(key: KeyRow) -> None:
    """A data key needs an enabled symmetric encryption key."""
    require_enabled(key)
    if key.key_spec != _SYMMETRIC or key.key_usage != "ENCRYPT_DECRYPT":
        raise AwsError("InvalidKeyUsageException", f"{key.arn} is not a symmetric encryption KMS key.", 400)


def use_key(ctx: Any, identifier: str, region: str, account_id: str, managed_alias: str, service: str,
            actions: tuple[str, ...], context: dict[str, str]) -> KeyRow:
    """The key a resource of ``service`` names, once the caller may do each of ``actions`` with it through the
    service and it can make data keys (the whole check SQS and SNS make before using a queue's or topic's key)."""
    key, _ = find_key(ctx, region, account_id, identifier, managed_alias)
    for action in actions:
        authorize(ctx, action, key, service, region, context)
    require_usable(key)
    return key


def refusal_text(kms_code: str, message: str) -> str:
    """KMS's refusal as SQS and SNS word it: KMS's message, then the service suffix their SDK adds (recorded in
    opensearch-project/data-prepper#2422: "(Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException;
    Request ID: ...; Proxy: null)")."""
    return (f"{message} (Service: AWSKMS; Status Code: 400; Error Code: {kms_code}; Request ID: {uuid.uuid4()}; "
            "Proxy: null)")


def service_may_use_named(session: Session, identifier: str, region: str, account_id: str, actions: tuple[str, ...],
                          service: str, source_arn: str | None, now: Any) -> bool:
    """``service_may_use`` for the key ``identifier`` names (a key not found, such as an AWS managed key not made
    yet, whose policy lets no service principal in anyway: no)."""
    try:
        key = resolve(session, region, account_id, identifier, now)
    except AwsError:
        return False
    return service_may_use(session, key, actions, service, source_arn)


def service_may_use(session: Session, key: KeyRow, actions: tuple[str, ...], service: str,
                    source_arn: str | None) -> bool:
    """Whether the AWS service principal ``service`` may do every one of ``actions`` with ``key`` (enabled, its key
    policy allowing it, with ``aws:SourceArn``)."""
    if key.state != "Enabled":
        return False
    context = {"aws:SourceArn": source_arn} if source_arn else {}
    return all(service_allowed(session, key, action, service, context) for action in actions)
