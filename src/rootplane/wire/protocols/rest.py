"""Shared REST binding logic (uri labels, querystring, headers, status) for rest-json and rest-xml."""

from __future__ import annotations

import json
import re
from typing import Any

from botocore.model import OperationModel, Shape

from ...core.errors import AwsError
from ..http import HttpRequest
from .base import Protocol, gzipped_in_transit, request_body, split_error_fields
from .values import RESPONSE_LOCATIONS, b64decode, b64encode, float_text, format_timestamp, parse_timestamp, scalar_from_text

__all__ = ["RestProtocol"]

_RFC822_LIST = re.compile(r"[A-Za-z]{3},\s*\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+[\d:]+\s+\w+")


def _split_header_list(text: str) -> list[str]:
    """Split a comma-separated header list, honouring double-quoted items."""
    items: list[str] = []
    current: list[str] = []
    quoted = False
    index = 0
    while index < len(text):
        char = text[index]
        if char == '"':
            quoted = not quoted
        elif char == "\\" and quoted and index + 1 < len(text):
            index += 1
            current.append(text[index])
        elif char == "," and not quoted:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        index += 1
    items.append("".join(current).strip())
    return items


def _without_gzip(text: str) -> str | None:
    """A Content-Encoding header as the caller meant it once the server undid request compression's gzip."""
    kept = [item.strip() for item in text.split(",") if item.strip() and item.strip().lower() != "gzip"]
    return ", ".join(kept) if kept else None


