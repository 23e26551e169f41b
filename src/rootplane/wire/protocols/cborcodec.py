"""Shape-driven conversion between decoded CBOR items and botocore-shaped Python values (Smithy RPC v2 CBOR).

CBOR carries types JSON lacks: byte strings are blobs as they are, timestamps are tag 1 (epoch seconds, which
cbor2 decodes to an aware datetime), floats keep NaN and infinities. What is left to the shape is checking types
and, for output, giving floats, datetimes and bytes the CBOR types botocore's parser expects.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from botocore.model import Shape

from .values import RESPONSE_LOCATIONS, parse_timestamp

__all__ = ["from_cbor", "to_cbor", "CborShapeError"]

_INTS = frozenset(("integer", "long", "short", "byte", "biginteger"))
_FLOATS = frozenset(("float", "double", "bigdecimal"))


class CborShapeError(ValueError):
    """A decoded CBOR item does not match its modelled shape."""


def _expect(condition: bool, shape: Shape, value: Any) -> None:
    if not condition:
        raise CborShapeError(f"Value {value!r:.100} is not valid for shape {shape.name} of type {shape.type_name}")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def from_cbor(shape: Shape, value: Any) -> Any:
    """Decode a CBOR item (as cbor2 returns it) into botocore's Python shape; nulls are dropped."""
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
            item = value.get(member.serialization.get("name", name))
            if item is not None:
                result[name] = from_cbor(member, item)
        return result
    if kind == "list":
        _expect(isinstance(value, list), shape, value)
        return [from_cbor(shape.member, item) for item in value]
    if kind == "map":
        _expect(isinstance(value, dict) and all(isinstance(key, str) for key in value), shape, value)
        return {key: from_cbor(shape.value, item) for key, item in value.items() if item is not None}
    if kind == "string":
        _expect(isinstance(value, str), shape, value)
        return value
    if kind in _INTS:
        _expect(isinstance(value, int) and not isinstance(value, bool), shape, value)
        return value
    if kind in _FLOATS:
        _expect(_number(value), shape, value)
        return float(value)
    if kind == "boolean":
        _expect(isinstance(value, bool), shape, value)
        return value
    if kind == "timestamp":
        _expect(isinstance(value, datetime) or _number(value), shape, value)
        try:
            return parse_timestamp(value)
        except (ValueError, OverflowError, OSError) as exc:
            raise CborShapeError(str(exc)) from exc
    if kind == "blob":
        _expect(isinstance(value, (bytes, bytearray)), shape, value)
        return bytes(value)
    return value


def to_cbor(shape: Shape, value: Any) -> Any:
    """Encode a botocore-shaped Python value into items cbor2 writes as Smithy RPC v2 CBOR expects."""
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return value
        result: dict[str, Any] = {}
        for name, member in shape.members.items():
            item = value.get(name)
            if item is None or member.serialization.get("location") in RESPONSE_LOCATIONS:
                continue
            result[member.serialization.get("name", name)] = to_cbor(member, item)
        return result
    if kind == "list":
        return [None if item is None else to_cbor(shape.member, item) for item in value]
    if kind == "map":
        return {key: None if item is None else to_cbor(shape.value, item) for key, item in value.items()}
    if kind == "timestamp":
        moment = parse_timestamp(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    if kind == "blob":
        return value.encode("utf-8") if isinstance(value, str) else bytes(value)
    if kind in _FLOATS:
        return float(value)
    if kind in _INTS:
        return int(value)
    return value
