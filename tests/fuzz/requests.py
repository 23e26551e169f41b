"""Malformed requests generated from botocore's models, one protocol family at a time.

Each request starts from an operation of a served model whose input is filled with hostile values chosen by the
member's shape (wrong types, empty and huge strings, out-of-range numbers, pathological policies and patterns,
deep structures), serialized by botocore's own serializer for the family (validation off), then often mutated at
the byte level (truncated, invalid UTF-8, deep or huge bodies, huge or odd headers, broken encodings) and signed with
SigV4 so it reaches parsing and validation; some stay unsigned or are signed before being mutated.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, prepare_request_dict
from botocore.credentials import Credentials
from botocore.serialize import create_serializer

__all__ = ["FAMILIES", "FuzzRequest", "Generator"]

# Family -> (served services, the serializer's protocol). SQS is in both json and its older query form.
FAMILIES: dict[str, tuple[tuple[str, ...], str]] = {
    "query": (("iam", "sts", "sns", "sqs"), "query"),
    "json": (("organizations", "cloudtrail", "events", "sqs", "kms", "support"), "json"),
    "rest-json": (("account",), "rest-json"),
    "rest-xml": (("s3",), "rest-xml"),
}

_SESSION = botocore.session.get_session()
_CREDENTIALS = Credentials("test", "test")

_POLICIES = [
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"' + "*a" * 2000 + '","Resource":"*"}]}',
    '{"Version":"2012-10-17","Statement":[' + ",".join(
        '{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::' + "*?" * 40 + '"}' for _ in range(200)) + "]}",
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":'
    '{"StringLike":{"aws:PrincipalArn":"' + "*" * 5000 + 'x"}}}}',
    '{"Statement":' + "[" * 5000 + "]" * 5000 + "}",
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*","Condition":'
    '{"ForAllValues:StringLike":{"aws:TagKeys":["' + '","'.join("*" * i for i in range(1, 300)) + '"]}}}]}',
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"' + "arn:aws:iam::1:" * 500
    + '"},"Action":"sts:AssumeRole"}]}',
    '{"Version":"2012-10-17","Statement":[{"Sid":"\\ud800","Effect":"Allow","Action":"*","Resource":"${aws:'
    + "${" * 200 + '}"}]}',
    '{"source":[{"wildcard":"' + "*a" * 3000 + '"}],"detail":{"x":[{"prefix":{"equals-ignore-case":1}}]}}',
    '{"detail":' + '{"a":' * 3000 + "1" + "}" * 3000 + "}",
    '{"detail":{"n":[{"numeric":[">",1e308,"<",-1e308]}],"s":[{"anything-but":{"wildcard":["' + "*" * 2000 + '"]}}]}}',
]
_STRINGS = ["", " ", "a" * 70000, "\x00", "../../etc/passwd", "%00%ff", "arn:aws:iam::", "arn:" + ":" * 300,
            "💥" * 1000, "\u202e\ufeff", "<x>&amp;</x>", "${aws:username}", "*" * 4096, "AKIA" + "A" * 16,
            "'; DROP TABLE iam_users; --", "\t\n\r", "null", "-1", "1e999", "NaN", "[]", "{}", "a/b/../c"]
_NUMBERS = [-1, 0, 2 ** 63, -(2 ** 63) - 1, 10 ** 40, 1.5, float("inf"), "abc", "", True, [1], {"a": 1}]
_TIMES = ["not-a-date", 10 ** 20, -1, "2026-13-45T99:99:99Z", "", 1.5e300, [1]]


_PARAMS_BUDGET = 2 << 20  # bytes of generated values per request (the byte mutations add their own huge bodies)


def _estimated_size(value: Any) -> int:
    """Roughly how many bytes ``value`` serializes to; stops counting past the budget (bounded work)."""
    total, stack = 0, [value]
    while stack and total <= _PARAMS_BUDGET:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            total += len(item) + 8
        elif isinstance(item, dict):
            total += 8 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            total += 8 * len(item)
            stack.extend(item)
        else:
            total += 8
    return total


@dataclass
class FuzzRequest:
    family: str
    service: str
    operation: str
    mutation: str
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes

    def describe(self) -> str:
        return f"{self.family} {self.service}.{self.operation} [{self.mutation}] {self.method} {self.path[:120]}"


class Generator:
    """Deterministic for a seed: the same requests in the same order."""

    def __init__(self, family: str, endpoint: str, seed: int) -> None:
        self.family = family
        self.endpoint = endpoint
        self.random = random.Random(seed)
        services, self.protocol = FAMILIES[family]
        self.models = {name: _SESSION.get_service_model(name) for name in services}
        self.operations = [(name, operation) for name, model in self.models.items()
                           for operation in model.operation_names]
        self.serializer = create_serializer(self.protocol, include_validation=False)

    # -- values by shape ------------------------------------------------------------------------------------------
    def value(self, shape, depth: int = 0) -> Any:
        pick = self.random.random()
        if pick < 0.08:  # the wrong type altogether
            return self.random.choice([{"x": 1}, [1, 2], 42, "str", None, True, b"\xff"])
        kind = shape.type_name
        if kind == "structure":
            if depth > 6:
                return {}
            members = list(shape.members.items())
            chosen = self.random.sample(members, k=self.random.randint(0, len(members))) if members else []
            return {name: self.value(member, depth + 1) for name, member in chosen}
        if kind == "list":
            if depth > 6:
                return []
            count = self.random.choice([0, 1, 2, 3, 1000])
            item = self.value(shape.member, depth + 1)
            return [item] * count
        if kind == "map":
            count = self.random.choice([0, 1, 3, 200])
            return {f"{self.random.choice(_STRINGS)[:100]}{i}": self.value(shape.value, depth + 1) for i in range(count)}
        if kind == "string":
            name = shape.name.lower()
            if "policy" in name or "pattern" in name or "document" in name:
                return self.random.choice(_POLICIES + _STRINGS)
            if shape.enum and pick < 0.3:
                return self.random.choice(shape.enum)
            return self.random.choice(_STRINGS)
        if kind in ("integer", "long", "float", "double"):
            return self.random.choice(_NUMBERS)
        if kind == "boolean":
            return self.random.choice([True, False, "maybe", 2, None])
        if kind == "timestamp":
            return self.random.choice(_TIMES)
        if kind == "blob":
            return self.random.choice([b"", b"\x00\xff" * 5000, "text", self.random.randbytes(64)])
        return None

    # -- one request ----------------------------------------------------------------------------------------------
    def next(self) -> FuzzRequest:
        while True:
            try:
                return self._one()
            except Exception:  # noqa: BLE001 - botocore cannot even serialize this operation bare: pick another
                continue

    def _one(self) -> FuzzRequest:
        service, name = self.random.choice(self.operations)
        model = self.models[service]
        operation = model.operation_model(name)
        params: Any = {}
        for _ in range(5):  # nested huge lists multiply: keep what fits the budget
            params = self.value(operation.input_shape) if operation.input_shape is not None else {}
            if _estimated_size(params) <= _PARAMS_BUDGET:
                break
            params = {}
        if not isinstance(params, dict):
            params = {}
        labels = self._uri_labels(operation)
        for label in labels:  # REST paths need their labels (any string, hostile ones included)
            if not isinstance(params.get(label), str) or not params[label]:
                params[label] = self.random.choice(["x", "a" * 2000, "..", "%2F", "💥", " ", "a/b"])
        try:
            request_dict = self.serializer.serialize_to_request(params, operation)
        except Exception:  # noqa: BLE001 - botocore refuses some wrong types: send the bare operation instead
            request_dict = self.serializer.serialize_to_request({label: "x" for label in labels}, operation)
        prepare_request_dict(request_dict, self.endpoint)
        request = AWSRequest(method=request_dict["method"], url=request_dict["url"], data=request_dict["body"],
                             headers=request_dict["headers"])
        body = request.data if isinstance(request.data, bytes) else (request.data or "").encode("utf-8", "replace") \
            if isinstance(request.data, str) else b""
        mutation = self.random.choice(_MUTATIONS)
        headers = dict(request.headers.items())
        path = urlsplit(request.url)
        target = path.path + (f"?{path.query}" if path.query else "")
        body, headers, target = mutation(self, body, headers, target)
        signing = self.random.random()
        if signing < 0.85:  # signed over the mutated request: it reaches parsing and validation
            headers = self._sign(model.signing_name or model.endpoint_prefix, request_dict["method"], target, headers,
                                 body)
        elif signing < 0.93:  # signed, then changed: a signature mismatch
            headers = self._sign(model.signing_name or model.endpoint_prefix, request_dict["method"], target, headers,
                                 b"")
        return FuzzRequest(self.family, service, name, mutation.__name__, request_dict["method"], target,
                           [(k, v) for k, v in headers.items()], body)

    @staticmethod
    def _uri_labels(operation) -> list[str]:
        shape = operation.input_shape
        if shape is None:
            return []
        return [name for name, member in shape.members.items()
                if member.serialization.get("location") == "uri" or member.serialization.get("hostLabel")]

    def _sign(self, signing_name: str, method: str, target: str, headers: dict, body: bytes) -> dict:
        unsigned = {k: v for k, v in headers.items() if k.lower() not in ("authorization", "x-amz-date")}
        request = AWSRequest(method=method, url=self.endpoint + target, data=body, headers=unsigned)
        try:
            SigV4Auth(_CREDENTIALS, signing_name, "us-east-1").add_auth(request)
        except Exception:  # noqa: BLE001 - an unsignable target (broken encodings): send it unsigned
            return headers
        return dict(request.headers.items())


# -- byte-level mutations: (generator, body, headers, target) -> (body, headers, target) ----------------------------

def as_is(g, body, headers, target):
    return body, headers, target


def truncated(g, body, headers, target):
    return body[: g.random.randint(0, max(0, len(body) - 1))], headers, target


def invalid_utf8(g, body, headers, target):
    junk = g.random.choice([b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80"])
    at = g.random.randint(0, len(body))
    return body[:at] + junk + body[at:], headers, target


def deep_body(g, body, headers, target):
    depth = g.random.choice([1000, 20000, 100000])
    if g.family in ("json", "rest-json"):
        return b"[" * depth + b"]" * depth, headers, target
    if g.family == "rest-xml":
        return b"<a>" * depth + b"</a>" * depth, headers, target
    return body + b"&" + b"a.1." * depth + b"=1", headers, target


_FILLER = random.Random(0).randbytes(64) * ((3 << 20) // 64)


def huge_body(g, body, headers, target):
    return _FILLER[: g.random.choice([1 << 20, 3 << 20])], headers, target


def xml_bomb(g, body, headers, target):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
            + b"".join(b'<!ENTITY %c "%s">' % (98 + i, (b"&%c;" % (97 + i)) * 10) for i in range(8))
            + b"]><CreateBucketConfiguration><LocationConstraint>&i;</LocationConstraint></CreateBucketConfiguration>")
    return bomb, headers, target


def odd_json(g, body, headers, target):
    return g.random.choice([b'{"a":1,"a":2}', b"NaN", b'{"x":1e999999}', b'{"\\ud800":"\\udfff"}', b"\x00" * 50,
                            b'{"Name":' + b'"' * 1000, b"null", b"[]", b'"string"', b"{" + b"\t" * 100000 + b"}"]), \
        headers, target


def huge_header(g, body, headers, target):
    headers = dict(headers)
    if g.random.random() < 0.5:
        headers["X-Amz-Meta-Big"] = "a" * g.random.choice([8000, 60000, 200000])
    else:
        headers.update({f"X-Amz-Meta-H{i}": "v" for i in range(g.random.choice([100, 1000]))})
    return body, headers, target


def odd_headers(g, body, headers, target):
    headers = dict(headers)
    choice = g.random.randint(0, 5)
    if choice == 0:
        headers["Content-Type"] = "application/x-amz-json-1.1; charset=\xff"
    elif choice == 1:
        headers["X-Amz-Target"] = g.random.choice(["", ".", "AWSOrganizationsV20161128.", "x" * 5000, "a.b.c.d"])
    elif choice == 2:
        headers["Content-Encoding"] = g.random.choice(["gzip", "aws-chunked", "br", "deflate, gzip"])
    elif choice == 3:
        headers["X-Amz-Content-Sha256"] = g.random.choice(["STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "x", "UNSIGNED-PAYLOAD"])
    elif choice == 4:
        headers["Authorization"] = g.random.choice(["AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=/////",
                                                    "AWS a:b", "Bearer x", "AWS4-HMAC-SHA256 " + "," * 5000])
    else:
        headers["X-Amz-Date"] = g.random.choice(["", "20261301T999999Z", "x" * 100])
    return body, headers, target


def broken_query(g, body, headers, target):
    junk = g.random.choice(["%zz", "%ff%fe", "%", "a=%C3%28", "&&&==&", "x=" + "%41" * 10000, "Action=" + "\x7f" * 3])
    if g.family == "query" and body:
        return body + b"&" + junk.encode(), headers, target
    separator = "&" if "?" in target else "?"
    return body, headers, target + separator + junk.replace("\x7f", "%7F")


_MUTATIONS = [as_is, as_is, as_is, truncated, invalid_utf8, deep_body, huge_body, xml_bomb, odd_json, huge_header,
              odd_headers, broken_query]
