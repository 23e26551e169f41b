"""Shape-driven conversion between JSON documents and botocore-shaped Python values."""

from __future__ import annotations

import math
from typing import Any

from botocore.model import Shape

from .values import RESPONSE_LOCATIONS, b64decode, b64encode, format_timestamp, parse_timestamp

__all__ = ["from_json", "to_json", "JsonShapeError"]

_INTS = frozenset(("integer", "long", "short", "byte", "biginteger"))
_FLOATS = frozenset(("float", "double", "bigdecimal"))
_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class JsonShapeError(ValueError):
    """A JSON value does not match its modelled shape."""


def _expect(condition: bool, shape: Shape, value: Any) -> None:
    if not condition:
        raise JsonShapeError(f"Value {value!r} is not valid for shape {shape.name} of type {shape.type_name}")


def from_json(shape: Shape, value: Any) -> Any:
    """Decode a parsed-JSON value into botocore's Python shape (datetimes, bytes...)."""
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return value
        _expect(isinstance(value, dict), shape, value)
        result: dict[str, Any] = {}
        for name, member in shape.members.items():
            if member.serialization.get("location"):
                continue
            key = member.serialization.get("name", name)
            if key in value and value[key] is not None:
                result[name] = from_json(member, value[key])
        return result
    if kind == "list":
        _expect(isinstance(value, list), shape, value)
        member = shape.member
        return [from_json(member, item) for item in value]
    if kind == "map":
        _expect(isinstance(value, dict), shape, value)
        value_shape = shape.value
        return {key: from_json(value_shape, item) for key, item in value.items()}
    if kind == "string":
        _expect(isinstance(value, str), shape, value)
        return value
    if kind in _INTS:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        _expect(isinstance(value, int) and not isinstance(value, bool), shape, value)
        return value
    if kind in _FLOATS:
        if isinstance(value, str) and value in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[value]
        _expect(isinstance(value, (int, float)) and not isinstance(value, bool), shape, value)
        return value
    if kind == "boolean":
        _expect(isinstance(value, bool), shape, value)
        return value
    if kind == "timestamp":
        _expect(isinstance(value, (int, float, str)) and not isinstance(value, bool), shape, value)
        try:
            return parse_timestamp(value)
        except (ValueError, OverflowError, OSError) as exc:
            raise JsonShapeError(str(exc)) from exc
    if kind == "blob":
        _expect(isinstance(value, str), shape, value)
        try:
            return b64decode(value)
        except ValueError as exc:
            raise JsonShapeError(str(exc)) from exc
    return value


def to_json(shape: Shape, value: Any, ts_default: str = "unixTimestamp") -> Any:
    """Encode a botocore-shaped Python value into a JSON-ready value."""
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return value
        result: dict[str, Any] = {}
        for name, member in shape.members.items():
            item = value.get(name)
            if item is None or member.serialization.get("location") in RESPONSE_LOCATIONS:
                continue
            result[member.serialization.get("name", name)] = to_json(member, item, ts_default)
        return result
    if kind == "list":
        member = shape.member
        return [None if item is None else to_json(member, item, ts_default) for item in value]
    if kind == "map":
        value_shape = shape.value
        return {key: None if item is None else to_json(value_shape, item, ts_default) for key, item in value.items()}
    if kind == "timestamp":
        return format_timestamp(value, shape.serialization.get("timestampFormat", ts_default))
    if kind == "blob":
        return b64encode(value)
    if kind in _FLOATS and isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value
