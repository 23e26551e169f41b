"""S3's meaning of "public" for bucket policies (what GetBucketPolicyStatus and BlockPublicPolicy look at)."""

from __future__ import annotations

import ipaddress
import json
from functools import lru_cache
from typing import Any

__all__ = ["is_public"]

# Condition keys that, with fixed values, make a wildcard-principal grant non-public.
_RESTRICTING_KEYS = frozenset(key.lower() for key in (
    "aws:SourceArn", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceOwner", "aws:SourceAccount", "aws:SourceOrgID",
    "aws:SourceOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName", "aws:userid", "aws:SourceIp", "s3:DataAccessPointArn", "s3:DataAccessPointAccount",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
))
_POSITIVE_OPERATORS = ("stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress")


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _wildcard_principal(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any(item == "*" for item in _as_list(principal.get("AWS", [])))
    return False


def _fixed(key: str, value: Any) -> bool:
    text = str(value)
    if key == "aws:sourceip":
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            return False
        return network.prefixlen >= (8 if network.version == 4 else 32)
    return "*" not in text and "?" not in text


def _restricted(condition: Any) -> bool:
    """True when some condition pins a restricting key to fixed values."""
    if not isinstance(condition, dict):
        return False
    for operator, block in condition.items():
        base = operator.lower().removeprefix("forallvalues:").removeprefix("foranyvalue:")
        if base.endswith("ifexists") or base not in _POSITIVE_OPERATORS or not isinstance(block, dict):
            continue
        for key, values in block.items():
            key = key.lower()
            if key in _RESTRICTING_KEYS and all(_fixed(key, value) for value in _as_list(values)):
                return True
    return False


@lru_cache(maxsize=1024)
def is_public(policy_text: str) -> bool:
    """True when an Allow statement grants a wildcard (or NotPrincipal) principal without a restricting condition."""
    try:
        document = json.loads(policy_text)
    except ValueError:
        return False
    for statement in _as_list(document.get("Statement", [])):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if ("NotPrincipal" in statement or _wildcard_principal(statement.get("Principal"))) \
                and not _restricted(statement.get("Condition")):
            return True
    return False
