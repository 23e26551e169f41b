"""The protocol interface every wire protocol implements, plus shared helpers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable

from botocore.model import OperationModel, ServiceModel, Shape

from ...core.errors import AwsError
from ..hostprefix import host_labels
from ..http import HttpRequest, HttpResponse
from .shapewalk import ShapeError

__all__ = ["Protocol", "request_body", "gzipped_in_transit", "error_shape", "message_key", "query_error_code",
           "split_error_fields", "decode_input", "typed_error_document"]


class Protocol(ABC):
    """Server side of one AWS wire protocol: parse requests, serialize responses and errors."""

    name: str = ""

    def parse(self, operation: OperationModel, request: HttpRequest, path_params: dict[str, str]) -> dict[str, Any]:
        """Decode the request into botocore-shaped input params; raises AwsError on malformed input.

        Members bound to the endpoint host prefix (``hostLabel``) that the request does not repeat elsewhere
        are read from the Host header.
        """
        params = self.parse_input(operation, request, path_params)
        if operation.endpoint and operation.input_shape is not None:
            members = operation.input_shape.members
            for name, value in host_labels(operation, request.host).items():
                if name in members and members[name].serialization.get("hostLabel") and name not in params:
                    params[name] = value
        return params

    @abstractmethod
    def parse_input(self, operation: OperationModel, request: HttpRequest, path_params: dict[str, str]) -> dict[str, Any]:
        """Decode the request's path, query, headers and body into input params."""

    @abstractmethod
    def serialize(self, operation: OperationModel, output: dict[str, Any], request_id: str) -> HttpResponse:
        """Encode a botocore-shaped output dict as the HTTP response."""

    @abstractmethod
    def serialize_error(
        self,
        service: ServiceModel,
        operation: OperationModel | None,
        error: AwsError,
        request_id: str,
        *,
        request: HttpRequest | None = None,
    ) -> HttpResponse:
        """Encode an AwsError as the protocol's error response."""


MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024


def gzipped_in_transit(operation: OperationModel, request: HttpRequest) -> bool:
    """Whether a gzip Content-Encoding is transport compression the server undoes (botocore's
    ``requestcompression``), not the representation of a raw payload (an S3 object stored gzipped)."""
    if "gzip" not in request.headers.get("content-encoding", "").lower():
        return False
    if operation.request_compression:
        return True
    shape = operation.input_shape
    payload = shape.serialization.get("payload") if shape is not None else None
    return payload is None or shape.members[payload].type_name not in ("blob", "string")


def decode_input(operation: OperationModel, document: Any, decode: Callable[[Shape, Any], Any]) -> dict[str, Any]:
    """The operation's input from a decoded body document (JSON or CBOR): ``decode(shape, document)`` maps it onto
    botocore's shapes; a value of the wrong shape (ShapeError) is a 400 SerializationException."""
    shape = operation.input_shape
    if shape is None:
        return {}
    try:
        return decode(shape, document)
    except ShapeError as exc:
        raise AwsError("SerializationException", str(exc), 400) from None


def request_body(request: HttpRequest, operation: OperationModel) -> bytes:
    """The request body, gunzipped when compressed in transit (bounded size)."""
    body = request.body
    if body and gzipped_in_transit(operation, request):
        import zlib

        try:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            body = inflater.decompress(body, MAX_DECOMPRESSED_BYTES)
        except zlib.error:
            raise AwsError("SerializationException", "Malformed gzip request body", 400) from None
        if inflater.unconsumed_tail:
            raise AwsError("RequestEntityTooLarge", "Decompressed request body too large", 413)
    return body


def error_shape(service: ServiceModel, code: str) -> Shape | None:
    """The modelled error shape for an error code (by ``error.code`` or shape name), if any."""
    try:
        shape = service.shape_for_error_code(code)
    except Exception:  # noqa: BLE001 - botocore raises various lookup errors
        shape = None
    if shape is None:
        try:
            candidate = service.shape_for(code)
        except Exception:  # noqa: BLE001
            return None
        if candidate.metadata.get("exception"):
            return candidate
        return None
    return shape


def query_error_code(service: ServiceModel, error: AwsError) -> tuple[str, str]:
    """(json ``__type`` code, legacy query code) for a query-compatible service."""
    if error.query_code:
        return error.code, error.query_code
    shape = error_shape(service, error.code)
    if shape is not None:
        legacy = shape.metadata.get("error", {}).get("code") or shape.name
        return shape.name, legacy
    return error.code, error.code


def split_error_fields(shape: Shape | None, fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split error fields into (body fields, header-bound fields) using the error shape."""
    if not fields or shape is None or shape.type_name != "structure":
        return dict(fields), {}
    body: dict[str, Any] = {}
    headers: dict[str, Any] = {}
    members = shape.members
    for key, value in fields.items():
        member = members.get(key)
        if member is not None and member.serialization.get("location") == "header":
            headers[key] = value
        else:
            body[key] = value
    return body, headers


def typed_error_document(
    service: ServiceModel, error: AwsError, encode: Callable[[Shape, Any], Any]
) -> tuple[dict[str, Any], str | None]:
    """The error document awsJson and RPC v2 CBOR answer (``__type``, the message, the error's fields; the modelled
    ones through ``encode``) and, for a query-compatible service, the ``x-amzn-query-error`` value
    (``<query code>;Sender|Receiver``), else None."""
    code = error.code
    query_error = None
    if service.metadata.get("awsQueryCompatible") is not None:
        code, legacy = query_error_code(service, error)
        query_error = f"{legacy};{'Sender' if error.sender_fault else 'Receiver'}"
    shape = error_shape(service, code)
    document: dict[str, Any] = {"__type": code, message_key(shape): error.message}
    if error.fields:
        fields = dict(error.fields)
        if shape is not None:
            document.update(encode(shape, {k: v for k, v in fields.items() if k in shape.members}))
            fields = {k: v for k, v in fields.items() if k not in shape.members}
        document.update(fields)
    return document, query_error


def message_key(shape: Shape | None) -> str:
    """The body key an error shape models its message under (``message`` unless ``Message`` is modelled)."""
    if shape is not None and shape.type_name == "structure":
        members = shape.members
        for candidate in ("message", "Message"):
            if candidate in members and not members[candidate].serialization.get("location"):
                return members[candidate].serialization.get("name", candidate)
    return "message"
