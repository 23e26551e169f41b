"""rest-json protocol (Account): REST routes, JSON bodies, x-amzn-ErrorType errors."""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from ...core.errors import AwsError
from ..http import HttpRequest, HttpResponse
from .base import error_shape, message_key
from .json import dump_json, load_json_body, load_json_document
from .jsoncodec import from_json, to_json
from .rest import RestProtocol
from .shapewalk import ShapeError

__all__ = ["RestJsonProtocol"]


class RestJsonProtocol(RestProtocol):
    """restJson1 server side."""

    name = "rest-json"
    bad_input_code = "SerializationException"

    def _decode(self, shape: Shape, body: bytes) -> Any:
        document = load_json_body(body, self.bad_input_code)
        try:
            return from_json(shape, document)
        except ShapeError as exc:
            raise self._bad(str(exc)) from None

    def _parse_payload(self, member: Shape, body: bytes, operation: OperationModel) -> Any:
        if member.type_name == "structure" and member.is_document_type:
            return load_json_document(body, self.bad_input_code)
        value = self._decode(member, body)
        # botocore sends ``{}`` for an absent structure payload: that is "not set", not an empty structure
        return value if value != {} or member.type_name != "structure" else None

    def _parse_body(self, shape: Shape, body: bytes, operation: OperationModel) -> dict[str, Any]:
        return self._decode(shape, body)

    def serialize(self, operation: OperationModel, output: dict[str, Any], request_id: str) -> HttpResponse:
        headers: list[tuple[str, str]] = [("x-amzn-RequestId", request_id)]
        status = int(operation.http.get("responseCode", 200))
        shape = operation.output_shape
        output = output or {}
        content_type = "application/json"
        if shape is None:
            body = b"{}"
        else:
            status, members = self.bind_outside_body(shape, output, headers, status)
            payload = shape.serialization.get("payload")
            if payload:
                member = shape.members[payload]
                value = output.get(payload)
                if value is None:
                    body = b""
                elif member.type_name == "blob":
                    body = value.read() if hasattr(value, "read") else (value.encode() if isinstance(value, str) else bytes(value))
                    content_type = "application/octet-stream"
                elif member.type_name == "string":
                    body = value.encode("utf-8")
                    content_type = "text/plain"
                else:
                    body = dump_json(to_json(member, value))
            else:
                body = dump_json(to_json(shape, members))
        if not any(key.lower() == "content-type" for key, _ in headers):
            headers.insert(0, ("Content-Type", content_type))
        return HttpResponse(status, headers, body)

    def serialize_error(
        self,
        service: ServiceModel,
        operation: OperationModel | None,
        error: AwsError,
        request_id: str,
        *,
        request: HttpRequest | None = None,
    ) -> HttpResponse:
        shape = error_shape(service, error.code)
        code = error.code
        if shape is not None:
            code = shape.metadata.get("error", {}).get("code", shape.name) if code != shape.name else code
        headers: list[tuple[str, str]] = [
            ("Content-Type", "application/json"),
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", code),
        ]
        body_fields = self.bind_error_headers(shape, error.fields, headers)
        body: dict[str, Any] = {message_key(shape): error.message}
        if body_fields:
            if shape is not None:
                body.update(to_json(shape, {k: v for k, v in body_fields.items() if k in shape.members}))
                body.update({k: v for k, v in body_fields.items() if k not in shape.members})
            else:
                body.update(body_fields)
        return HttpResponse(error.status, headers, dump_json(body))
