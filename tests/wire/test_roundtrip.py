"""Round trips for every operation of every served service, against botocore's own serializer and parser."""

from __future__ import annotations

import copy
import json
from urllib.parse import unquote

import pytest
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from rootplane.core.errors import AwsError
from rootplane.wire import SERVICES, detect, protocol_for, service_model
from wire_examples import example, normalize, same_binding, to_botocore_response, to_http_request

HOSTS = {
    "iam": "iam.amazonaws.com",
    "sts": "sts.us-east-1.amazonaws.com",
    "s3": "localhost:4566",
}

# botocore itself cannot round-trip these (event-stream responses).
XFAIL_OUTPUT = {
    ("s3", "SelectObjectContent"): "event-stream payload; botocore parses it only from a live stream",
    ("logs", "StartLiveTail"): "event-stream payload; botocore parses it only from a live stream",
    ("logs", "GetLogObject"): "event-stream payload; botocore parses it only from a live stream",
    ("s3", "GetBucketNotification"): "deprecated op: the model binds Event and flattened Events to the same <Event> element",
}


XFAIL_INPUT = {
    ("s3", "PutBucketNotification"): "deprecated op: the model binds Event and flattened Events to the same <Event> element",
    ("s3", "WriteGetObjectResponse"): "S3 Object Lambda op bound to an endpoint hostPrefix ({RequestRoute}.), not path-routed",
}


def _cases(known_failures: dict[tuple[str, str], str]) -> list:
    """Every (service, operation), each known failure a strict xfail (it fails the run if it ever passes)."""
    return [pytest.param(service, name, id=f"{service}.{name}",
                         marks=[pytest.mark.xfail(reason=known_failures[(service, name)], strict=True)]
                         if (service, name) in known_failures else [])
            for service in SERVICES for name in service_model(service).operation_names]


def _signing_name(service: str) -> str:
    return service_model(service).signing_name


@pytest.mark.parametrize(("service", "name"), _cases(XFAIL_INPUT))
def test_input_round_trip(service: str, name: str) -> None:
    model = service_model(service)
    operation = model.operation_model(name)
    params = example(operation.input_shape) if operation.input_shape is not None else {}
    params = params or {}
    serializer = create_serializer(model.protocol, include_validation=False)
    request_dict = serializer.serialize_to_request(copy.deepcopy(params), operation)
    request = to_http_request(request_dict, host=HOSTS.get(service, f"{service}.us-east-1.amazonaws.com"), signing_name=_signing_name(service))
    route = detect(request)
    assert route.service == service
    assert route.operation is not None, route
    assert route.operation.name == name or same_binding(route.operation, operation)
    parsed = protocol_for(route.protocol).parse(operation, request, route.path_params)
    assert normalize(operation.input_shape, parsed) == normalize(operation.input_shape, params)


@pytest.mark.parametrize(("service", "name"), [case for case in _cases(XFAIL_INPUT) if case.values[0] == "s3"
                                              and case.values[1] != "WriteGetObjectResponse"])
def test_s3_virtual_host_input_round_trip(service: str, name: str) -> None:
    model = service_model(service)
    operation = model.operation_model(name)
    params = example(operation.input_shape) or {}
    if "Bucket" not in params:
        pytest.skip("operation has no bucket")
    request_dict = create_serializer("rest-xml", include_validation=False).serialize_to_request(copy.deepcopy(params), operation)
    bucket = params["Bucket"]
    path = request_dict["url_path"]
    assert path.startswith(f"/{bucket}")
    request_dict["url_path"] = path[len(bucket) + 1 :] or "/"
    request = to_http_request(request_dict, host=f"{bucket}.s3.us-west-2.amazonaws.com", signing_name="s3")
    route = detect(request)
    assert route.operation is not None and (route.operation.name == name or same_binding(route.operation, operation))
    parsed = protocol_for("rest-xml").parse(operation, request, route.path_params)
    assert normalize(operation.input_shape, parsed) == normalize(operation.input_shape, params)


