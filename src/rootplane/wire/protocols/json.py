"""AWS JSON protocol 1.0/1.1 (Organizations, CloudTrail, EventBridge, SQS): X-Amz-Target + JSON bodies."""

from __future__ import annotations

import json
from typing import Any

from botocore.model import OperationModel, ServiceModel

from ...core.errors import AwsError
from ..http import HttpRequest, HttpResponse
from .base import Protocol, decode_input, request_body, typed_error_document
from .jsoncodec import from_json, to_json

__all__ = ["JsonProtocol", "load_json_body", "load_json_document", "MAX_JSON_BYTES"]

MAX_JSON_BYTES = 8 * 1024 * 1024
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def load_json_document(body: bytes, code: str = "SerializationException") -> Any:
    """Decode any JSON value from a non-empty body, raising AwsError ``code`` when malformed."""
    if len(body) > MAX_JSON_BYTES:
        raise AwsError(code, "Request body too large", 400)
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise AwsError(code, f"Malformed JSON request body: {exc}", 400) from None
    # A surrogate arrives as a \u escape, or as its UTF-8-style bytes (\xed\xa0-\xbf), which json.loads lets pass.
    if (b"\\u" in body or b"\xed" in body) and _has_lone_surrogate(document):
        raise AwsError(code, "Malformed JSON request body: it holds a lone surrogate, not a character", 400)
    return document


def _has_lone_surrogate(document: Any) -> bool:
    """Whether a decoded document holds a UTF-16 surrogate that no pair completes (``"\\ud800"``): such text can be
    neither stored nor answered as UTF-8."""
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def load_json_body(body: bytes, code: str = "SerializationException") -> dict[str, Any]:
    """Decode a JSON object body (empty => {}), raising AwsError ``code`` when malformed."""
    if not body or not body.strip():
        return {}
    document = load_json_document(body, code)
    if not isinstance(document, dict):
        raise AwsError(code, "Request body must be a JSON object", 400)
    return document


def dump_json(value: Any) -> bytes:
    return _dumps(value).encode("utf-8")


class JsonProtocol(Protocol):
    """awsJson1_0 / awsJson1_1 server side."""

    name = "json"

    def parse_input(self, operation: OperationModel, request: HttpRequest, path_params: dict[str, str]) -> dict[str, Any]:
        return decode_input(operation, load_json_body(request_body(request, operation)), from_json)

    @staticmethod
    def _content_type(service: ServiceModel) -> str:
        return f"application/x-amz-json-{service.metadata.get('jsonVersion', '1.0')}"

    def serialize(self, operation: OperationModel, output: dict[str, Any], request_id: str) -> HttpResponse:
        shape = operation.output_shape
        document = to_json(shape, output or {}) if shape is not None else {}
        return HttpResponse(
            200,
            [("Content-Type", self._content_type(operation.service_model)), ("x-amzn-RequestId", request_id)],
            dump_json(document),
        )

    def serialize_error(
        self,
        service: ServiceModel,
        operation: OperationModel | None,
        error: AwsError,
        request_id: str,
        *,
        request: HttpRequest | None = None,
    ) -> HttpResponse:
        document, query_error = typed_error_document(service, error, to_json)
        headers = [("Content-Type", self._content_type(service)), ("x-amzn-RequestId", request_id)]
        if query_error and (request is None or request.headers.get("x-amzn-query-mode", "true").lower() == "true"):
            headers.append(("x-amzn-query-error", query_error))
        return HttpResponse(error.status, headers, dump_json(document))
