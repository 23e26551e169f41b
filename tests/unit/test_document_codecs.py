"""The JSON and CBOR codecs share one shape walk (wire/protocols/shapewalk.py); these pin what each format does its
own way: numbers, timestamps, blobs, null map values and how much of a bad value an error quotes."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

from rootplane.wire.models import service_model
from rootplane.wire.protocols.cborcodec import from_cbor, to_cbor
from rootplane.wire.protocols.jsoncodec import from_json, to_json
from rootplane.wire.protocols.shapewalk import ShapeError

MOMENT = datetime(2020, 9, 13, 12, 26, 40, tzinfo=timezone.utc)


def _input(service: str, operation: str):
    return service_model(service).operation_model(operation).input_shape


def _datum():
    return _input("cloudwatch", "PutMetricData").members["MetricData"].member


def test_a_map_keeps_its_null_values_in_json_and_drops_them_in_cbor() -> None:
    shape, document = _input("logs", "TagResource"), {"resourceArn": "arn", "tags": {"a": "1", "b": None}}
    assert from_json(shape, document)["tags"] == {"a": "1", "b": None}
    assert from_cbor(shape, document)["tags"] == {"a": "1"}


def test_numbers() -> None:
    groups, datum = _input("logs", "DescribeLogGroups"), _datum()
    assert from_json(groups, {"limit": 5.0}) == {"limit": 5}  # a whole float is an integer in JSON
    with pytest.raises(ShapeError, match=r"^Value 5.0 is not valid for shape DescribeLimit of type integer$"):
        from_cbor(groups, {"limit": 5.0})
    assert math.isnan(from_json(datum, {"Value": "NaN"})["Value"])
    with pytest.raises(ShapeError, match="^Value 'NaN' is not valid for shape DatapointValue of type double$"):
        from_cbor(datum, {"Value": "NaN"})
    assert type(from_json(datum, {"Value": 3})["Value"]) is int
    assert type(from_cbor(datum, {"Value": 3})["Value"]) is float
    assert to_json(datum, {"Value": -math.inf, "StorageResolution": 1}) == {"Value": "-Infinity",
                                                                              "StorageResolution": 1}
    assert to_cbor(datum, {"Value": 3, "StorageResolution": 1.0}) == {"Value": 3.0, "StorageResolution": 1}


def test_timestamps() -> None:
    datum = _datum()
    assert from_json(datum, {"Timestamp": 1600000000}) == {"Timestamp": MOMENT}
    assert from_cbor(datum, {"Timestamp": MOMENT}) == {"Timestamp": MOMENT}
    assert from_json(datum, {"Timestamp": "2020-09-13T12:26:40Z"}) == {"Timestamp": MOMENT}
    with pytest.raises(ShapeError, match="^Value '2020' is not valid for shape Timestamp of type timestamp$"):
        from_cbor(datum, {"Timestamp": "2020"})
    with pytest.raises(ShapeError, match="^Value True is not valid"):
        from_json(datum, {"Timestamp": True})
    assert to_json(datum, {"Timestamp": MOMENT}) == {"Timestamp": 1600000000}
    assert to_cbor(datum, {"Timestamp": datetime(2020, 9, 13, 12, 26, 40)}) == {"Timestamp": MOMENT}


def test_blobs() -> None:
    shape = _input("kms", "Encrypt")
    assert from_json(shape, {"Plaintext": "aGk="}) == {"Plaintext": b"hi"}
    assert from_cbor(shape, {"Plaintext": bytearray(b"hi")}) == {"Plaintext": b"hi"}
    with pytest.raises(ShapeError):
        from_json(shape, {"Plaintext": "***"})
    with pytest.raises(ShapeError, match="^Value 'aGk=' is not valid for shape PlaintextType of type blob$"):
        from_cbor(shape, {"Plaintext": "aGk="})
    assert to_json(shape, {"Plaintext": b"hi"}) == {"Plaintext": "aGk="}
    assert to_cbor(shape, {"Plaintext": "hi"}) == {"Plaintext": b"hi"}


def test_a_cbor_error_quotes_at_most_100_characters_of_the_value_and_a_json_one_all_of_it() -> None:
    shape, long = _input("logs", "DescribeLogGroups"), "x" * 300
    with pytest.raises(ShapeError) as caught:
        from_cbor(shape, {"limit": long})
    assert str(caught.value) == f"Value {repr(long)[:100]} is not valid for shape DescribeLimit of type integer"
    with pytest.raises(ShapeError) as caught:
        from_json(shape, {"limit": long})
    assert str(caught.value) == f"Value {long!r} is not valid for shape DescribeLimit of type integer"
