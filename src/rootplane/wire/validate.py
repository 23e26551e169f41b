"""Model-driven input validation with AWS-worded messages (required, type, length, range, pattern, enum)."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from botocore.model import Shape, StructureShape

from ..core.errors import AwsError

__all__ = ["validate", "validation_errors", "error_code_for"]

_MAX_REPORTED = 10
# (input structure, member) whose constraints the service checks itself, answering with its own modelled error
# (CloudTrail LookupEvents: InvalidMaxResultsException, InvalidEventCategoryException), not ValidationException.
SERVICE_CHECKED = frozenset({("LookupEventsRequest", "MaxResults"), ("LookupEventsRequest", "EventCategory")})
_INTS = frozenset(("integer", "long", "short", "byte", "biginteger"))
_FLOATS = frozenset(("float", "double", "bigdecimal"))


def error_code_for(style: str) -> str:
    """The validation error code a protocol's services use."""
    if style == "query":
        return "ValidationError"
    if style == "rest-xml":
        return "InvalidArgument"
    return "ValidationException"


@lru_cache(maxsize=4096)
def _pattern(text: str) -> re.Pattern[str] | None:
    try:
        return re.compile(text)
    except re.error:
        return None


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:] if name else name


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return "java.nio.HeapByteBuffer"
    return str(value)


def _type_ok(shape: Shape, value: Any) -> bool:
    kind = shape.type_name
    if kind == "structure":
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list)
    if kind == "map":
        return isinstance(value, dict)
    if kind == "string":
        return isinstance(value, str)
    if kind in _INTS:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in _FLOATS:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "timestamp":
        return isinstance(value, (datetime, int, float))
    if kind == "blob":
        return isinstance(value, (bytes, bytearray, str)) or hasattr(value, "read")
    return True


def _check(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    if not _type_ok(shape, value):
        errors.append(f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: Member must be of type {shape.type_name}")
        return
    kind = shape.type_name
    metadata = shape.metadata
    if kind == "structure":
        if shape.is_document_type:
            return
        for name in shape.required_members:
            if value.get(name) is None:
                errors.append(f"Value null at '{_join(path, name)}' failed to satisfy constraint: Member must not be null")
        for name, member in shape.members.items():
            item = value.get(name)
            if item is not None and (shape.name, name) not in SERVICE_CHECKED:
                _check(member, item, _join(path, name), errors)
        return
    if kind in ("string", "list", "map", "blob"):
        if kind == "string" and shape.enum and value not in shape.enum:
            errors.append(
                f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(shape.enum)}]"
            )
        length = len(value) if not hasattr(value, "read") else None
        if length is not None:
            if "min" in metadata and length < metadata["min"]:
                errors.append(
                    f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
                    f"Member must have length greater than or equal to {metadata['min']}"
                )
            if "max" in metadata and length > metadata["max"]:
                errors.append(
                    f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
                    f"Member must have length less than or equal to {metadata['max']}"
                )
        if kind == "string" and "pattern" in metadata and not shape.enum:
            compiled = _pattern(metadata["pattern"])
            if compiled is not None and compiled.fullmatch(value) is None:
                errors.append(
                    f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
                    f"Member must satisfy regular expression pattern: {metadata['pattern']}"
                )
        if kind == "list":
            for index, item in enumerate(value, 1):
                if item is not None:
                    _check(shape.member, item, f"{path}.{index}.member", errors)
        elif kind == "map":
            for key, item in value.items():
                _check(shape.key, key, f"{path}.key", errors)
                if item is not None:
                    _check(shape.value, item, f"{path}.{key}.value", errors)
        return
    if kind in _INTS or kind in _FLOATS:
        if "min" in metadata and value < metadata["min"]:
            errors.append(
                f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
                f"Member must have value greater than or equal to {metadata['min']}"
            )
        if "max" in metadata and value > metadata["max"]:
            errors.append(
                f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
                f"Member must have value less than or equal to {metadata['max']}"
            )


def _join(path: str, name: str) -> str:
    camel = _lower_camel(name)
    return f"{path}.{camel}" if path else camel


def validation_errors(shape: StructureShape, params: dict[str, Any]) -> list[str]:
    """Every constraint violation, AWS-worded, in model order."""
    errors: list[str] = []
    _check(shape, params, "", errors)
    return errors


def validate(shape: StructureShape | None, params: dict[str, Any], *, style: str) -> None:
    """Raise an AwsError (code chosen by ``style``: the protocol name) when params break the model."""
    if shape is None:
        return
    errors = validation_errors(shape, params)
    if not errors:
        return
    count = len(errors)
    shown = "; ".join(errors[:_MAX_REPORTED])
    noun = "error" if count == 1 else "errors"
    raise AwsError(error_code_for(style), f"{count} validation {noun} detected: {shown}", 400)
