"""Checks IAM makes on inputs beyond the model: paths, tag sets, policy documents and their size quotas."""

from __future__ import annotations

import re
from typing import Any

from rootplane.policy import MalformedPolicy, parse_policy_cached
from rootplane.services.iam import errors

__all__ = ["check_path", "check_document", "merge_tags", "remove_tags", "policy_size", "MAX_TAGS"]

MAX_TAGS = 50
_PATH_RE = re.compile(r"^/(?:[\u0021-\u007E]+/)?$")
_WHITESPACE_RE = re.compile(r"\s+")


def check_path(path: str | None, member: str = "path") -> str:
    """A valid IAM path (default ``/``)."""
    if path is None:
        return "/"
    if not _PATH_RE.match(path) or "//" in path:
        raise errors.validation(
            f"The specified value for {member} is invalid. It must begin and end with / and contain only "
            "alphanumeric characters and/or / characters.")
    return path


def policy_size(document: str) -> int:
    """IAM counts policy size without whitespace."""
    return len(_WHITESPACE_RE.sub("", document))


def check_document(document: str, kind: str = "identity") -> None:
    """Raise MalformedPolicyDocument with IAM's message when the document is not a valid policy of ``kind``."""
    try:
        parse_policy_cached(document, kind)
    except MalformedPolicy as exc:
        raise errors.malformed_policy(str(exc)) from None


def merge_tags(current: list[Any] | None, new: list[dict[str, str]] | None) -> list[list[str]]:
    """Add or overwrite tags, keeping order; at most 50 per resource."""
    given = [tag["Key"].lower() for tag in new or []]
    if len(set(given)) != len(given):
        raise errors.invalid_input("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
    merged = {key: value for key, value in (current or [])}
    lowered = {key.lower(): key for key in merged}
    for tag in new or []:
        key = lowered.get(tag["Key"].lower(), tag["Key"])
        if tag["Key"].lower().startswith("aws:"):
            raise errors.invalid_input("User is not authorized to perform tag operations on reserved aws: tags.")
        merged[key] = tag["Value"]
        lowered[key.lower()] = key
    if len(merged) > MAX_TAGS:
        raise errors.limit_exceeded(f"The number of tags has reached the maximum limit of {MAX_TAGS}.")
    return [[key, value] for key, value in merged.items()]


def remove_tags(current: list[Any] | None, keys: list[str]) -> list[list[str]]:
    drop = {key.lower() for key in keys}
    return [[key, value] for key, value in (current or []) if key.lower() not in drop]
