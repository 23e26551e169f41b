"""Compiled REST route tables (method + requestUri + required query/headers) for rest-json/rest-xml services."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from botocore.model import OperationModel

from .models import service_model

__all__ = ["RestRoute", "compile_route", "route_matches", "rest_routes", "match_rest"]

_LABEL = re.compile(r"\{([^}]+)\}")
_OPTIONAL_LITERALS = frozenset({"x-id"})


@dataclass(frozen=True)
class RestRoute:
    """One operation's HTTP binding, compiled for matching."""

    operation: OperationModel
    method: str
    pattern: re.Pattern[str]
    labels: tuple[tuple[str, str], ...]  # (regex group, label name)
    query_values: tuple[tuple[str, str | None], ...]  # required key (and literal value, if any)
    subresources: int  # how many of query_values are the requestUri's literal keys (?attributes, ?tagging...)
    optional_values: tuple[tuple[str, str], ...]  # literals that must match only when present (x-id)
    headers: tuple[str, ...]
    score: int
    deprecated: bool


def compile_route(operation: OperationModel) -> RestRoute:
    """Compile one operation's http binding."""
    uri = operation.http.get("requestUri", "/")
    path, _, query = uri.partition("?")
    labels: list[tuple[str, str]] = []
    regex = ["^"]
    position = 0
    literal_chars = 0
    for index, match in enumerate(_LABEL.finditer(path)):
        literal = path[position : match.start()]
        regex.append(re.escape(literal))
        literal_chars += len(literal)
        name = match.group(1)
        group = f"g{index}"
        if name.endswith("+"):
            name = name[:-1]
            regex.append(f"(?P<{group}>.+)")
        else:
            regex.append(f"(?P<{group}>[^/]+)")
        labels.append((group, name))
        position = match.end()
    tail = path[position:]
    regex.append(re.escape(tail))
    literal_chars += len(tail)
    if not path.endswith("/") and not path.endswith("+}"):
        regex.append("/?")
    regex.append("$")
    query_values: list[tuple[str, str | None]] = []
    optional: list[tuple[str, str]] = []
    for item in filter(None, query.split("&")):
        key, sep, value = item.partition("=")
        if key in _OPTIONAL_LITERALS:
            optional.append((key, value))
        else:
            query_values.append((key, value if sep else None))
    subresources = len(query_values)
    headers: list[str] = []
    shape = operation.input_shape
    if shape is not None:
        required = set(shape.required_members)
        for name, member in shape.members.items():
            if name not in required:
                continue
            location = member.serialization.get("location")
            key = member.serialization.get("name", name)
            if location == "querystring" and all(key != q for q, _ in query_values):
                query_values.append((key, None))
            elif location == "header":
                headers.append(key.lower())
    score = 1000 * (len(query_values) + len(headers)) + literal_chars - len(labels)
    return RestRoute(
        operation=operation,
        method=operation.http.get("method", "POST").upper(),
        pattern=re.compile("".join(regex)),
        labels=tuple(labels),
        query_values=tuple(query_values),
        subresources=subresources,
        optional_values=tuple(optional),
        headers=tuple(headers),
        score=score,
        deprecated=bool(operation.deprecated),
    )


@lru_cache(maxsize=None)
def rest_routes(service: str) -> dict[str, tuple[RestRoute, ...]]:
    """Routes by HTTP method, most sub-resource keys first, then most specific (score, non-deprecated, name)."""
    model = service_model(service)
    by_method: dict[str, list[RestRoute]] = {}
    for name in model.operation_names:
        route = compile_route(model.operation_model(name))
        by_method.setdefault(route.method, []).append(route)
    return {
        method: tuple(sorted(routes, key=lambda r: (-r.subresources, -r.score, r.deprecated, r.operation.name)))
        for method, routes in by_method.items()
    }


def match_rest(
    service: str, method: str, path: str, query: dict[str, str], headers: dict[str, str]
) -> tuple[OperationModel, dict[str, str]] | None:
    """Find the operation of a REST request; returns (operation, uri labels) or None.

    A request naming a sub-resource (``GET /bucket/key?attributes``) is that sub-resource's operation even
    when a required header or query parameter is missing, as on AWS (validation then answers the error): it
    never falls back to an operation without the sub-resource (GetObject, or DeleteBucket for
    ``DELETE /bucket?analytics``). Among the routes of the most specific sub-resource present, the first one
    the request fits entirely wins, else the most specific of them.
    """
    routes = rest_routes(service).get(method.upper())
    if not routes:
        return None
    fallback: tuple[RestRoute, dict[str, str]] | None = None
    for route in routes:
        if fallback is not None and route.subresources < fallback[0].subresources:
            break
        if route.subresources and route.query_values[0][0] not in query:
            continue  # _path_labels' first test, without its generator: most routes end here
        labels = _path_labels(route, path, query)
        if labels is None:
            continue
        if _fits(route, query, headers):
            return route.operation, labels
        if fallback is None and route.subresources:
            fallback = (route, labels)
    return (fallback[0].operation, fallback[1]) if fallback is not None else None


def route_matches(route: RestRoute, path: str, query: dict[str, str], headers: dict[str, str]) -> dict[str, str] | None:
    """The decoded uri labels when the request fits ``route`` (method already checked), else None."""
    labels = _path_labels(route, path, query)
    return labels if labels is not None and _fits(route, query, headers) else None


def _path_labels(route: RestRoute, path: str, query: dict[str, str]) -> dict[str, str] | None:
    """The decoded uri labels when the path and the route's literal query keys match, else None."""
    if any(key not in query or (value is not None and query[key] != value)
           for key, value in route.query_values[: route.subresources]):
        return None
    if any(key in query and query[key] != value for key, value in route.optional_values):
        return None
    match = route.pattern.match(path)
    if match is None:
        return None
    return {name: unquote(match.group(group)) for group, name in route.labels}


def _fits(route: RestRoute, query: dict[str, str], headers: dict[str, str]) -> bool:
    """Whether the required query parameters and headers beyond the literal keys are all present."""
    return (all(key in query for key, _ in route.query_values[route.subresources:])
            and all(header in headers for header in route.headers))
