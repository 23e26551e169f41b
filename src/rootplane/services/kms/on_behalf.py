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

from typing import Any

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.services.kms import managed
from rootplane.services.kms.authz import key_check, service_allowed
from rootplane.services.kms.keys import alias_parts, require_enabled, resolve
from rootplane.services.kms.tables import KeyRow

__all__ = ["find_key", "authorize", "require_usable", "service_may_use"]

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


def service_may_use(session: Session, key: KeyRow, actions: tuple[str, ...], service: str,
                    source_arn: str | None) -> bool:
    """Whether the AWS service principal ``service`` may do every one of ``actions`` with ``key`` (enabled, its key
    policy allowing it, with ``aws:SourceArn``)."""
    if key.state != "Enabled":
        return False
    context = {"aws:SourceArn": source_arn} if source_arn else {}
    return all(service_allowed(session, key, action, service, context) for action in actions)
