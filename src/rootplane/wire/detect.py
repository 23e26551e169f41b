"""Work out which service and operation an HTTP request is for."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote_plus

from botocore.model import OperationModel

from .http import HttpRequest
from .legacy_query import LEGACY_QUERY_SERVICES, legacy_query_model
from .models import SERVICES, TARGET_PREFIXES, foreign_protocol, service_for_signing_name, service_model
from .protocols import RPC_V2_CBOR, RPC_V2_CBOR_HEADER
from .routes import match_rest

__all__ = ["Route", "detect", "credential_scope_service", "s3_bucket_from_host"]

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")
_FORM_ACTION = re.compile(rb"(?:^|&)Action=([^&]*)")
_RPC_V2_PATH = re.compile(r"^/service/([^/]+)/operation/([^/]+)$")
_SQS_PATH = re.compile(r"^/(\d{12})/([^/]+)/?$")
_S3_HOST = re.compile(
    r"^(?P<bucket>.+)\.s3(?:[.-][a-z0-9-]+)*\.(?:amazonaws\.com(?:\.cn)?|localhost\.localstack\.cloud|localhost)$"
)
_LOCALHOST_BUCKET = re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.-]*[a-z0-9])\.localhost$")
_SERVICE_HOST_PREFIXES = frozenset(SERVICES) | {"s3", "localhost"}


@dataclass
class Route:
    """Where a request goes: service name, botocore operation (None if unknown), protocol, REST labels."""

    service: str | None
    operation: OperationModel | None
    protocol: str | None
    path_params: dict[str, str] = field(default_factory=dict)
    unknown_name: str | None = None
    unknown_service: str | None = None


@lru_cache(maxsize=None)
def _target_prefixes() -> dict[str, str]:
    """X-Amz-Target prefix -> service. Besides the model's ``targetPrefix`` (botocore sends it), the short form
    after its last dot is accepted too: Smithy-based SDKs (AWS SDK for JavaScript v3) send
    ``CloudTrail_20131101.LookupEvents`` where botocore sends
    ``com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents``; AWS answers both."""
    prefixes = dict(TARGET_PREFIXES)
    for prefix, name in TARGET_PREFIXES.items():
        prefixes.setdefault(prefix.rsplit(".", 1)[-1], name)
    return prefixes


@lru_cache(maxsize=None)
def _operation_names(service: str) -> frozenset[str]:
    return frozenset(service_model(service).operation_names)


@lru_cache(maxsize=None)
def _known_operation(service: str, name: str) -> OperationModel:
    """An operation of the model (botocore's own lookup costs more than an LRU hit; bounded by the models)."""
    return service_model(service).operation_model(name)


def _operation(service: str, name: str) -> OperationModel | None:
    if name in _operation_names(service):
        return _known_operation(service, name)
    return None


def credential_scope_service(request: HttpRequest) -> str | None:
    """The SigV4 credential-scope service name (header or presigned query), if signed."""
    authorization = request.headers.get("authorization")
    if authorization:
        match = _CREDENTIAL.search(authorization)
        if match:
            return match.group(4)
        if authorization.startswith("AWS "):
            return "s3"  # SigV2 header auth is S3-only
        return None
    if "X-Amz-Credential" in request.query_string:
        credential = request.query.get("X-Amz-Credential", "")
        parts = credential.split("/")
        if len(parts) == 5:
            return parts[3]
    elif "AWSAccessKeyId=" in request.query_string and "Signature=" in request.query_string:
        return "s3"
    return None


def _host_name(request: HttpRequest) -> str:
    host = request.host.lower()
    if host.startswith("["):
        return host
    return host.rsplit(":", 1)[0] if ":" in host else host


def s3_bucket_from_host(host: str, *, allow_localhost: bool = True) -> str | None:
    """The bucket of a virtual-hosted-style S3 host name (port already stripped), else None."""
    match = _S3_HOST.match(host)
    if match:
        return match.group("bucket")
    if allow_localhost:
        match = _LOCALHOST_BUCKET.match(host)
        if match and match.group("bucket") not in _SERVICE_HOST_PREFIXES:
            return match.group("bucket")
    return None


def _action(request: HttpRequest) -> str | None:
    action = request.query.get("Action") if request.query_string else None
    if action is None and request.body and request.method == "POST":
        content_type = request.headers.get("content-type", "")
        if not content_type or "x-www-form-urlencoded" in content_type:
            match = _FORM_ACTION.search(request.body)
            if match:
                action = unquote_plus(match.group(1).decode("utf-8", "replace"))
    return action


def _query_route(service: str, request: HttpRequest, action: str | None, protocol: str = "query") -> Route:
    if action is None:
        return Route(service, None, protocol)
    operation = _operation(service, action)
    if operation is not None and service in LEGACY_QUERY_SERVICES:
        operation = legacy_query_model(service).operation_model(action)
    params: dict[str, str] = {}
    if service == "sqs":
        match = _SQS_PATH.match(request.path)
        if match:
            params["QueueUrl"] = f"{request.scheme}://{request.host}{request.path.rstrip('/')}"
    return Route(service, operation, protocol, params, None if operation else action)


def _rest_route(service: str, request: HttpRequest) -> Route:
    protocol = service_model(service).protocol
    path = request.path or "/"
    if service == "s3":
        bucket = s3_bucket_from_host(_host_name(request))
        if bucket:
            path = f"/{bucket}{path}" if path != "/" else f"/{bucket}"
    found = match_rest(service, request.method, path, request.query, request.headers)
    if found is None:
        return Route(service, None, protocol, {}, f"{request.method} {path}")  # S3: the bucket in the path
    operation, labels = found
    return Route(service, operation, protocol, labels)


def _route_for_service(service: str, request: HttpRequest) -> Route:
    model = service_model(service)
    protocol = model.protocol
    if protocol == RPC_V2_CBOR and "query" in model.metadata.get("protocols", ()):
        protocol = "query"  # CloudWatch still answers its older query form (Action=...)
    if protocol in ("rest-json", "rest-xml"):
        return _rest_route(service, request)
    if protocol in ("query", "ec2"):
        return _query_route(service, request, _action(request), protocol)
    # JSON service without X-Amz-Target: SQS legacy query, anything else unknown.
    if service == "sqs":
        return _query_route(service, request, _action(request))
    return Route(service, None, protocol)


def _foreign_route(request: HttpRequest, scope: str | None) -> Route:
    """A request for a service rootplane does not serve: the protocol the client speaks (so the error is one it can
    read), the operation it names and the service it signed for."""
    target = request.headers.get("x-amz-target")
    if target:
        prefix, _, name = target.rpartition(".")
        return Route(None, None, "json", {}, name or target, scope or prefix)
    action = _action(request)
    if action is not None:
        return Route(None, None, "query", {}, action, scope)
    protocol = foreign_protocol(scope) if scope else None
    if protocol not in ("rest-json", "rest-xml"):
        protocol = "rest-json" if "json" in request.headers.get("content-type", "") else "rest-xml"
    return Route(None, None, protocol, {}, f"{request.method} {request.path}", scope)


def _target_route(request: HttpRequest, target: str, scope: str | None) -> Route:
    prefix, _, name = target.rpartition(".")
    service = _target_prefixes().get(prefix)
    if service is None:
        return _foreign_route(request, scope)
    operation = _operation(service, name)
    return Route(service, operation, "json", {}, None if operation else name)


def _rpc_v2_route(request: HttpRequest, match: re.Match[str], scope: str | None) -> Route:
    """Smithy RPC v2 CBOR: ``/service/<ServiceName>/operation/<Operation>``, the service named by its target
    prefix (what botocore sends) or that prefix's short form."""
    prefix, name = unquote_plus(match.group(1)), unquote_plus(match.group(2))
    service = _target_prefixes().get(prefix)
    if service is None:
        return Route(None, None, RPC_V2_CBOR, {}, name, scope or prefix)
    operation = _operation(service, name)
    if RPC_V2_CBOR not in service_model(service).metadata.get("protocols", ()):
        operation = None
    return Route(service, operation, RPC_V2_CBOR, {}, None if operation else name)


def _unsigned_route(request: HttpRequest) -> Route:
    action = _action(request)
    if action is not None:
        if "QueueUrl" in request.query or _SQS_PATH.match(request.path) or (
            request.body and b"QueueUrl=" in request.body
        ):
            return _query_route("sqs", request, action)
        for service in ("sts", "iam", "sns"):
            if action in _operation_names(service):
                return _query_route(service, request, action)
        return _query_route("iam", request, action)
    host = _host_name(request)
    if host.startswith("account."):
        return _rest_route("account", request)
    account = _rest_route("account", request)
    if account.operation is not None and request.method == "POST":
        return account
    return _rest_route("s3", request)


def detect(request: HttpRequest) -> Route:
    """Route a request: Smithy RPC v2 path, X-Amz-Target, then SigV4 scope service, then Action=/REST heuristics."""
    scope = credential_scope_service(request)
    if request.headers.get("smithy-protocol") == RPC_V2_CBOR_HEADER and request.method == "POST":
        match = _RPC_V2_PATH.match(request.path)
        if match:
            return _rpc_v2_route(request, match, scope)
    target = request.headers.get("x-amz-target")
    if target:
        return _target_route(request, target, scope)
    if scope is not None:
        service = service_for_signing_name(scope)
        if service is None:
            return _foreign_route(request, scope)
        return _route_for_service(service, request)
    return _unsigned_route(request)
