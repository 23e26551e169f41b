"""rest-xml protocol (S3): REST routes, XML bodies and raw payloads, ``<Error>`` documents."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from ...core.errors import AwsError
from ..http import HttpRequest, HttpResponse
from ..validate import MALFORMED_XML
from .base import error_shape
from .rest import RestProtocol
from .values import ISO8601_MILLISECONDS
from .xmlcodec import XmlError, parse_xml, read_structure, read_value, write_members, xml_text

__all__ = ["RestXmlProtocol", "S3_NAMESPACE", "ROOT_ELEMENTS"]

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>'

# Root element names S3 puts on responses whose output shape carries no locationName (the model
# leaves them out because botocore ignores the root tag; real clients and tools look at them).
ROOT_ELEMENTS: dict[str, str] = {
    "ListBuckets": "ListAllMyBucketsResult",
    "ListDirectoryBuckets": "ListAllMyDirectoryBucketsResult",
    "ListObjects": "ListBucketResult",
    "ListObjectsV2": "ListBucketResult",
    "ListObjectVersions": "ListVersionsResult",
    "ListMultipartUploads": "ListMultipartUploadsResult",
    "ListParts": "ListPartsResult",
    "CreateMultipartUpload": "InitiateMultipartUploadResult",
    "CompleteMultipartUpload": "CompleteMultipartUploadResult",
    "DeleteObjects": "DeleteResult",
    "GetBucketAcl": "AccessControlPolicy",
    "GetObjectAcl": "AccessControlPolicy",
    "GetBucketTagging": "Tagging",
    "GetObjectTagging": "Tagging",
    "GetBucketVersioning": "VersioningConfiguration",
    "GetBucketCors": "CORSConfiguration",
    "GetBucketLifecycleConfiguration": "LifecycleConfiguration",
    "GetBucketLogging": "BucketLoggingStatus",
    "GetBucketWebsite": "WebsiteConfiguration",
    "GetBucketNotificationConfiguration": "NotificationConfiguration",
    "GetBucketRequestPayment": "RequestPaymentConfiguration",
    "GetBucketAccelerateConfiguration": "AccelerateConfiguration",
    "GetObjectAttributes": "GetObjectAttributesResponse",
    "GetBucketLocation": "LocationConstraint",
}
# Success statuses S3 sends that the model leaves out (aws-protocols.md section 4: PUT /?policy -> 204).
_UNMODELLED_STATUS = {"PutBucketPolicy": 204, "PutBucketTagging": 204}
# Operations whose whole response is one scalar member as the root element's text.
_SCALAR_ROOT = {"GetBucketLocation": "LocationConstraint"}


def _host_id(request_id: str) -> str:
    return base64.b64encode(hashlib.sha256(request_id.encode()).digest()).decode()


class RestXmlProtocol(RestProtocol):
    """restXml server side."""

    name = "rest-xml"
    bad_input_code = "MalformedXML"

    def bad_binding(self, shape: Shape, text: str, where: str, exc: Exception) -> AwsError:
        """S3 answers InvalidArgument (naming the parameter) for a query parameter or header of the wrong type."""
        if shape.type_name in ("integer", "long"):
            message = f"Provided {where} not an integer or within integer range"
        else:
            message = f"Invalid {shape.type_name} value for {where}"
        return AwsError("InvalidArgument", message, 400, fields={"ArgumentName": where, "ArgumentValue": text})

    def _root(self, body: bytes):
        try:
            return parse_xml(body)
        except XmlError:
            raise AwsError("MalformedXML", MALFORMED_XML, 400) from None

    def _convert(self, reader, shape: Shape, root) -> Any:
        try:
            return reader(shape, root)
        except (ValueError, OverflowError) as exc:
            raise AwsError("MalformedXML", f"The XML you provided was not well-formed: {exc}", 400) from None

    def _parse_payload(self, member: Shape, body: bytes, operation: OperationModel) -> Any:
        return self._convert(read_value, member, self._root(body))

    def _parse_body(self, shape: Shape, body: bytes, operation: OperationModel) -> dict[str, Any]:
        if not body or not body.strip():
            return {}
        return self._convert(read_structure, shape, self._root(body))

    @staticmethod
    def _namespace(service: ServiceModel, shape: Shape) -> str:
        namespace = shape.serialization.get("xmlNamespace")
        if isinstance(namespace, dict):
            prefix = namespace.get("prefix")
            uri = xml_text(namespace.get("uri", ""))
            return f' xmlns:{prefix}="{uri}"' if prefix else f' xmlns="{uri}"'
        if isinstance(namespace, str):
            return f' xmlns="{xml_text(namespace)}"'
        if service.service_name == "s3":
            return f' xmlns="{S3_NAMESPACE}"'
        return ""

    def serialize(self, operation: OperationModel, output: dict[str, Any], request_id: str) -> HttpResponse:
        headers: list[tuple[str, str]] = [("x-amz-request-id", request_id), ("x-amz-id-2", _host_id(request_id))]
        status = int(operation.http.get("responseCode", _UNMODELLED_STATUS.get(operation.name, 200)))
        shape = operation.output_shape
        output = output or {}
        body = b""
        content_type: str | None = None
        if shape is not None:
            status, members = self.bind_outside_body(shape, output, headers, status)
            if status == 200 and output.get("ContentRange") is not None:
                status = 206  # a ranged GetObject/HeadObject answers Partial Content
            payload = shape.serialization.get("payload")
            service = operation.service_model
            if payload:
                member = shape.members[payload]
                value = output.get(payload)
                if value is not None:
                    if member.type_name == "blob":
                        body = value.read() if hasattr(value, "read") else (value.encode() if isinstance(value, str) else bytes(value))
                        content_type = "binary/octet-stream"
                    elif member.type_name == "string":
                        body = value.encode("utf-8")
                        content_type = "application/json" if value.lstrip().startswith("{") else "text/plain"
                    else:
                        tag = member.serialization.get("name", payload)
                        parts = [_XML_DECL]
                        inner: list[str] = []
                        attrs = write_members(inner, member, value, ISO8601_MILLISECONDS)
                        parts.append(f"<{tag}{self._namespace(service, member)}{attrs}>")
                        parts.extend(inner)
                        parts.append(f"</{tag}>")
                        body = "".join(parts).encode("utf-8")
                        content_type = "application/xml"
            elif members or operation.name in _SCALAR_ROOT:
                tag = ROOT_ELEMENTS.get(operation.name) or shape.serialization.get("name") or f"{operation.name}Result"
                scalar = _SCALAR_ROOT.get(operation.name)
                parts = [_XML_DECL]
                if scalar is not None and scalar in shape.members:
                    # An absent value (us-east-1's null LocationConstraint) is still an element: botocore parses it.
                    text = xml_text(str(members[scalar])) if members.get(scalar) is not None else ""
                    parts.append(f"<{tag}{self._namespace(service, shape)}>{text}</{tag}>")
                else:
                    inner = []
                    attrs = write_members(inner, shape, members, ISO8601_MILLISECONDS)
                    parts.append(f"<{tag}{self._namespace(service, shape)}{attrs}>")
                    parts.extend(inner)
                    parts.append(f"</{tag}>")
                body = "".join(parts).encode("utf-8")
                content_type = "application/xml"
        if operation.http.get("method") == "HEAD":
            body = b""
            content_type = None
        if content_type and not any(key.lower() == "content-type" for key, _ in headers):
            headers.append(("Content-Type", content_type))
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
        headers: list[tuple[str, str]] = [("x-amz-request-id", request_id), ("x-amz-id-2", _host_id(request_id))]
        headers.extend(error.headers.items())
        is_head = (request is not None and request.method == "HEAD") or (
            operation is not None and operation.http.get("method") == "HEAD"
        )
        if is_head or error.status == 304:  # HEAD answers and 304 Not Modified carry no body
            return HttpResponse(error.status, headers, b"")
        shape = error_shape(service, error.code)
        code = error.code
        if shape is not None and code == shape.name:
            code = shape.metadata.get("error", {}).get("code", code)
        parts = [_XML_DECL, f"<Error><Code>{xml_text(code)}</Code><Message>{xml_text(error.message)}</Message>"]
        fields = self.bind_error_headers(shape, error.fields, headers)
        if shape is not None and shape.type_name == "structure":
            known = {k: v for k, v in fields.items() if k in shape.members and k not in ("Message", "Code")}
            write_members(parts, shape, known)
            fields = {k: v for k, v in fields.items() if k not in shape.members}
        for key, value in fields.items():
            if value is not None and not isinstance(value, (dict, list)):
                parts.append(f"<{key}>{xml_text(str(value))}</{key}>")
        parts.append(f"<RequestId>{xml_text(request_id)}</RequestId><HostId>{_host_id(request_id)}</HostId></Error>")
        headers.append(("Content-Type", "application/xml"))
        return HttpResponse(error.status, headers, "".join(parts).encode("utf-8"))
