"""Smithy RPC v2 CBOR (CloudWatch): the protocol's own cases, and CloudWatch's older JSON and query forms, round
tripped against botocore's serializers and parsers."""

from __future__ import annotations

import copy
import math
from datetime import datetime, timezone

import cbor2
import pytest
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from rootplane.core.errors import AwsError
from rootplane.wire import detect, protocol_for, service_model
from rootplane.wire.http import HttpRequest
from wire_examples import example, normalize, to_botocore_response, to_http_request

HOST = "monitoring.us-east-1.amazonaws.com"
MODEL = service_model("cloudwatch")
OTHER_FORMS = [name for name in MODEL.metadata["protocols"] if name != MODEL.protocol]


def _request(name: str, params: dict, protocol: str = "smithy-rpc-v2-cbor") -> HttpRequest:
    operation = MODEL.operation_model(name)
    serialized = create_serializer(protocol, include_validation=False).serialize_to_request(params, operation)
    return to_http_request(serialized, host=HOST, signing_name="monitoring")


def _parse(name: str, request: HttpRequest) -> dict:
    route = detect(request)
    assert (route.service, route.operation.name if route.operation else None) == ("cloudwatch", name), route
    return protocol_for(route.protocol).parse(route.operation, request, route.path_params)


def _cbor_request(path: str, body: bytes) -> HttpRequest:
    return HttpRequest("POST", path, "", {"smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor",
                                          "host": HOST}, body)


def test_botocore_speaks_rpc_v2_cbor_to_cloudwatch() -> None:
    request = _request("ListMetrics", {"Namespace": "App"})
    assert request.path == "/service/GraniteServiceVersion20100801/operation/ListMetrics"
    assert request.headers["smithy-protocol"] == "rpc-v2-cbor"
    assert request.headers["content-type"] == "application/cbor"
    assert detect(request).protocol == "smithy-rpc-v2-cbor"


def test_timestamps_doubles_and_special_floats_survive_the_round_trip() -> None:
    stamp = datetime(2026, 12, 5, 6, 30, 15, 250000, tzinfo=timezone.utc)
    params = {"Namespace": "App", "MetricData": [
        {"MetricName": "Latency", "Timestamp": stamp, "Value": 0.1},
        {"MetricName": "Whole", "Timestamp": stamp.replace(microsecond=0), "Values": [1.5, math.inf], "Counts": [2.0, 1.0]},
        {"MetricName": "Nan", "Value": math.nan},
    ]}
    parsed = _parse("PutMetricData", _request("PutMetricData", copy.deepcopy(params)))
    first, second, third = parsed["MetricData"]
    assert first["Timestamp"] == stamp and first["Value"] == 0.1
    assert second["Timestamp"] == stamp.replace(microsecond=0) and second["Values"] == [1.5, math.inf]
    assert math.isnan(third["Value"])


def test_output_timestamps_are_tag_1_and_blobs_byte_strings() -> None:
    operation = MODEL.operation_model("GetMetricWidgetImage")
    response = protocol_for("smithy-rpc-v2-cbor").serialize(operation, {"MetricWidgetImage": b"\x89PNG"}, "r-1")
    assert cbor2.loads(response.body) == {"MetricWidgetImage": b"\x89PNG"}
    assert ("smithy-protocol", "rpc-v2-cbor") in response.headers
    assert ("Content-Type", "application/cbor") in response.headers
    stamp = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    operation = MODEL.operation_model("GetMetricStatistics")
    response = protocol_for("smithy-rpc-v2-cbor").serialize(
        operation, {"Label": "x", "Datapoints": [{"Timestamp": stamp, "Sum": 3}]}, "r-2")
    assert response.body.hex().find("c11a") >= 0  # tag 1, then a 4-byte unsigned epoch
    parsed = create_parser("smithy-rpc-v2-cbor").parse(to_botocore_response(response), operation.output_shape)
    assert parsed["Datapoints"] == [{"Timestamp": stamp, "Sum": 3.0}]


