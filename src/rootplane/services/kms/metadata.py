"""KeyMetadata, as DescribeKey, CreateKey and friends answer it."""

from __future__ import annotations

from typing import Any

from rootplane.services.kms.crypto import algorithms_of
from rootplane.services.kms.keys import ENABLED, PENDING_DELETION
from rootplane.services.kms.tables import KeyRow

__all__ = ["key_metadata"]


def key_metadata(key: KeyRow) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "AWSAccountId": key.account_id, "KeyId": key.key_id, "Arn": key.arn, "CreationDate": key.created_at,
        "Enabled": key.state == ENABLED, "Description": key.description, "KeyUsage": key.key_usage,
        "KeyState": key.state, "Origin": "AWS_KMS", "KeyManager": "CUSTOMER", "CustomerMasterKeySpec": key.key_spec,
        "KeySpec": key.key_spec, **algorithms_of(key.key_spec, key.key_usage), "MultiRegion": False,
    }
    if key.state == PENDING_DELETION:
        metadata["DeletionDate"] = key.deletion_date
        metadata["PendingDeletionWindowInDays"] = key.pending_window_days
    return metadata
