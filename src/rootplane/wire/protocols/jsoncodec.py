"""Shape-driven conversion between JSON documents and botocore-shaped Python values.

JSON has no timestamp, byte or non-finite number types: timestamps travel as epoch seconds (or text, per the
member's ``timestampFormat``), blobs as base64 text and NaN/Infinity as the strings ``"NaN"``, ``"Infinity"``,
``"-Infinity"``; an integer may arrive as a whole float (``4.0``). A map's null values are kept.
"""

from __future__ import annotations

import math
from typing import Any

from botocore.model import Shape

from .shapewalk import FLOATS, INTS, DocumentCodec
from .values import b64decode, b64encode, format_timestamp

__all__ = ["JsonCodec", "from_json", "to_json"]

_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class JsonCodec(DocumentCodec):
    """JSON's side of the shape walk."""

    timestamp_types = (int, float, str)
    blob_types = (str,)

    def wire_number(self, kind: str, value: Any) -> Any:
        if kind in INTS and isinstance(value, float) and value.is_integer():
            return int(value)
        if kind in FLOATS and isinstance(value, str) and value in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[value]
        return value

    def read_blob(self, value: str) -> bytes:
        return b64decode(value)

    def write_scalar(self, shape: Shape, value: Any) -> Any:
        kind = shape.type_name
        if kind == "timestamp":
            return format_timestamp(value, shape.serialization.get("timestampFormat", "unixTimestamp"))
        if kind == "blob":
            return b64encode(value)
        if kind in FLOATS and isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        return value


_CODEC = JsonCodec()
#: Decode a parsed-JSON value into botocore's Python shape (datetimes, bytes...); raises ShapeError.
from_json = _CODEC.decode
#: Encode a botocore-shaped Python value into a JSON-ready value.
to_json = _CODEC.encode
