"""Bucket policy validation with S3's MalformedPolicy messages."""

from __future__ import annotations

import fnmatch
import json

from rootplane.core.errors import AwsError
from rootplane.policy import MESSAGES, MalformedPolicy, parse_policy_cached

__all__ = ["validate_bucket_policy", "invalid_principal", "MAX_POLICY_BYTES"]

MAX_POLICY_BYTES = 20 * 1024

_NOT_JSON = "Policies must be valid JSON and the first byte must be '{'"
_ENGINE_TO_S3 = {
    MESSAGES["missing_principal"]: "Missing required field Principal",
    MESSAGES["vendor"]: "Policy has invalid action",
    MESSAGES["one_colon"]: "Policy has invalid action",
}


def _malformed(message: str) -> AwsError:
    return AwsError("MalformedPolicy", message, 400)


def invalid_principal() -> AwsError:
    """A principal that is malformed or names no existing user or role."""
    return _malformed("Invalid principal in policy")


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def _resource_in_bucket(resource: object, bucket: str) -> bool:
    """S3 accepts only resources that can name this bucket or its objects."""
    if not isinstance(resource, str):
        return False
    if resource == "*":
        return True
    if not resource.startswith("arn:aws:s3:::"):
        return False
    bucket_part = resource[len("arn:aws:s3:::"):].split("/", 1)[0]
    return fnmatch.fnmatchcase(bucket, bucket_part) or (bucket_part.endswith("*") and bucket.startswith(bucket_part[:-1]))


def _check_statements(document: dict, bucket: str) -> None:
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, dict):
            continue
        if "Principal" not in statement and "NotPrincipal" not in statement:
            raise _malformed("Missing required field Principal")
        for action in _as_list(statement.get("Action", statement.get("NotAction", []))):
            if not isinstance(action, str) or not (action == "*" or action.lower().startswith("s3:")):
                raise _malformed("Policy has invalid action")
        for resource in _as_list(statement.get("Resource", statement.get("NotResource", []))):
            if not _resource_in_bucket(resource, bucket):
                raise _malformed("Policy has invalid resource")


def validate_bucket_policy(text: str, bucket: str) -> None:
    """Raise MalformedPolicy (400) unless ``text`` is a valid policy for ``bucket``."""
    if len(text.encode("utf-8")) > MAX_POLICY_BYTES:
        raise _malformed("Policies must be less than 20 KB")
    try:
        document = json.loads(text) if text.lstrip().startswith("{") else None
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise _malformed(_NOT_JSON)
    _check_statements(document, bucket)
    try:
        parse_policy_cached(text, "resource")
    except MalformedPolicy as exc:
        if exc.about_principal:
            raise invalid_principal() from None
        raise _malformed(_ENGINE_TO_S3.get(exc.message, exc.message)) from None
