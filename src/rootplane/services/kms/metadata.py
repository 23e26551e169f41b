"""KeyMetadata, as DescribeKey, CreateKey and friends answer it."""

from __future__ import annotations

from typing import Any

from rootplane.services.kms.crypto import algorithms_of
from rootplane.services.kms.keys import ENABLED, PENDING_DELETION
from rootplane.services.kms.rotation import first_material_id
from rootplane.services.kms.tables import KeyRow

__all__ = ["key_metadata"]


def key_metadata(key: KeyRow, replicas: list[KeyRow] | None = None,
                 current_material: str | None = None) -> dict[str, Any]:
    """``replicas``: every Region's row of a multi-Region key (for its MultiRegionConfiguration);
    ``current_material``: the id of a symmetric key's current material (its first when not given)."""
    metadata: dict[str, Any] = {
        "AWSAccountId": key.account_id, "KeyId": key.key_id, "Arn": key.arn, "CreationDate": key.created_at,
        "Enabled": key.state == ENABLED, "Description": key.description, "KeyUsage": key.key_usage,
        "KeyState": key.state, "Origin": key.origin, "KeyManager": key.key_manager, "CustomerMasterKeySpec": key.key_spec,
        "KeySpec": key.key_spec, **algorithms_of(key.key_spec, key.key_usage),
        "MultiRegion": key.primary_region is not None,
    }
    if key.key_spec == "SYMMETRIC_DEFAULT":
        metadata["CurrentKeyMaterialId"] = current_material or first_material_id(key.key_id)
    if key.state == PENDING_DELETION:
        metadata["DeletionDate"] = key.deletion_date
        metadata["PendingDeletionWindowInDays"] = key.pending_window_days
    if key.expiration_model is not None:
        metadata["ExpirationModel"] = key.expiration_model
        if key.valid_to is not None:
            metadata["ValidTo"] = key.valid_to
    if key.primary_region is not None:
        rows = replicas or [key]
        primary = next((row for row in rows if row.region == key.primary_region), key)
        metadata["MultiRegionConfiguration"] = {
            "MultiRegionKeyType": "PRIMARY" if key.region == key.primary_region else "REPLICA",
            "PrimaryKey": {"Arn": primary.arn, "Region": primary.region},
            "ReplicaKeys": [{"Arn": row.arn, "Region": row.region} for row in rows if row is not primary]}
    return metadata
