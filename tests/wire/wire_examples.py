"""Example value generation from botocore shapes and normalisation for round-trip comparisons."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import HeadersDict, create_request_object, prepare_request_dict
from botocore.model import OperationModel, Shape

from rootplane.wire.http import HttpRequest

STAMP = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
MAX_DEPTH = 5


def example(shape: Shape, *, depth: int = 0, seen: tuple[str, ...] = (), skip_locations: tuple[str, ...] = ()) -> Any:
    """A valid example value for ``shape`` (bounded depth, recursion-safe)."""
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return {"doc": [1, "two"]}
        if depth > MAX_DEPTH or shape.name in seen:
            return None
        result: dict[str, Any] = {}
        for name, member in shape.members.items():
            serialization = member.serialization
            if serialization.get("eventstream") or getattr(member, "serialization", {}).get("eventpayload"):
                continue
            if member.type_name == "structure" and member.serialization.get("eventstream"):
                continue
            if serialization.get("location") in skip_locations or serialization.get("hostLabel"):
                continue
            value = example(member, depth=depth + 1, seen=seen + (shape.name,), skip_locations=skip_locations)
            if value is None or value == {}:
                continue
            result[name] = value
            if shape.metadata.get("union"):
                break
        return result
    if kind == "list":
        item = example(shape.member, depth=depth + 1, seen=seen, skip_locations=skip_locations)
        if item is None or item == {}:
            return None
        count = max(1, shape.metadata.get("min", 1))
        return [item] * min(count, 2)
    if kind == "map":
        value = example(shape.value, depth=depth + 1, seen=seen, skip_locations=skip_locations)
        if value is None or value == {}:
            return None
        return {"key1": value}
    if kind == "string":
        if shape.enum:
            return shape.enum[0]
        if shape.serialization.get("jsonvalue"):
            return {"a": [1, "b"]}
        if shape.name == "policyDocumentType":
            return '{"Version":"2012-10-17","Statement":[]}'
        text = "abc" if shape.name != "BucketName" else "examplebucket"
        minimum = shape.metadata.get("min", 0)
        if minimum > len(text):
            text = text + "x" * (minimum - len(text))
        maximum = shape.metadata.get("max")
        if maximum is not None and len(text) > maximum:
            text = text[: max(1, maximum)]
        return text
    if kind in ("integer", "long", "short", "byte"):
        low = shape.metadata.get("min")
        return int(low) if low is not None and low > 1 else 1 if shape.metadata.get("max", 1) >= 1 else 0
    if kind in ("float", "double"):
        return 1.5
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return STAMP
    if kind == "blob":
        return b"blob\x00data"
    return None


def normalize(shape: Shape | None, value: Any) -> Any:
    """Comparable form: timestamps -> epoch float, blobs -> bytes, None members dropped."""
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure" and not shape.is_document_type:
        return {k: normalize(shape.members.get(k), v) for k, v in value.items() if v is not None and k in shape.members}
    if kind == "list":
        return [normalize(shape.member, v) for v in value]
    if kind == "map":
        return {k: normalize(shape.value, v) for k, v in value.items()}
    if kind == "timestamp":
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
        return float(value)
    if kind == "blob":
        if hasattr(value, "read"):
            value = value.read()
        return value.encode() if isinstance(value, str) else bytes(value)
    if kind in ("float", "double") and isinstance(value, (int, float)):
        return float(value)
    return value


def to_http_request(request_dict: dict, *, host: str, signing_name: str | None = None) -> HttpRequest:
    """Turn a botocore serializer request dict into our HttpRequest (via botocore's own request prep)."""
    prepare_request_dict(request_dict, endpoint_url=f"https://{host}")
    prepared = create_request_object(request_dict).prepare()
    parts = urlsplit(prepared.url)
    headers = {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in prepared.headers.items()}
    headers["host"] = parts.netloc
    if signing_name:
        headers["authorization"] = (
            f"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/{signing_name}/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=abc"
        )
    body = prepared.body
    if body is None:
        body = b""
    elif hasattr(body, "read"):
        body = body.read()
    elif isinstance(body, str):
        body = body.encode("utf-8")
    return HttpRequest(prepared.method, parts.path or "/", parts.query, headers, bytes(body))


def to_botocore_response(response) -> dict:
    headers = HeadersDict()
    for key, value in response.headers:
        headers[key] = value
    return {"status_code": response.status, "headers": headers, "body": response.body}


def same_binding(a: OperationModel, b: OperationModel) -> bool:
    """Two operations that share an identical HTTP binding (e.g. S3 ListBuckets / ListDirectoryBuckets)."""
    return a.http.get("method") == b.http.get("method") and a.http.get("requestUri") == b.http.get("requestUri")


def b64(value: bytes) -> str:
    return base64.b64encode(value).decode()
