"""REST routing: a request naming a sub-resource is that sub-resource's operation, even without a required
header or query parameter (AWS then answers the missing input; it never serves the plain operation)."""

from __future__ import annotations

import re

import pytest

from rootplane.wire.routes import match_rest, rest_routes


def _subresource_routes() -> list[tuple[str, str, str, dict[str, str], frozenset[str]]]:
    """(service, method, path, literal query, operations with those literal keys) for every REST route whose
    requestUri names query keys (``?attributes``, ``?analytics``, ``?list-type=2``...)."""
    cases = []
    for service in ("s3", "account"):
        for method, routes in rest_routes(service).items():
            for route in routes:
                if not route.subresources:
                    continue
                literal = dict(route.query_values[: route.subresources])
                query = {key: value or "" for key, value in literal.items()}
                path = re.sub(r"\{[^}]+\}", "x", route.operation.http["requestUri"].partition("?")[0])
                same = frozenset(other.operation.name for other in routes
                                 if dict(other.query_values[: other.subresources]) == literal
                                 and other.pattern.match(path))
                cases.append((service, method, path, query, same))
    return cases


@pytest.mark.parametrize(("service", "method", "path", "query", "expected"), _subresource_routes(),
                         ids=lambda value: value if isinstance(value, str) else None)
def test_subresource_without_required_inputs_keeps_its_operation(service, method, path, query, expected) -> None:
    found = match_rest(service, method, path, query, {})
    assert found is not None and found[0].name in expected


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "operation"),
    [
        ("GET", "/bkt/k", {"attributes": ""}, {}, "GetObjectAttributes"),
        ("GET", "/bkt/k", {"attributes": ""}, {"x-amz-object-attributes": "ETag"}, "GetObjectAttributes"),
        ("PUT", "/bkt/k", {"renameObject": ""}, {}, "RenameObject"),
        ("DELETE", "/bkt", {"analytics": ""}, {}, "DeleteBucketAnalyticsConfiguration"),  # was DeleteBucket
        ("PUT", "/bkt", {"metrics": ""}, {}, "PutBucketMetricsConfiguration"),  # was CreateBucket
        ("GET", "/bkt", {"analytics": ""}, {}, "ListBucketAnalyticsConfigurations"),
        ("GET", "/bkt", {"analytics": "", "id": "a"}, {}, "GetBucketAnalyticsConfiguration"),
        # headers and required parameters still choose among operations of the same sub-resource (none here)
        ("PUT", "/bkt/k", {}, {"x-amz-copy-source": "/src/k"}, "CopyObject"),
        ("PUT", "/bkt/k", {}, {}, "PutObject"),
        ("PUT", "/bkt/k", {"uploadId": "u"}, {}, "PutObject"),
        ("PUT", "/bkt/k", {"uploadId": "u", "partNumber": "1"}, {}, "UploadPart"),
        ("GET", "/bkt/k", {"uploadId": "u"}, {}, "ListParts"),
        ("GET", "/bkt/k", {}, {}, "GetObject"),
    ],
)
def test_s3_operation_choice(method, path, query, headers, operation) -> None:
    found = match_rest("s3", method, path, query, headers)
    assert found is not None and found[0].name == operation


def test_no_sub_resource_no_guess() -> None:
    """Without a sub-resource, a missing header or parameter does not pick an operation (POST /bkt/k)."""
    assert match_rest("s3", "POST", "/bkt/k", {}, {}) is None
