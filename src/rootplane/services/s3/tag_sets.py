"""Tag sets of buckets and objects: S3's checks of a tag set and the ``x-amz-tagging`` header's form.

Keys are at most 128 and values 256 Unicode characters of letters, numbers, spaces and ``_ . : / = + - @`` (the user
guide's "Categorizing your objects using tags" and the Billing guide's "Tag restrictions"); an object has at most 10
tags (the S3 API reference, PutObjectTagging)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote_plus

from rootplane.core.errors import AwsError

__all__ = ["MAX_OBJECT_TAGS", "check_tag_set", "check_object_tags", "header_tags", "stored_tags", "tag_context"]

MAX_OBJECT_TAGS = 10
_TEXT = re.compile(r"[\w .:/=+\-@]*")
_HEADER_FORM = ("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without "
                "tag name duplicates.")


def _invalid_tag(message: str) -> AwsError:
    return AwsError("InvalidTag", message, 400)


def check_tag_set(tags: list[dict[str, str]], system_key_message: str) -> None:
    """S3's checks of each tag of a set: unique keys, no ``aws:`` keys (``system_key_message``), lengths and
    characters."""
    keys = [tag.get("Key", "") for tag in tags]
    if len(set(keys)) != len(keys):
        raise _invalid_tag("Cannot provide multiple Tags with the same key")
    for tag in tags:
        key, value = tag.get("Key", ""), tag.get("Value", "")
        if key.lower().startswith("aws:"):
            raise _invalid_tag(system_key_message)
        if len(key) > 128:
            raise _invalid_tag("The TagKey you have provided is too long, max 128")
        if len(value) > 256:
            raise _invalid_tag("The TagValue you have provided is too long, max 256")
        if not key or not _TEXT.fullmatch(key):
            raise _invalid_tag("The TagKey you have provided is invalid")
        if not _TEXT.fullmatch(value):
            raise _invalid_tag("The TagValue you have provided is invalid")


def check_object_tags(tags: list[dict[str, str]]) -> list[dict[str, str]]:
    """An object's tag set, checked (at most 10 tags, BadRequest beyond); each tag as {"Key", "Value"}."""
    if len(tags) > MAX_OBJECT_TAGS:
        raise AwsError("BadRequest", f"Object tags cannot be greater than {MAX_OBJECT_TAGS}", 400)
    check_tag_set(tags, "Your TagKey cannot be prefixed with aws:")
    return [{"Key": tag["Key"], "Value": tag.get("Value", "")} for tag in tags]


def header_tags(text: str | None) -> list[dict[str, str]]:
    """The tags of an ``x-amz-tagging`` header (``key1=value1&key2=value2``, URL-encoded), unchecked; a pair with
    two ``=`` or a repeated key is InvalidArgument."""
    tags: list[dict[str, str]] = []
    for pair in (text or "").split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        if "=" in value or any(tag["Key"] == unquote_plus(key) for tag in tags):
            raise AwsError("InvalidArgument", _HEADER_FORM, 400,
                           fields={"ArgumentName": "x-amz-tagging", "ArgumentValue": text})
        tags.append({"Key": unquote_plus(key), "Value": unquote_plus(value)})
    return tags


def stored_tags(tags_json: str | None) -> list[dict[str, str]]:
    """The tag set kept in a ``tags_json`` column (None: no tags)."""
    return json.loads(tags_json) if tags_json else []


def tag_context(tags: list[dict[str, str]]) -> dict[str, Any]:
    """The condition keys of a request that sets object tags (s3:RequestObjectTagKeys, s3:RequestObjectTag/<key>)."""
    context: dict[str, Any] = {f"s3:RequestObjectTag/{tag['Key']}": tag.get("Value", "") for tag in tags}
    context["s3:RequestObjectTagKeys"] = [tag["Key"] for tag in tags]
    return context
