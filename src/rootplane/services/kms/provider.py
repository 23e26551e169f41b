"""AWS KMS operations (one class per family: keys, aliases, grants, cryptography, multi-Region keys, imported
key material)."""

from __future__ import annotations

from typing import Any

from rootplane.services.kms import managed
from rootplane.services.kms.alias_ops import AliasOperations
from rootplane.services.kms.crypto_ops import CryptoOperations
from rootplane.services.kms.grant_ops import GrantOperations
from rootplane.services.kms.import_ops import ImportOperations
from rootplane.services.kms.key_ops import KeyOperations
from rootplane.services.kms.multi_region_ops import MultiRegionOperations
from rootplane.services.provider import Provider

__all__ = ["KmsProvider", "PROVIDER"]


class KmsProvider(KeyOperations, AliasOperations, GrantOperations, CryptoOperations, MultiRegionOperations,
                  ImportOperations, Provider):
    service_name = "kms"
    write_operations = frozenset({"GetParametersForImport"})  # it stores the wrapping key pair

    def writes(self, operation_name: str, params: dict[str, Any]) -> bool:
        """DescribeKey of a predefined alias makes its AWS managed key (services/kms/managed.py)."""
        return super().writes(operation_name, params) or (
            operation_name in managed.MADE_BY and managed.names_predefined(params.get("KeyId")))


PROVIDER = KmsProvider()
