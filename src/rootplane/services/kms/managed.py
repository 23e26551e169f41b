"""AWS managed keys: the KMS key AWS makes in an account and Region for one service, named by its predefined alias
``alias/aws/<service>``.

The alias is listed before the key exists, without a TargetKeyId (ListAliases' documentation); the key is made when
DescribeKey first names the alias (DescribeKey's KeyId: "If you specify a predefined AWS alias (an AWS alias with no
key ID), KMS associates the alias with an AWS managed key"), or Encrypt or GenerateDataKey, as the service does. Its key policy lets the account's principals use it only
through the service (kms:ViaService, kms:CallerAccount) and read its metadata, so nobody may manage it (Developer
Guide, "AWS managed keys" and "Examine the key policy"); AWS rotates it every year (EnableKeyRotation's documentation).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from rootplane.services.kms import repo
from rootplane.services.kms.crypto import new_material
from rootplane.services.kms.keys import ENABLED, alias_parts, key_arn
from rootplane.services.kms.master import seal
from rootplane.services.kms.policy import aws_layout
from rootplane.services.kms.rotation import DEFAULT_ROTATION_DAYS
from rootplane.services.kms.tables import AliasRow, KeyRow

__all__ = ["AWS", "PREDEFINED", "MADE_BY", "names_predefined", "managed_key_arn", "ensure"]

AWS = "AWS"  # KeyMetadata.KeyManager of an AWS managed key
_PREFIX = "alias/aws/"
# The operations whose KeyId makes the key: DescribeKey, and those a service calls with it.
MADE_BY = frozenset({"DescribeKey", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext"})
# Key ids derive from the account, Region and service: a call refused after making the key (rolled back) names the
# key a later call makes, and two servers making it at once make one.
_KEY_IDS = uuid.UUID("6b0d3c52-4a8e-4f57-9a43-2f1f5d1e7c10")


@dataclass(frozen=True)
class _Service:
    """What AWS writes in a service's AWS managed key: its description, its key policy's Id, and the Sid and the
    actions of the policy's statement allowing use through the service."""

    description: str
    policy_id: str
    sid: str
    actions: tuple[str, ...]


def _through(name: str, short: str) -> str:
    return f"Allow access through {name} for all principals in the account that are authorized to use {short}"


# The services served here that use an AWS managed key. The S3 description is the AWS CLI reference's describe-key
# example's; the others, and the policies, are those AWS writes in accounts (GetKeyPolicy, DescribeKey).
_SERVICES = {
    "s3": _Service("Default KMS key that protects my S3 objects when no other key is defined", "auto-s3-2",
                   _through("S3", "S3"),
                   ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey")),
    "sns": _Service("Default key that protects my SNS data when no other key is defined", "auto-sns-2",
                    _through("SNS", "SNS"),
                    ("kms:Decrypt", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:ListGrants", "kms:DescribeKey")),
    "sqs": _Service("Default key that protects my SQS messages when no other key is defined", "auto-sqs-1",
                    _through("Simple Queue Service (SQS)", "SQS"),
                    ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant",
                     "kms:DescribeKey")),
}
PREDEFINED = tuple(_PREFIX + service for service in sorted(_SERVICES))


def names_predefined(identifier: Any) -> bool:
    """Whether a request's key identifier is a predefined alias (by name or alias ARN)."""
    if not isinstance(identifier, str):
        return False
    parts = alias_parts(identifier, "", "")
    return parts is not None and parts[2] in PREDEFINED


def _policy(account_id: str, region: str, service: str) -> str:
    spec = _SERVICES[service]
    return aws_layout({"Version": "2012-10-17", "Id": spec.policy_id, "Statement": [
        {"Sid": spec.sid, "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": list(spec.actions), "Resource": "*",
         "Condition": {"StringEquals": {"kms:CallerAccount": account_id,
                                        "kms:ViaService": f"{service}.{region}.amazonaws.com"}}},
        {"Sid": "Allow direct access to key metadata to the account", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
         "Action": ["kms:Describe*", "kms:Get*", "kms:List*"], "Resource": "*"}]})


def managed_key_arn(service: str, region: str, account_id: str) -> str:
    """The ARN of ``service``'s AWS managed key in an account and Region, made or not yet."""
    return key_arn(region, account_id, str(uuid.uuid5(_KEY_IDS, f"{account_id}:{region}:{service}")))


def ensure(ctx: Any, identifier: str, *, region: str | None = None, account_id: str | None = None) -> None:
    """Make the AWS managed key of the predefined alias ``identifier`` names in the caller's account and Region (or
    ``account_id`` and ``region``: S3 using the bucket owner's key in the bucket's Region), with its alias, unless it
    exists (a request naming it then finds it)."""
    region, account_id = region or ctx.region, account_id or ctx.account_id
    parts = alias_parts(identifier, region, account_id)
    if parts is None or parts[:2] != (region, account_id) or parts[2] not in PREDEFINED:
        return
    name = parts[2]
    if repo.find_alias(ctx.session, account_id, region, name) is not None:
        return
    service, now = name[len(_PREFIX):], ctx.now()
    arn = managed_key_arn(service, region, account_id)
    key_id = arn.rsplit("/", 1)[1]
    repo.put(ctx.session, KeyRow(
        key_id=key_id, account_id=account_id, region=region, arn=arn, key_spec="SYMMETRIC_DEFAULT",
        key_usage="ENCRYPT_DECRYPT", state=ENABLED, description=_SERVICES[service].description,
        policy=_policy(account_id, region, service), sealed_material=seal(ctx.config, new_material(
            "SYMMETRIC_DEFAULT"), arn), rotation_enabled=True, rotation_period_days=DEFAULT_ROTATION_DAYS,
        rotation_started_at=now, rotation_checked_at=now, tags_json=json.dumps({}), created_at=now, origin="AWS_KMS",
        key_manager=AWS))
    repo.put(ctx.session, AliasRow(account_id=account_id, region=region, name=name, key_id=key_id,
                                   created_at=now, updated_at=now))
