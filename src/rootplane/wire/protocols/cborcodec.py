"""Shape-driven conversion between decoded CBOR items and botocore-shaped Python values (Smithy RPC v2 CBOR).

CBOR carries types JSON lacks: byte strings are blobs as they are, timestamps are tag 1 (epoch seconds, which
cbor2 decodes to an aware datetime), floats keep NaN and infinities. What is left to the shape is checking types
and, for output, giving floats, datetimes and bytes the CBOR types botocore's parser expects. A map's null values
are dropped, and an error quotes at most 100 characters of the bad value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.model import Shape

from .shapewalk import FLOATS, INTS, DocumentCodec
from .values import parse_timestamp

__all__ = ["CborCodec", "from_cbor", "to_cbor"]


class CborCodec(DocumentCodec):
    """CBOR's side of the shape walk."""

    repr_limit = 100
    timestamp_types = (datetime, int, float)
    blob_types = (bytes, bytearray)
    drop_null_map_values = True

    def read_float(self, value: int | float) -> float:
        return float(value)

    def read_blob(self, value: bytes | bytearray) -> bytes:
        return bytes(value)

    def write_scalar(self, shape: Shape, value: Any) -> Any:
        kind = shape.type_name
        if kind == "timestamp":
            return parse_timestamp(value)  # always aware, as cbor2's tag 1 needs
        if kind == "blob":
            return value.encode("utf-8") if isinstance(value, str) else bytes(value)
        if kind in FLOATS:
            return float(value)
        if kind in INTS:
            return int(value)
        return value


_CODEC = CborCodec()
#: Decode a CBOR item (as cbor2 returns it) into botocore's Python shape; raises ShapeError.
from_cbor = _CODEC.decode
#: Encode a botocore-shaped Python value into items cbor2 writes as Smithy RPC v2 CBOR expects.
to_cbor = _CODEC.encode
