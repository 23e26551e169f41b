"""AWS ec2 protocol: the query protocol's form-encoded requests with EC2's names (``queryName``, else the
capitalized ``locationName``) and numbered lists without a ``member`` level; XML responses without a result
wrapper, carrying ``<requestId>``; errors as ``<Response><Errors><Error>...</Errors><RequestID>``."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from botocore.model import OperationModel, ServiceModel, Shape

from ...core.errors import AwsError
from ..http import HttpRequest, HttpResponse
from .query import QueryProtocol, _FlatParams, xml_namespace
from .xmlcodec import write_members, xml_text

__all__ = ["Ec2Protocol"]

# The query-family authentication codes as EC2 words them.
_AUTH_FAILURE = AwsError("AuthFailure", "AWS was not able to validate the provided access credentials", 401)
_EC2_CODES = {"InvalidClientTokenId": _AUTH_FAILURE}


class Ec2Protocol(QueryProtocol):
    """EC2's variant of the query protocol."""

    name = "ec2"
    bad_value_code = "InvalidParameterValue"

    @staticmethod
    def _query_name(member: Shape, name: str) -> str:
        serialization = member.serialization
        if "queryName" in serialization:
            return serialization["queryName"]
        location = serialization.get("name")
        return location[0].upper() + location[1:] if location else name

    @staticmethod
    def _list_prefix(shape: Shape, prefix: str, flat: _FlatParams) -> str:
        return prefix

    def serialize(self, operation: OperationModel, output: dict[str, Any], request_id: str) -> HttpResponse:
        name = operation.name
        namespace = xml_namespace(operation.service_model)
        parts = [f'<{name}Response xmlns="{escape(namespace)}">', f"<requestId>{xml_text(request_id)}</requestId>"]
        if operation.output_shape is not None:
            write_members(parts, operation.output_shape, output or {})
        parts.append(f"</{name}Response>")
        return HttpResponse(200, [("Content-Type", "text/xml;charset=UTF-8"), ("x-amzn-RequestId", request_id)],
                            "".join(parts).encode("utf-8"))

    def serialize_error(
        self,
        service: ServiceModel,
        operation: OperationModel | None,
        error: AwsError,
        request_id: str,
        *,
        request: HttpRequest | None = None,
    ) -> HttpResponse:
        error = _EC2_CODES.get(error.code, error)
        body = (f"<Response><Errors><Error><Code>{xml_text(error.code)}</Code>"
                f"<Message>{xml_text(error.message)}</Message></Error></Errors>"
                f"<RequestID>{xml_text(request_id)}</RequestID></Response>")
        return HttpResponse(error.status, [("Content-Type", "text/xml;charset=UTF-8"), ("x-amzn-RequestId", request_id)],
                            body.encode("utf-8"))
