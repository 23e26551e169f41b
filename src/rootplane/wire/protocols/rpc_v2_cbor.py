"""Smithy RPC v2 CBOR (CloudWatch, Resource Groups Tagging in botocore >= 1.42): ``POST
/service/<ServiceName>/operation/<Operation>`` with ``smithy-protocol: rpc-v2-cbor`` and CBOR bodies.

Responses carry ``smithy-protocol: rpc-v2-cbor`` and ``Content-Type: application/cbor``; an operation without output
answers an empty body. Errors are a CBOR map with ``__type`` (the error shape's name) and ``message``, with the
error's HTTP status; a service compatible with its older query protocol also sends ``x-amzn-query-error:
<query code>;Sender|Receiver`` as the JSON protocol does.
"""

from __future__ import annotations

from datetime import timezone
from typing import Any

import cbor2
from botocore.model import OperationModel, ServiceModel

from ...core.errors import AwsError
from ..http import HttpRequest, HttpResponse
from . import RPC_V2_CBOR as NAME
from . import RPC_V2_CBOR_HEADER as HEADER
from .base import Protocol, decode_input, request_body, typed_error_document
from .cborcodec import from_cbor, to_cbor

__all__ = ["RpcV2CborProtocol", "NAME", "HEADER", "CONTENT_TYPE"]

CONTENT_TYPE = "application/cbor"
MAX_CBOR_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64


def _malformed(reason: str) -> AwsError:
    return AwsError("SerializationException", f"Malformed CBOR request body: {reason}", 400)


def load_cbor_body(body: bytes) -> dict[str, Any]:
    """Decode a CBOR map body (empty => {}), raising SerializationException when malformed."""
    if not body:
        return {}
    if len(body) > MAX_CBOR_BYTES:
        raise AwsError("SerializationException", "Request body too large", 400)
    try:
        document = cbor2.loads(body, max_depth=MAX_DEPTH, allow_duplicate_keys=False, strict_hashable_types=True)
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise _malformed(str(exc)) from None
    if not isinstance(document, dict):
        raise _malformed("the body must be a CBOR map")
    return document


def dump_cbor(value: Any) -> bytes:
    return cbor2.dumps(value, datetime_as_timestamp=True, timezone=timezone.utc)


class RpcV2CborProtocol(Protocol):
    """Smithy RPC v2 CBOR server side."""

    name = NAME

    def parse_input(self, operation: OperationModel, request: HttpRequest, path_params: dict[str, str]) -> dict[str, Any]:
        return decode_input(operation, load_cbor_body(request_body(request, operation)), from_cbor)

    @staticmethod
    def _headers(request_id: str, body: bytes) -> list[tuple[str, str]]:
        headers = [("smithy-protocol", HEADER), ("x-amzn-RequestId", request_id)]
        if body:
            headers.append(("Content-Type", CONTENT_TYPE))
        return headers

    def serialize(self, operation: OperationModel, output: dict[str, Any], request_id: str) -> HttpResponse:
        shape = operation.output_shape
        body = dump_cbor(to_cbor(shape, output or {})) if shape is not None else b""
        return HttpResponse(200, self._headers(request_id, body), body)

    def serialize_error(
        self,
        service: ServiceModel,
        operation: OperationModel | None,
        error: AwsError,
        request_id: str,
        *,
        request: HttpRequest | None = None,
    ) -> HttpResponse:
        document, query_error = typed_error_document(service, error, to_cbor)
        body = dump_cbor(document)
        headers = self._headers(request_id, body)
        if query_error:
            headers.append(("x-amzn-query-error", query_error))
        return HttpResponse(error.status, headers, body)
