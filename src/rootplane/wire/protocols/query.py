"""AWS query protocol (IAM, STS, SNS, legacy SQS): form-encoded requests, XML responses."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from botocore.model import OperationModel, ServiceModel, Shape

from ...core.errors import AwsError
from ..http import HttpRequest, HttpResponse, parse_form
from ..legacy_query import LEGACY_QUERY_SERVICES, legacy_query_model
from .base import Protocol, error_shape, query_error_code, request_body
from .values import scalar_from_text
from .xmlcodec import write_members, xml_text

__all__ = ["QueryProtocol", "xml_namespace"]

_MISSING = object()
# A form body's largest size: an SNS message of 1 MiB (a topic's largest MaximumMessageSize), each byte
# percent-encoded in the worst case, fits.
_MAX_BODY = 4 * 1024 * 1024


@lru_cache(maxsize=None)
def xml_namespace(service: ServiceModel) -> str:
    """The response xmlns for a query service (model ``xmlNamespace``; a JSON service's legacy query model); worked
    out once per model (models live for the process)."""
    if service.protocol != "query" and service.service_name in LEGACY_QUERY_SERVICES:
        service = legacy_query_model(service.service_name)
    namespace = service.metadata.get("xmlNamespace")
    if isinstance(namespace, dict):
        namespace = namespace.get("uri")
    if namespace:
        return namespace
    prefix = service.metadata.get("endpointPrefix")
    return f"https://{prefix}.amazonaws.com/doc/{service.metadata.get('apiVersion', '')}/" if prefix else ""


def _compat(service: ServiceModel) -> bool:
    """A JSON service spoken in its legacy query form (legacy error codes, lenient element names)."""
    return service.metadata.get("awsQueryCompatible") is not None


@lru_cache(maxsize=None)
def _frame(operation: OperationModel) -> tuple[str, str | None, str]:
    """An operation's response element opening (with the xmlns), its result wrapper's name (None: none) and the
    response element's closing; worked out once per operation (models live for the process)."""
    service, name = operation.service_model, operation.name
    namespace = xml_namespace(service)
    head = f'<{name}Response xmlns="{escape(namespace)}">' if namespace else f"<{name}Response>"
    shape = operation.output_shape
    wrapper = shape.serialization.get("resultWrapper") if shape is not None else None
    if wrapper is None and shape is not None and _compat(service):
        wrapper = f"{name}Result"
    return head, wrapper, f"</{name}Response>"


class _FlatParams:
    """Flat ``A.B.1.C=v`` params plus the set of every dotted prefix, for O(1) presence checks."""

    __slots__ = ("values", "prefixes")

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        values: dict[str, str] = {}
        prefixes: set[str] = set()
        for key, value in pairs:
            values.setdefault(key, value)
            prefixes.add(key)
            index = key.find(".")
            while index != -1:
                prefixes.add(key[:index])
                index = key.find(".", index + 1)
        self.values = values
        self.prefixes = prefixes


@lru_cache(maxsize=None)
def _api_version(operation: OperationModel) -> str | None:
    """The only ``Version`` an operation answers (None: any; EC2 and SQS's legacy query form also take their older
    API versions)."""
    service = operation.service_model
    return None if service.protocol == "ec2" or service.service_name in LEGACY_QUERY_SERVICES else service.api_version


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") else name


class QueryProtocol(Protocol):
    """Query protocol server side (also used for SQS's legacy query form)."""

    name = "query"
    bad_value_code = "ValidationError"  # a scalar that is not of its shape's type (a query-compatible JSON service:
    # InvalidParameterValue)

    # ------------------------------------------------------------------ parse
    def parse_input(self, operation: OperationModel, request: HttpRequest, path_params: dict[str, str]) -> dict[str, Any]:
        pairs = list(request.query_params) if request.query_string else []
        body = request_body(request, operation)
        if body:
            if len(body) > _MAX_BODY:
                raise AwsError("MalformedQueryString", "The request body is too large.", 400)
            try:
                pairs.extend(parse_form(body.decode("utf-8")))
            except (UnicodeDecodeError, ValueError) as exc:
                raise AwsError("MalformedQueryString", f"Malformed query string: {exc}", 400) from exc
        flat = _FlatParams(pairs)
        version, expected = flat.values.get("Version"), _api_version(operation)
        if version is not None and expected is not None and version != expected:
            raise AwsError("InvalidAction", f"Could not find operation {operation.name} for version {version}", 400)
        shape = operation.input_shape
        if shape is None:
            return {}
        compat = _compat(operation.service_model)
        result: dict[str, Any] = {}
        for name, member in shape.members.items():
            value = self._member(member, name, "", flat, compat)
            if value is not _MISSING:
                result[name] = value
        for key, value in path_params.items():  # e.g. SQS legacy QueueUrl taken from the request path
            if key in shape.members and key not in result:
                result[key] = value
        return result

    @staticmethod
    def _query_name(member: Shape, name: str) -> str:
        """The name a structure member goes by in the request's params."""
        return member.serialization.get("name", name)

    @staticmethod
    def _list_prefix(shape: Shape, prefix: str, flat: _FlatParams) -> str:
        """The params prefix the numbered items of a list follow (``<prefix>.<n>`` for flattened lists)."""
        if shape.serialization.get("flattened"):
            item_name = shape.member.serialization.get("name")
            if item_name and f"{prefix}.1" not in flat.prefixes:
                return ".".join(prefix.split(".")[:-1] + [item_name])
            return prefix
        return f"{prefix}.{shape.member.serialization.get('name', 'member')}"

    def _member(self, member: Shape, name: str, prefix: str, flat: _FlatParams, compat: bool) -> Any:
        serialized = self._query_name(member, name)
        keys = [serialized]
        if compat and member.serialization.get("flattened") and member.type_name in ("list", "map"):
            if member.type_name == "list" and member.member.type_name == "structure":
                keys.append(member.member.name)
            keys.append(_singular(serialized))
        for key in keys:
            full = f"{prefix}.{key}" if prefix else key
            value = self._read(member, full, flat, compat)
            if value is not _MISSING:
                return value
        return _MISSING

    def _read(self, shape: Shape, prefix: str, flat: _FlatParams, compat: bool) -> Any:
        kind = shape.type_name
        if kind == "string":  # the most common member: its text as sent
            return flat.values.get(prefix, _MISSING)
        if kind == "structure":
            if prefix not in flat.prefixes:
                return _MISSING
            result: dict[str, Any] = {}
            for name, member in shape.members.items():
                value = self._member(member, name, prefix, flat, compat)
                if value is not _MISSING:
                    result[name] = value
            return result
        if kind == "list":
            if prefix not in flat.prefixes:
                return _MISSING
            list_prefix = self._list_prefix(shape, prefix, flat)
            items = []
            index = 1
            while f"{list_prefix}.{index}" in flat.prefixes:
                items.append(self._read(shape.member, f"{list_prefix}.{index}", flat, compat))
                index += 1
            if not items and flat.values.get(prefix, None) is None:
                return _MISSING
            return [None if item is _MISSING else item for item in items]
        if kind == "map":
            if prefix not in flat.prefixes:
                return _MISSING
            base = prefix if shape.serialization.get("flattened") else f"{prefix}.entry"
            key_names = [shape.key.serialization.get("name", "key")]
            value_names = [shape.value.serialization.get("name", "value")]
            if compat:
                key_names += ["Name", "Key"]
                value_names += ["Value"]
            result = {}
            index = 1
            if flat.values.get(prefix) == "" and f"{base}.1" not in flat.prefixes:
                return result
            while f"{base}.{index}" in flat.prefixes:
                entry = f"{base}.{index}"
                key = next((flat.values[f"{entry}.{k}"] for k in key_names if f"{entry}.{k}" in flat.values), None)
                value: Any = _MISSING
                for value_name in value_names:
                    value = self._read(shape.value, f"{entry}.{value_name}", flat, compat)
                    if value is not _MISSING:
                        break
                if key is not None:
                    result[key] = None if value is _MISSING else value
                index += 1
            return result
        text = flat.values.get(prefix)
        if text is None:
            return _MISSING
        try:
            return scalar_from_text(shape, text)
        except ValueError:
            raise AwsError(
                "InvalidParameterValue" if compat else self.bad_value_code,
                f"Value '{text}' for parameter {prefix} is invalid. Expected a value of type {shape.type_name}.",
                400,
            ) from None

    # ------------------------------------------------------------------ serialize
    def serialize(self, operation: OperationModel, output: dict[str, Any], request_id: str) -> HttpResponse:
        head, wrapper, tail = _frame(operation)
        parts = [head]
        shape = operation.output_shape
        if shape is not None:
            if wrapper:
                body: list[str] = []
                write_members(body, shape, output or {})
                parts.append(f"<{wrapper}>")
                parts.extend(body)
                parts.append(f"</{wrapper}>")
            else:
                write_members(parts, shape, output or {})
        parts.append(f"<ResponseMetadata><RequestId>{xml_text(request_id)}</RequestId></ResponseMetadata>{tail}")
        return HttpResponse(
            200,
            [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)],
            "".join(parts).encode("utf-8"),
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
        code = error.code
        shape = error_shape(service, code)
        if _compat(service):
            code = query_error_code(service, error)[1]
        elif shape is not None:
            code = shape.metadata.get("error", {}).get("code", code)
        kind = "Sender" if error.sender_fault else "Receiver"
        namespace = xml_namespace(service)
        parts = [
            f'<ErrorResponse xmlns="{escape(namespace)}">' if namespace else "<ErrorResponse>",
            f"<Error><Type>{kind}</Type><Code>{xml_text(code)}</Code>",
        ]
        if error.message:  # some AWS errors carry no <Message> at all (IAM's ReportNotPresent: clients say "Unknown")
            parts.append(f"<Message>{xml_text(error.message)}</Message>")
        _write_error_fields(parts, shape, error.fields)
        parts.append(f"</Error><RequestId>{xml_text(request_id)}</RequestId></ErrorResponse>")
        return HttpResponse(
            error.status,
            [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)],
            "".join(parts).encode("utf-8"),
        )


def _write_error_fields(parts: list[str], shape: Shape | None, fields: dict[str, Any]) -> None:
    """Extra modelled error members as child elements of ``<Error>``."""
    if not fields:
        return
    if shape is not None and shape.type_name == "structure":
        known = {k: v for k, v in fields.items() if k in shape.members and k not in ("Message", "message", "Code")}
        write_members(parts, shape, known)
        extra = {k: v for k, v in fields.items() if k not in shape.members}
    else:
        extra = fields
    for key, value in extra.items():
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            parts.append(f"<{key}>{xml_text(str(value))}</{key}>")
