"""One walk of a botocore shape over a decoded document, shared by the JSON and CBOR codecs.

Structures, lists, maps, strings and booleans read and write alike in both formats; a subclass of
:class:`DocumentCodec` says what differs: how timestamps, blobs and numbers travel, how much of a bad value an
error quotes, and whether a map's null values are kept.
"""

from __future__ import annotations

from typing import Any

from botocore.model import Shape

from .values import RESPONSE_LOCATIONS, parse_timestamp

__all__ = ["DocumentCodec", "ShapeError", "INTS", "FLOATS"]

INTS = frozenset(("integer", "long", "short", "byte", "biginteger"))
FLOATS = frozenset(("float", "double", "bigdecimal"))


class ShapeError(ValueError):
    """A decoded document value does not match its modelled shape."""


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class DocumentCodec:
    """Converts between a decoded document (JSON, CBOR) and botocore-shaped Python values, driven by the shape."""

    #: how many characters of a bad value's ``repr`` an error quotes (None: all of them)
    repr_limit: int | None = None
    #: the types a timestamp arrives as (a bool never is one)
    timestamp_types: tuple[type, ...] = ()
    #: the types a blob arrives as
    blob_types: tuple[type, ...] = ()
    #: whether a map member whose value is null is dropped (else kept as None)
    drop_null_map_values: bool = False

    def _expect(self, condition: bool, shape: Shape, value: Any) -> None:
        if not condition:
            quoted = repr(value)[:self.repr_limit]
            raise ShapeError(f"Value {quoted} is not valid for shape {shape.name} of type {shape.type_name}")

    def decode(self, shape: Shape, value: Any) -> Any:
        """Decode a document value into botocore's Python shape (datetimes, bytes...); raises ShapeError."""
        if value is None:
            return None
        kind = shape.type_name
        if kind == "structure":
            if shape.is_document_type:
                return value
            self._expect(isinstance(value, dict), shape, value)
            result: dict[str, Any] = {}
            for name, member in shape.members.items():
                if member.serialization.get("location"):
                    continue
                item = value.get(member.serialization.get("name", name))
                if item is not None:
                    result[name] = self.decode(member, item)
            return result
        if kind == "list":
            self._expect(isinstance(value, list), shape, value)
            return [self.decode(shape.member, item) for item in value]
        if kind == "map":
            self._expect(isinstance(value, dict) and all(isinstance(key, str) for key in value), shape, value)
            return {
                key: self.decode(shape.value, item)
                for key, item in value.items()
                if item is not None or not self.drop_null_map_values
            }
        if kind == "string":
            self._expect(isinstance(value, str), shape, value)
            return value
        if kind == "boolean":
            self._expect(isinstance(value, bool), shape, value)
            return value
        if kind in INTS:
            value = self.wire_number(kind, value)
            self._expect(isinstance(value, int) and not isinstance(value, bool), shape, value)
            return value
        if kind in FLOATS:
            value = self.wire_number(kind, value)
            self._expect(_number(value), shape, value)
            return self.read_float(value)
        if kind == "timestamp":
            self._expect(isinstance(value, self.timestamp_types) and not isinstance(value, bool), shape, value)
            try:
                return parse_timestamp(value)
            except (ValueError, OverflowError, OSError) as exc:
                raise ShapeError(str(exc)) from exc
        if kind == "blob":
            self._expect(isinstance(value, self.blob_types), shape, value)
            try:
                return self.read_blob(value)
            except ValueError as exc:
                raise ShapeError(str(exc)) from exc
        return value

    def encode(self, shape: Shape, value: Any) -> Any:
        """Encode a botocore-shaped Python value into a document value; body-less (header) members are left out."""
        kind = shape.type_name
        if kind == "structure":
            if shape.is_document_type:
                return value
            result: dict[str, Any] = {}
            for name, member in shape.members.items():
                item = value.get(name)
                if item is None or member.serialization.get("location") in RESPONSE_LOCATIONS:
                    continue
                result[member.serialization.get("name", name)] = self.encode(member, item)
            return result
        if kind == "list":
            return [None if item is None else self.encode(shape.member, item) for item in value]
        if kind == "map":
            return {key: None if item is None else self.encode(shape.value, item) for key, item in value.items()}
        return self.write_scalar(shape, value)

    def wire_number(self, kind: str, value: Any) -> Any:
        """A number as the format may carry it, made into the Python number its type check expects."""
        return value

    def read_float(self, value: int | float) -> int | float:
        """The decoded value of a float-typed number that passed its type check."""
        return value

    def read_blob(self, value: Any) -> bytes:
        """The bytes of a blob of one of ``blob_types``; raises ValueError when malformed."""
        raise NotImplementedError

    def write_scalar(self, shape: Shape, value: Any) -> Any:
        """The document value of a scalar (timestamps, blobs and numbers are the format's own)."""
        raise NotImplementedError
