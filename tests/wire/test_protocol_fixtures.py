"""botocore's protocol test fixtures, run backwards through our server-side parser and serializer."""

from __future__ import annotations

import gzip
import json
import math
import re
from urllib.parse import parse_qsl, urlencode

import pytest
from botocore.model import ServiceModel
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from rootplane.core.errors import AwsError
from rootplane.wire.http import HttpRequest
from rootplane.wire.protocols import protocol_for
from rootplane.wire.routes import compile_route, route_matches
from wire_examples import normalize, to_botocore_response

from harness import reference_data

FIXTURES = reference_data("botocore-tests", "protocols")
SERVED = ("query", "json", "rest-json", "rest-xml")


# Known gaps: cases where botocore's own response parser (what every boto3/CLI client runs) disagrees with the
# fixture, so no server output can satisfy both. Lossy inputs (empty lists/maps, map keys shadowed by named
# query parameters) are checked by re-serialization in test_input_fixture_backwards instead.
KNOWN_GAPS = frozenset({
    # flattened lists whose member shape has a locationName: botocore reads <item>, the fixture writes <flattenedList>
    "output:query:QueryXmlLists",
    "output:rest-xml:XmlLists",
    # an unset union payload: botocore's parser raises "must have one and only one member set" on any body
    "output:rest-json:RestJsonHttpPayloadWithUnsetUnion",
    "output:rest-xml:RestXmlHttpPayloadWithUnsetUnion",
    # an empty-prefix header map: botocore also collects the headers every response carries (x-amzn-RequestId)
    "output:rest-json:HttpPrefixHeadersResponse",
    # quoted list items in a header: botocore splits on every comma
    "output:rest-json:RestJsonInputAndOutputWithQuotedStringHeaders",
})


def _skip_reason(suite: dict, case: dict) -> str | None:
    shapes = suite["shapes"]
    if any(shape.get("eventstream") for shape in shapes.values()):
        return "event streams (no served service uses them)"
    return None


def _load(kind: str):
    params = []
    for path in sorted((FIXTURES / kind).glob("*.json")):
        for index, suite in enumerate(json.loads(path.read_text())):
            protocol = suite["metadata"]["protocol"]
            if protocol not in SERVED:
                continue
            for case in suite["cases"]:
                reason = _skip_reason(suite, case)
                case_id = f"{path.stem}:{case['id']}"
                marks = [pytest.mark.skip(reason=reason)] if reason else []
                if f"{kind}:{case_id}" in KNOWN_GAPS:
                    marks.append(pytest.mark.xfail(reason="known gap, see KNOWN_GAPS", strict=True))
                params.append(pytest.param(suite, case, id=case_id, marks=marks))
    return params


def _model(suite: dict, case: dict) -> ServiceModel:
    metadata = dict(suite["metadata"])
    metadata.setdefault("apiVersion", "2020-01-08")
    given = dict(case["given"])
    return ServiceModel({"metadata": metadata, "shapes": suite["shapes"], "operations": {given["name"]: given}}, "fixture")


