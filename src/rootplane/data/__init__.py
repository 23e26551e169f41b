"""AWS-managed policy documents shipped as data (AWS managed IAM policies, Organizations' managed SCP/RCP).

Files are read lazily on first call and cached; nothing is read at import time.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["load_managed_policies", "load_organizations_policies", "managed_policy_by_arn"]


def _load_folder(folder: str) -> tuple[dict[str, Any], ...]:
    root = resources.files(__name__).joinpath(folder)
    records = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            records.append(json.loads(entry.read_text(encoding="utf-8")))
    return tuple(records)


@lru_cache(maxsize=1)
def _managed() -> tuple[dict[str, Any], ...]:
    return _load_folder("managed_policies")


def load_managed_policies() -> list[dict[str, Any]]:
    """AWS managed IAM policies: dicts with PolicyName, Path, Arn, PolicyId, DefaultVersionId, Description,
    Document (a dict), CreateDate, UpdateDate, IsAttachable.  Returns a new list of shared (do-not-mutate) dicts."""
    return list(_managed())


@lru_cache(maxsize=1)
def _by_arn() -> dict[str, dict[str, Any]]:
    return {record["Arn"]: record for record in _managed()}


def managed_policy_by_arn(arn: str) -> dict[str, Any] | None:
    """One AWS managed policy by ARN, or None."""
    return _by_arn().get(arn)


@lru_cache(maxsize=1)
def _organizations() -> tuple[dict[str, Any], ...]:
    return _load_folder("organizations_policies")


def load_organizations_policies() -> list[dict[str, Any]]:
    """AWS managed Organizations policies (FullAWSAccess SCP, RCPFullAWSAccess RCP) in DescribePolicy's shape:
    ``{"PolicySummary": {...}, "Content": "<json text>"}``."""
    return list(_organizations())