def _decode_policies(shape, value):
    """Undo IAM's URL-encoding of policy documents, as botocore's json_decode_policies handler does."""
    if shape is None or value is None:
        return value
    if shape.type_name == "structure":
        return {k: _decode_policies(shape.members.get(k), v) if k in shape.members else v for k, v in value.items()}
    if shape.type_name == "list":
        return [_decode_policies(shape.member, v) for v in value]
    if shape.type_name == "map":
        return {k: _decode_policies(shape.value, v) for k, v in value.items()}
    if shape.name == "policyDocumentType":
        return json.loads(unquote(value))
    return value


@pytest.mark.parametrize(("service", "name"), _cases(XFAIL_OUTPUT))
def test_output_round_trip(service: str, name: str) -> None:
    model = service_model(service)
    operation = model.operation_model(name)
    shape = operation.output_shape
    output = (example(shape, skip_locations=("statusCode",)) if shape is not None else {}) or {}
    if operation.http.get("method") == "HEAD" and shape is not None:
        output = {k: v for k, v in output.items() if shape.members[k].serialization.get("location")}
    response = protocol_for(model.protocol).serialize(operation, copy.deepcopy(output), "req-1234")
    assert response.status < 300
    parsed = create_parser(model.protocol).parse(to_botocore_response(response), shape)
    metadata = parsed.pop("ResponseMetadata", {})
    if shape is not None or model.protocol != "smithy-rpc-v2-cbor":  # botocore's RPC v2 parser reads it only then
        assert metadata.get("RequestId") == "req-1234"
    if service == "s3" and name == "GetBucketLocation":
        from xml.etree import ElementTree

        parsed = {"LocationConstraint": ElementTree.fromstring(response.body).text}
    if service == "iam":
        parsed = _decode_policies(shape, parsed)
        output = _decode_policies(shape, output)
    assert normalize(shape, parsed) == normalize(shape, output)


def _error_cases():
    for service in SERVICES:
        yield pytest.param(service, id=service)


@pytest.mark.parametrize("service", [s for s in SERVICES])
def test_error_round_trip(service: str) -> None:
    model = service_model(service)
    protocol = protocol_for(model.protocol)
    parser = create_parser(model.protocol)
    operation = model.operation_model(model.operation_names[0])
    # generic error
    error = AwsError("AccessDenied" if service != "organizations" else "AccessDeniedException", "no <way> & \"never\"", 403)
    response = protocol.serialize_error(model, operation, error, "req-err")
    parsed = parser.parse(to_botocore_response(response), operation.output_shape)
    assert parsed["Error"]["Code"] == error.code
    if operation.http.get("method") != "HEAD":
        assert parsed["Error"]["Message"] == error.message
    assert parsed["ResponseMetadata"]["RequestId"] == "req-err"
    # modelled errors, with every extra member filled
    for shape in model.error_shapes:
        fields = example(shape, skip_locations=()) or {}
        fields = {
            k: v
            for k, v in fields.items()
            if k.lower() != "message" and shape.members[k].serialization.get("name", "").lower() != "x-amzn-errortype"
        }
        status = shape.metadata.get("error", {}).get("httpStatusCode", 400)
        error = AwsError(shape.name, "modelled failure", status, fields=fields)
        response = protocol.serialize_error(model, operation, error, "req-err")
        parsed = parser.parse(to_botocore_response(response), operation.output_shape)
        code = parsed["Error"]["Code"]
        expected_code = shape.metadata.get("error", {}).get("code", shape.name)
        assert code == expected_code, (shape.name, parsed)
        found = model.shape_for_error_code(code)  # CloudWatch: two shapes share the code ResourceNotFound
        assert found.name == shape.name or found.metadata.get("error", {}).get("code") == expected_code
        if service == "sqs":
            assert parsed["Error"]["QueryErrorCode"] == shape.name
        assert parsed["Error"]["Message"] == "modelled failure"
        modelled = parser.parse(to_botocore_response(response), model.shape_for_error_code(code))
        modelled.pop("ResponseMetadata", None)
        modelled.pop("Error", None)
        if model.protocol == "query":
            continue  # botocore's query parser does not extract modelled error members
        expected = {k: v for k, v in fields.items()}
        got = {k: v for k, v in modelled.items() if k in expected}
        assert normalize(shape, got) == normalize(shape, expected), shape.name