class RestProtocol(Protocol):
    """Base for rest-json / rest-xml: everything bound outside the body."""

    bad_input_code = "SerializationException"
    body_timestamp = "unixTimestamp"

    # ------------------------------------------------------------------ parse
    def _bad(self, message: str) -> AwsError:
        return AwsError(self.bad_input_code, message, 400)

    def _scalar(self, shape: Shape, text: str, where: str, ts_default: str) -> Any:
        try:
            if shape.type_name == "timestamp":
                return parse_timestamp(text)
            return scalar_from_text(shape, text)
        except (ValueError, OverflowError) as exc:
            raise self.bad_binding(shape, text, where, exc) from None

    def bad_binding(self, shape: Shape, text: str, where: str, exc: Exception) -> AwsError:
        """The error for a uri label, query parameter or header that does not convert to its shape."""
        return self._bad(f"Invalid value {text!r} for {where}: {exc}")

    def parse_input(self, operation: OperationModel, request: HttpRequest, path_params: dict[str, str]) -> dict[str, Any]:
        shape = operation.input_shape
        if shape is None:
            return {}
        result: dict[str, Any] = {}
        query: dict[str, list[str]] | None = None
        claimed: set[str] = set()
        query_maps: list[tuple[str, Shape]] = []
        has_body_members = False
        for name, member in shape.members.items():
            serialization = member.serialization
            location = serialization.get("location")
            if location is None:
                has_body_members = True
                continue
            key = serialization.get("name", name)
            if location == "uri":
                text = path_params.get(key)
                if text is not None:
                    result[name] = self._scalar(member, text, key, "iso8601")
            elif location == "querystring":
                if query is None:
                    query = {}
                    for qkey, qvalue in request.query_params:
                        query.setdefault(qkey, []).append(qvalue)
                if member.type_name == "map":
                    query_maps.append((name, member))
                    continue
                claimed.add(key)
                values = query.get(key)
                if values is None:
                    continue
                if member.type_name == "list":
                    result[name] = [self._scalar(member.member, v, key, "iso8601") for v in values]
                else:
                    result[name] = self._scalar(member, values[0], key, "iso8601")
            elif location == "header":
                text = request.headers.get(key.lower())
                if text is not None and key.lower() == "content-encoding" and gzipped_in_transit(operation, request):
                    text = _without_gzip(text)
                if text is not None:
                    result[name] = self._header_value(member, text, key)
            elif location == "headers":
                prefix = key.lower()
                found = {h[len(prefix):]: v for h, v in request.headers.items() if h.startswith(prefix)}
                if found:
                    result[name] = found
        for name, member in query_maps:  # named querystring members take precedence over the map
            values_map: dict[str, Any] = {}
            for qkey, values in (query or {}).items():
                if qkey in claimed:
                    continue
                if member.value.type_name == "list":
                    values_map[qkey] = values
                else:
                    values_map[qkey] = values[0]
            if values_map:
                result[name] = values_map
        payload = shape.serialization.get("payload")
        body = request_body(request, operation)
        if payload:
            member = shape.members[payload]
            if member.type_name == "blob":
                if body:
                    result[payload] = body
            elif member.type_name == "string":
                if body:
                    result[payload] = body.decode("utf-8", "replace")
            elif body and body.strip():
                value = self._parse_payload(member, body, operation)
                if value is not None:
                    result[payload] = value
        elif has_body_members:
            result.update(self._parse_body(shape, body, operation))
        return result

    def _header_value(self, member: Shape, text: str, key: str) -> Any:
        kind = member.type_name
        if kind == "string" and member.serialization.get("jsonvalue"):
            try:
                return json.loads(b64decode(text))
            except ValueError:
                raise self._bad(f"Invalid JSON value in header {key}") from None
        if kind == "list":
            if not text.strip():
                return []
            if member.member.type_name == "timestamp":
                items = _RFC822_LIST.findall(text) or _split_header_list(text)
            else:
                items = _split_header_list(text)
            return [self._scalar(member.member, item, key, "rfc822") for item in items if item != "" or member.member.type_name == "string"]
        return self._scalar(member, text.strip() if kind != "string" else text, key, "rfc822")

    def _parse_payload(self, member: Shape, body: bytes, operation: OperationModel) -> Any:
        raise NotImplementedError

    def _parse_body(self, shape: Shape, body: bytes, operation: OperationModel) -> dict[str, Any]:
        raise NotImplementedError

    # ------------------------------------------------------------------ serialize helpers
    @staticmethod
    def header_text(member: Shape, value: Any) -> str:
        """Render a header-bound value (timestamps RFC-822 by default, jsonvalue base64)."""
        kind = member.type_name
        if kind == "string" and member.serialization.get("jsonvalue"):
            return b64encode(json.dumps(value, separators=(",", ":")))
        if kind == "timestamp":
            return str(format_timestamp(value, member.serialization.get("timestampFormat", "rfc822")))
        if kind == "list":
            parts = []
            item_shape = member.member
            for item in value:
                if item_shape.type_name == "timestamp" and "timestampFormat" not in item_shape.serialization:
                    # RFC-822 dates contain commas, which list headers cannot carry unambiguously
                    text = str(format_timestamp(item, "iso8601"))
                else:
                    text = RestProtocol.header_text(item_shape, item)
                if member.member.type_name == "string" and ("," in text or '"' in text):
                    text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
                parts.append(text)
            return ", ".join(parts)
        if kind == "boolean":
            return "true" if value else "false"
        if kind in ("float", "double"):
            return float_text(float(value))
        if kind == "blob":
            return b64encode(value)
        return str(value)

    def bind_outside_body(self, shape: Shape, output: dict[str, Any], headers: list[tuple[str, str]], status: int) -> tuple[int, dict[str, Any]]:
        """Move header/status-bound members into ``headers``/status; return (status, body members).

        Request-only locations (uri, querystring) mean nothing in a response: those members go in the body.
        """
        body: dict[str, Any] = {}
        for name, member in shape.members.items():
            value = output.get(name)
            if value is None:
                continue
            serialization = member.serialization
            location = serialization.get("location")
            if location not in RESPONSE_LOCATIONS:
                body[name] = value
            elif location == "header":
                headers.append((serialization.get("name", name), self.header_text(member, value)))
            elif location == "headers":
                prefix = serialization.get("name", "")
                for key, item in value.items():
                    headers.append((prefix + key, str(item)))
            elif location == "statusCode":
                status = int(value)
        return status, body

    def bind_error_headers(self, shape: Shape | None, fields: dict[str, Any], headers: list[tuple[str, str]]) -> dict[str, Any]:
        """Append an error's header-bound fields to ``headers``; return the fields left for the body."""
        body, bound = split_error_fields(shape, fields)
        for key, value in bound.items():
            member = shape.members[key]
            name = member.serialization.get("name", key)
            if name.lower() != "x-amzn-errortype":
                headers.append((name, self.header_text(member, value)))
        return body