def _fix(value):
    """Make NaN comparable."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, dict):
        return {k: _fix(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fix(v) for v in value]
    return value


def _result_value(shape, value):
    """Fixture results spell special floats as strings."""
    if shape is None or value is None:
        return value
    if shape.type_name == "structure" and not shape.is_document_type:
        return {k: _result_value(shape.members.get(k), v) if k in shape.members else v for k, v in value.items()}
    if shape.type_name == "list":
        return [_result_value(shape.member, v) for v in value]
    if shape.type_name == "map":
        return {k: _result_value(shape.value, v) for k, v in value.items()}
    if shape.type_name in ("float", "double") and isinstance(value, str):
        return float(value)
    return value


@pytest.mark.parametrize(("suite", "case"), _load("input"))
def test_input_fixture_backwards(suite: dict, case: dict) -> None:
    model = _model(suite, case)
    operation = model.operation_model(case["given"]["name"])
    serialized = case["serialized"]
    path, _, query = serialized["uri"].partition("?")
    headers = {k.lower(): v for k, v in serialized.get("headers", {}).items()}
    body = serialized.get("body", "")
    if "body" not in serialized and case["given"].get("requestcompression"):
        body = _compressed_body(model, operation, case["params"])  # the fixture records only the encoding
    if "host" in serialized:
        headers["host"] = serialized["host"]
    request = HttpRequest(serialized.get("method", "POST"), path, query, headers, body.encode("utf-8") if isinstance(body, str) else body)
    path_params: dict[str, str] = {}
    if model.protocol.startswith("rest"):
        labels = route_matches(compile_route(operation), path, request.query, {})
        assert labels is not None or "{" not in operation.http["requestUri"], "route did not match"
        path_params = labels or {}
    parsed = protocol_for(model.protocol).parse(operation, request, path_params)
    shape = operation.input_shape
    params = _result_value(shape, case["params"])
    if shape is not None:  # botocore auto-fills idempotency tokens the params never mention
        for name, member in shape.members.items():
            if member.metadata.get("idempotencyToken") and name not in params:
                parsed.pop(name, None)
    if _fix(normalize(shape, parsed)) != _fix(normalize(shape, params)):
        # Some params never reach the wire intact (empty lists/maps, a map key shadowed by a named query
        # parameter): then what we parsed must at least be what botocore serializes back to the same request.
        assert _reserialized(model, operation, parsed, request) == _wire_form(request, request.headers)


def _compressed_body(model: ServiceModel, operation, params: dict) -> bytes:
    """The gzipped body botocore sends for ``params`` (what the fixture's compressed request carried)."""
    body = create_serializer(model.protocol).serialize_to_request(dict(params), operation)["body"]
    if isinstance(body, dict):
        body = urlencode(body, doseq=True)
    return gzip.compress(body.encode() if isinstance(body, str) else body)


def _wire_form(request: HttpRequest, fixture_headers: dict[str, str]) -> tuple:
    """What a request carries, comparably: method, path, query multiset, the fixture's headers, body
    (JSON decoded, XML unindented)."""
    body = request.body.decode("utf-8", "replace")
    try:
        parsed_body = json.loads(body) if body.strip() else None
    except ValueError:
        parsed_body = re.sub(r">\\s+<", "><", body.strip())
    headers = {name: request.headers.get(name) for name in fixture_headers if name not in ("content-length", "content-type")}
    query = sorted(parse_qsl(request.query_string, keep_blank_values=True))
    return request.method, request.path, query, headers, parsed_body


def _reserialized(model: ServiceModel, operation, params: dict, fixture: HttpRequest) -> tuple:
    """The wire form botocore's own serializer gives ``params``."""
    request = create_serializer(model.protocol).serialize_to_request(dict(params), operation)
    query = urlencode(request["query_string"], doseq=True) if isinstance(request["query_string"], dict) else request["query_string"]
    body = request["body"]
    if isinstance(body, dict):
        body = urlencode(body, doseq=True)
    body = body.encode() if isinstance(body, str) else (body or b"")
    headers = {k.lower(): v for k, v in request["headers"].items()}
    return _wire_form(HttpRequest(request["method"], request["url_path"], query, headers, body), fixture.headers)


@pytest.mark.parametrize(("suite", "case"), _load("output"))
def test_output_fixture_backwards(suite: dict, case: dict) -> None:
    model = _model(suite, case)
    operation = model.operation_model(case["given"]["name"])
    protocol = protocol_for(model.protocol)
    parser = create_parser(model.protocol)
    if "errorCode" in case:
        fields = {k: v for k, v in case.get("error", {}).items() if k not in ("Message", "message")}
        error = AwsError(case["errorCode"], case.get("errorMessage", ""), case["response"]["status_code"], fields=fields)
        response = protocol.serialize_error(model, operation, error, "req-1")
        parsed = parser.parse(to_botocore_response(response), operation.output_shape)
        assert parsed["Error"]["Code"] == case["errorCode"]
        if "errorMessage" in case:
            assert parsed["Error"]["Message"] == case["errorMessage"]
        error_shape = model.shape_for_error_code(parsed["Error"]["Code"])
        if error_shape is not None and model.protocol != "query":
            modelled = parser.parse(to_botocore_response(response), error_shape)
            modelled.pop("ResponseMetadata", None)
            modelled.pop("Error", None)
            expected = {k: v for k, v in case.get("error", {}).items()}
            got = {k: modelled[k] for k in expected if k in modelled}
            assert _fix(normalize(error_shape, got)) == _fix(normalize(error_shape, expected))
        return
    shape = operation.output_shape
    result = _result_value(shape, case.get("result", {}))
    response = protocol.serialize(operation, result, "req-1")
    parsed = parser.parse(to_botocore_response(response), shape)
    parsed.pop("ResponseMetadata", None)
    payload = shape.serialization.get("payload") if shape is not None else None
    if payload and payload not in result and parsed.get(payload) in (b"", ""):
        parsed.pop(payload)  # botocore's parser always yields a blob/string payload, even from an empty body
    assert _fix(normalize(shape, parsed)) == _fix(normalize(shape, result))
