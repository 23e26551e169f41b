"""AWS-managed policy documents shipped as data (AWS managed IAM policies, Organizations' managed SCP/RCP).

Files are read lazily on first call and cached; nothing is read at import time.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
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
def _curated() -> tuple[dict[str, Any], ...]:
    """The policies rootplane keeps as files (root-task policies and the common ones, with AWS's ids)."""
    return _load_folder("managed_policies")


@lru_cache(maxsize=1)
def _curated_by_arn() -> dict[str, dict[str, Any]]:
    return {record["Arn"]: record for record in _curated()}


def _policy_id(arn: str) -> str:
    """A stable AWS-shaped policy id (ANPA + 17 base32 characters) for a published policy whose id is unknown."""
    digest = base64.b32encode(hashlib.sha256(arn.encode()).digest()).decode()
    return "ANPA" + digest[:17]


def _published_record(entry: dict[str, Any]) -> dict[str, Any]:
    arn = entry["arn"]
    name_and_path = arn.split(":policy", 1)[1]
    path, name = name_and_path.rsplit("/", 1)
    created = entry["createdate"].replace("+00:00", "Z")
    return {
        "PolicyName": name, "Path": path + "/", "Arn": arn, "PolicyId": _policy_id(arn),
        "DefaultVersionId": entry["version"], "Document": entry["document"], "CreateDate": created,
        "UpdateDate": (entry.get("updatedate") or created).replace("+00:00", "Z"),
        "IsAttachable": not entry.get("deprecated", False),
    }


@lru_cache(maxsize=1)
def _published() -> tuple[dict[str, Any], ...]:
    """AWS's published managed policies (aws_managed_policies.json.gz, see data/README.md), less the curated ones."""
    raw = resources.files(__name__).joinpath("aws_managed_policies.json.gz").read_bytes()
    curated = _curated_by_arn()
    return tuple(_published_record(entry) for entry in json.loads(gzip.decompress(raw)) if entry["arn"] not in curated)


@lru_cache(maxsize=1)
def _managed() -> tuple[dict[str, Any], ...]:
    return _curated() + _published()


def load_managed_policies() -> list[dict[str, Any]]:
    """AWS managed IAM policies: dicts with PolicyName, Path, Arn, PolicyId, DefaultVersionId, Description (curated
    ones only), Document (a dict), CreateDate, UpdateDate, IsAttachable.  Returns a new list of shared (do-not-mutate)
    dicts."""
    return list(_managed())


@lru_cache(maxsize=1)
def _by_arn() -> dict[str, dict[str, Any]]:
    return {record["Arn"]: record for record in _managed()}


def managed_policy_by_arn(arn: str) -> dict[str, Any] | None:
    """One AWS managed policy by ARN, or None.  The curated policies (every root-task policy among them) are found
    without reading the published set."""
    return _curated_by_arn().get(arn) or _by_arn().get(arn)


@lru_cache(maxsize=1)
def _organizations() -> tuple[dict[str, Any], ...]:
    return _load_folder("organizations_policies")


def load_organizations_policies() -> list[dict[str, Any]]:
    """AWS managed Organizations policies (FullAWSAccess SCP, RCPFullAWSAccess RCP) in DescribePolicy's shape:
    ``{"PolicySummary": {...}, "Content": "<json text>"}``."""
    return list(_organizations())
