"""AWS-managed Organizations policies (FullAWSAccess, RCPFullAWSAccess): immutable, shared by every org."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rootplane.data import load_organizations_policies

__all__ = ["managed_policy", "managed_for_type", "is_managed"]


@lru_cache(maxsize=1)
def _by_id() -> dict[str, dict[str, Any]]:
    return {record["PolicySummary"]["Id"]: record for record in load_organizations_policies()}


def managed_policy(policy_id: str) -> dict[str, Any] | None:
    """DescribePolicy's ``Policy`` shape of an AWS-managed policy, or None."""
    return _by_id().get(policy_id)


def is_managed(policy_id: str) -> bool:
    return policy_id in _by_id()


def managed_for_type(policy_type: str) -> list[dict[str, Any]]:
    """AWS-managed policies of one type, ordered by id."""
    return sorted((r for r in _by_id().values() if r["PolicySummary"]["Type"] == policy_type),
                  key=lambda r: r["PolicySummary"]["Id"])