def test_an_operation_without_output_answers_an_empty_body() -> None:
    response = protocol_for("smithy-rpc-v2-cbor").serialize(MODEL.operation_model("PutMetricData"), {}, "r-1")
    assert (response.status, response.body) == (200, b"")
    assert ("smithy-protocol", "rpc-v2-cbor") in response.headers


def test_indefinite_length_items_are_accepted() -> None:
    # {_ "Namespace": "App", "MetricData": [_ {_ "MetricName": "M", "Value": 1.0}]}
    body = (b"\xbf" + cbor2.dumps("Namespace") + cbor2.dumps("App") + cbor2.dumps("MetricData") + b"\x9f\xbf"
            + cbor2.dumps("MetricName") + b"\x7f\x61M\xff" + cbor2.dumps("Value") + cbor2.dumps(1.0) + b"\xff\xff\xff")
    parsed = _parse("PutMetricData", _cbor_request("/service/GraniteServiceVersion20100801/operation/PutMetricData",
                                                   body))
    assert parsed == {"Namespace": "App", "MetricData": [{"MetricName": "M", "Value": 1.0}]}


@pytest.mark.parametrize(("body", "fragment"), [
    (b"\xa1\x69Namespace", "Malformed CBOR"),                 # truncated
    (cbor2.dumps([1, 2]), "must be a CBOR map"),                # not a map
    (cbor2.dumps({"Namespace": 7}), "is not valid for shape"),  # wrong type
    (cbor2.dumps({"Namespace": "A", "MetricData": [{"MetricName": "m", "Timestamp": "now"}]}), "is not valid"),
])
def test_malformed_bodies_are_serialization_exceptions(body: bytes, fragment: str) -> None:
    request = _cbor_request("/service/GraniteServiceVersion20100801/operation/PutMetricData", body)
    route = detect(request)
    with pytest.raises(AwsError) as caught:
        protocol_for(route.protocol).parse(route.operation, request, {})
    assert (caught.value.code, caught.value.status) == ("SerializationException", 400)
    assert fragment in caught.value.message


def test_short_service_name_and_unknown_operations() -> None:
    route = detect(_cbor_request("/service/GraniteServiceVersion20100801/operation/NoSuchThing", b""))
    assert (route.service, route.operation, route.unknown_name) == ("cloudwatch", None, "NoSuchThing")
    foreign = detect(_cbor_request("/service/SomethingElse_2020/operation/Op", b""))
    assert (foreign.service, foreign.protocol, foreign.unknown_name) == (None, "smithy-rpc-v2-cbor", "Op")


def test_query_compatible_errors_carry_the_query_code() -> None:
    error = AwsError("InvalidParameterValueException", "bad <value>", 400)
    response = protocol_for("smithy-rpc-v2-cbor").serialize_error(MODEL, None, error, "r-err")
    assert response.status == 400
    assert cbor2.loads(response.body) == {"__type": "InvalidParameterValueException", "message": "bad <value>"}
    assert ("x-amzn-query-error", "InvalidParameterValue;Sender") in response.headers
    parsed = create_parser("smithy-rpc-v2-cbor").parse(to_botocore_response(response), None)
    assert parsed["Error"]["Code"] == "InvalidParameterValue"
    assert parsed["Error"]["QueryErrorCode"] == "InvalidParameterValueException"


@pytest.mark.parametrize("protocol", OTHER_FORMS)
@pytest.mark.parametrize("name", MODEL.operation_names)
def test_older_forms_round_trip(protocol: str, name: str) -> None:
    """CloudWatch's awsJson 1.0 and query forms (other SDKs, older CLIs) parse and answer as botocore reads them."""
    operation = MODEL.operation_model(name)
    params = example(operation.input_shape) if operation.input_shape is not None else {}
    parsed = _parse(name, _request(name, copy.deepcopy(params or {}), protocol))
    assert normalize(operation.input_shape, parsed) == normalize(operation.input_shape, params or {})
    shape = operation.output_shape
    output = (example(shape) if shape is not None else {}) or {}
    response = protocol_for(protocol).serialize(operation, copy.deepcopy(output), "req-1")
    answer = create_parser(protocol).parse(to_botocore_response(response), shape)
    answer.pop("ResponseMetadata", None)
    assert normalize(shape, answer) == normalize(shape, output)
