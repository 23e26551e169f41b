"""Model-driven fuzzing of every operation of the served services, through the real gateway (in-process).

For each operation, inputs are generated from its botocore input shape (valid-looking values, then one or all
members replaced by edge values: empty and oversized strings, bound violations, bad enums, negative and huge
numbers, unicode and control characters, huge lists, missing required members), serialized with botocore's own
serializer, sometimes corrupted on the wire (truncated, garbage bytes, non-UTF-8), signed with SigV4 and sent.

Every answer must be a success or an AWS-shaped client error that botocore parses to a Code: never a 5xx except
501 NotImplemented for operations not built (docs/coverage.md). A failed request commits nothing, and after the
run the store still passes SQLite's integrity checks and answers its list reads consistently.

Reproduce one service with ``pytest tests/wire/test_model_fuzz.py -k <service>``; ``ROOTPLANE_FUZZ_CASES=40``
runs more cases per operation and ``ROOTPLANE_FUZZ_SEED=x`` other ones (the seed is fixed per service and
operation, so runs repeat exactly).
"""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest, HeadersDict, prepare_request_dict
from botocore.credentials import Credentials
from botocore.model import OperationModel, Shape
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from rootplane.core.config import ServerConfig
from rootplane.server import build_gateway
from rootplane.services.provider import find_handler
from rootplane.wire.http import HttpRequest, HttpResponse
from rootplane.wire.models import SERVICES, service_model

CASES_PER_OPERATION = int(os.environ.get("ROOTPLANE_FUZZ_CASES", "12"))
SEED = os.environ.get("ROOTPLANE_FUZZ_SEED", "rootplane")
CREDS = Credentials("test", "test")
ACCOUNT_ID = "000000000000"
ENDPOINT = "http://localhost:4566"

# Resources created before fuzzing, so that generated requests reach handlers past their "not found" checks.
QUEUE_URL = f"{ENDPOINT}/{ACCOUNT_ID}/fuzz-queue"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT_ID}:fuzz-topic"
POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
TRUST_POLICY = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},'
                '"Action":"sts:AssumeRole"}]}')
TRAIL_BUCKET_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": ["s3:GetBucketAcl", "s3:PutObject"],
     "Resource": ["arn:aws:s3:::fuzz-bucket", "arn:aws:s3:::fuzz-bucket/*"]}]})
KNOWN_VALUES: dict[str, tuple[str, ...]] = {
    "UserName": ("fuzz-user",), "GroupName": ("fuzz-group",), "RoleName": ("fuzz-role",),
    "PolicyArn": (f"arn:aws:iam::{ACCOUNT_ID}:policy/fuzz-policy", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
    "InstanceProfileName": ("fuzz-profile",), "Bucket": ("fuzz-bucket",), "Key": ("fuzz-key", "dir/fuzz-key"),
    "QueueUrl": (QUEUE_URL,), "QueueName": ("fuzz-queue",), "TopicArn": (TOPIC_ARN,), "TargetArn": (TOPIC_ARN,),
    "Rule": ("fuzz-rule",), "EventBusName": ("default",), "Name": ("fuzz-rule", "fuzz-trail", "fuzz-topic"),
    "TrailName": ("fuzz-trail",), "AccountId": (ACCOUNT_ID,), "PolicyDocument": (POLICY,),
    "AssumeRolePolicyDocument": (TRUST_POLICY,), "Policy": (POLICY,), "EventPattern": ('{"source":["aws.iam"]}',),
}
Params = dict[str, Any]
Observed = dict[str, list[str]]


def _first(seen: Observed, prefix: str) -> str:
    """The first value seen in a seed answer that starts with ``prefix``."""
    return next(value for values in seen.values() for value in values if value.startswith(prefix))


# Requests run before fuzzing (service, operation, params or a function of the values seen in earlier answers).
# Every string in their answers joins the values generated requests draw from (ids, receipt handles, ARNs...).
SEED_REQUESTS: dict[str, list[tuple[str, str, Params | Callable[[Observed], Params]]]] = {
    "iam": [("iam", "CreateUser", {"UserName": "fuzz-user"}), ("iam", "CreateGroup", {"GroupName": "fuzz-group"}),
            ("iam", "CreateRole", {"RoleName": "fuzz-role", "AssumeRolePolicyDocument": TRUST_POLICY}),
            ("iam", "CreatePolicy", {"PolicyName": "fuzz-policy", "PolicyDocument": POLICY}),
            ("iam", "CreateInstanceProfile", {"InstanceProfileName": "fuzz-profile"}),
            ("iam", "CreateAccessKey", {"UserName": "fuzz-user"})],
    "sts": [("sts", "GetCallerIdentity", {})],
    "organizations": [("organizations", "CreateOrganization", {"FeatureSet": "ALL"}), ("organizations", "ListRoots", {}),
                      ("organizations", "CreateOrganizationalUnit", lambda seen: {"ParentId": _first(seen, "r-"),
                                                                                  "Name": "fuzz-ou"}),
                      ("organizations", "CreatePolicy", {"Name": "fuzz-scp", "Description": "fuzz", "Content": POLICY,
                                                         "Type": "SERVICE_CONTROL_POLICY"})],
    "account": [("account", "GetContactInformation", {})],
    "s3": [("s3", "CreateBucket", {"Bucket": "fuzz-bucket"}),
           ("s3", "PutObject", {"Bucket": "fuzz-bucket", "Key": "fuzz-key", "Body": b"x"}),
           ("s3", "CreateMultipartUpload", {"Bucket": "fuzz-bucket", "Key": "fuzz-key"})],
    "sqs": [("sqs", "CreateQueue", {"QueueName": "fuzz-queue"}),
            ("sqs", "SendMessage", {"QueueUrl": QUEUE_URL, "MessageBody": "fuzz"}),
            ("sqs", "ReceiveMessage", {"QueueUrl": QUEUE_URL, "VisibilityTimeout": 0})],
    "sns": [("sns", "CreateTopic", {"Name": "fuzz-topic"}), ("sqs", "CreateQueue", {"QueueName": "fuzz-queue"}),
            ("sns", "Subscribe", {"TopicArn": TOPIC_ARN, "Protocol": "sqs",
                                  "Endpoint": f"arn:aws:sqs:us-east-1:{ACCOUNT_ID}:fuzz-queue"})],
    "events": [("events", "PutRule", {"Name": "fuzz-rule", "EventPattern": KNOWN_VALUES["EventPattern"][0]}),
               ("events", "PutTargets", {"Rule": "fuzz-rule", "Targets": [{"Id": "fuzz", "Arn": TOPIC_ARN}]})],
    "kms": [("kms", "CreateKey", {"Description": "fuzz"}),
            ("kms", "CreateKey", {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
            ("kms", "CreateKey", {"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
            ("kms", "CreateKey", {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
            ("kms", "CreateAlias", lambda seen: {"AliasName": "alias/fuzz", "TargetKeyId": seen["KeyId"][0]}),
            ("kms", "CreateGrant", lambda seen: {"KeyId": seen["KeyId"][0], "Operations": ["Encrypt"],
                                                 "GranteePrincipal": f"arn:aws:iam::{ACCOUNT_ID}:user/fuzz-user",
                                                 "RetiringPrincipal": f"arn:aws:iam::{ACCOUNT_ID}:root"})],
    "support": [("support", "CreateCase", {"subject": "fuzz", "communicationBody": "fuzz",
                                           "serviceCode": "key-management-service"})],
    "ec2": [("account", "EnableRegion", {"RegionName": "af-south-1"}), ("ec2", "DescribeRegions", {})],
    "resourcegroupstaggingapi": [("iam", "CreateUser", {"UserName": "fuzz-user", "Tags": [{"Key": "k", "Value": "v"}]}),
                                 ("sqs", "CreateQueue", {"QueueName": "fuzz-queue", "tags": {"k": "v"}}),
                                 ("resourcegroupstaggingapi", "GetResources", {})],
    "logs": [("logs", "CreateLogGroup", {"logGroupName": "fuzz"}),
             ("logs", "CreateLogStream", {"logGroupName": "fuzz", "logStreamName": "fuzz"}),
             ("logs", "PutLogEvents", {"logGroupName": "fuzz", "logStreamName": "fuzz",
                                       "logEvents": [{"timestamp": 0, "message": "fuzz"}]}),
             ("logs", "PutMetricFilter", {"logGroupName": "fuzz", "filterName": "fuzz", "filterPattern": "fuzz",
                                          "metricTransformations": [{"metricName": "fuzz", "metricNamespace": "fuzz",
                                                                     "metricValue": "1"}]})],
    "cloudtrail": [("s3", "CreateBucket", {"Bucket": "fuzz-bucket"}),
                   ("s3", "PutBucketPolicy", {"Bucket": "fuzz-bucket", "Policy": TRAIL_BUCKET_POLICY}),
                   ("cloudtrail", "CreateTrail", {"Name": "fuzz-trail", "S3BucketName": "fuzz-bucket"})],
    "cloudwatch": [("cloudwatch", "PutMetricData", {"Namespace": "Fuzz", "MetricData": [
        {"MetricName": "fuzz", "Value": 1.0, "Dimensions": [{"Name": "fuzz", "Value": "fuzz"}]}]}),
                   ("cloudwatch", "PutMetricAlarm", {"AlarmName": "fuzz", "MetricName": "fuzz", "Namespace": "Fuzz",
                                                     "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1,
                                                     "Threshold": 1.0,
                                                     "ComparisonOperator": "GreaterThanOrEqualToThreshold"})],
}
# Strings tried (those fitting the member's length and pattern) for members without a known value.
GENERIC_VALUES = ("fuzz", "fuzz-1", ACCOUNT_ID, "r-fuzz", "ou-fuzz-fuzzfuzz", "o-fuzzfuzz1", "p-fuzzfuzz", "String",
                  "Number", "true", "60", f"arn:aws:iam::{ACCOUNT_ID}:user/fuzz-user", "us-east-1", "fuzz@example.com",
                  "2024-01-01T00:00:00Z", "+1 555 0100", POLICY)
# After the run, reads that must still succeed: (list operation, its params, list member, item field, read
# operation per item, its parameter). Every listed item must be readable (the store is consistent).
CONSISTENT_READS: dict[str, list[tuple[str, dict[str, Any], str, str | None, str | None, str | None]]] = {
    "iam": [("ListUsers", {}, "Users", "UserName", "GetUser", "UserName"),
            ("ListGroups", {}, "Groups", "GroupName", "GetGroup", "GroupName"),
            ("ListRoles", {}, "Roles", "RoleName", "GetRole", "RoleName"),
            ("ListPolicies", {"Scope": "Local"}, "Policies", "Arn", "GetPolicy", "PolicyArn")],
    "sts": [("GetCallerIdentity", {}, "Account", None, None, None)],
    # (fuzzing may have deleted the organization, as it may have deleted anything else)
    "organizations": [("ListHandshakesForAccount", {}, "Handshakes", "Id", "DescribeHandshake", "HandshakeId")],
    "account": [("GetContactInformation", {}, "ContactInformation", None, None, None)],
    "s3": [("ListBuckets", {}, "Buckets", "Name", "GetBucketLocation", "Bucket")],
    "sqs": [("ListQueues", {}, "QueueUrls", "", "GetQueueAttributes", "QueueUrl")],
    "sns": [("ListTopics", {}, "Topics", "TopicArn", "GetTopicAttributes", "TopicArn")],
    "events": [("ListRules", {}, "Rules", "Name", "DescribeRule", "Name")],
    "cloudtrail": [("DescribeTrails", {}, "trailList", "Name", "GetTrailStatus", "Name")],
    "logs": [("DescribeLogGroups", {}, "logGroups", "logGroupName", "DescribeLogStreams", "logGroupName")],
    "kms": [("ListKeys", {}, "Keys", "KeyId", "DescribeKey", "KeyId"),
            ("ListAliases", {}, "Aliases", "AliasName", "DescribeKey", "KeyId")],
    "support": [("DescribeCases", {"includeResolvedCases": True}, "cases", "caseId", "DescribeCommunications",
                 "caseId")],
    "cloudwatch": [("DescribeAlarms", {}, "MetricAlarms", "AlarmName", "DescribeAlarmHistory", "AlarmName")],
    "ec2": [("DescribeRegions", {"AllRegions": True}, "Regions", None, None, None)],
    "resourcegroupstaggingapi": [("GetTagKeys", {}, "TagKeys", None, None, None)],
}
# Answers that are not server faults: 501 for operations not built. Throttling (503) would be allowed too.
ALLOWED_SERVER_STATUSES = {503}


@dataclass(frozen=True)
class Case:
    """One generated request: the params it was built from and how the wire form was then corrupted."""

    kind: str
    params: dict[str, Any]
    corruption: str | None = None


class InputGenerator:
    """Builds botocore-shaped params for one operation from its input shape, driven by a seeded Random."""

    EDGE_STRINGS = ("", " ", "a" * 70000, "ünïcødé-😀-\u202e", "\x00\x01\x7f", "../../etc/passwd", "%00%zz",
                    "*", "<a>&amp;'\"</a>", '{"', "arn:aws:::", "arn:aws:iam::000000000000:", "\n\t\r",
                    # JSON that parses but has the wrong structure (policies, event patterns, redrive policies)
                    "null", "[]", "{}", "1e999", '{"Statement":{"Effect":"Allow"}}', '{"source":5,"detail":{"a":[{}]}}',
                    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":[],"Resource":[]}]}',
                    '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:fuzz-queue","maxReceiveCount":"-1"}',
                    '{"a":[{"numeric":[">",1e999]}],"b":[{"prefix":{}}],"c":[{"anything-but":[[]]}]}')

    def __init__(self, rng: random.Random, seen: Observed, huge_int: int = 10 ** 30) -> None:
        self.rng = rng
        self.seen = seen
        self.huge_int = huge_int  # CBOR integers stop at 2**64 - 1 (botocore cannot send more)
        self.pool = tuple(value for values in seen.values() for value in values) + GENERIC_VALUES

    # -- valid-looking ---------------------------------------------------------------------------------------
    def valid(self, shape: Shape, name: str = "", depth: int = 0) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape, depth)
        if kind == "list":
            count = max(shape.metadata.get("min", 0), self.rng.randint(0, 2))
            return [self.valid(shape.member, name, depth + 1) for _ in range(count)] if depth < 4 else []
        if kind == "map":
            return {self.valid(shape.key, "", depth + 1): self.valid(shape.value, "", depth + 1)
                    for _ in range(self.rng.randint(0, 2))} if depth < 4 else {}
        if kind == "string":
            return self._string(shape, name)
        if kind in ("integer", "long"):
            low, high = shape.metadata.get("min", 0), shape.metadata.get("max", 100)
            return self.rng.randint(int(low), int(max(low, min(high, low + 100))))
        if kind in ("float", "double"):
            return float(shape.metadata.get("min", 0)) + self.rng.random()
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "timestamp":
            return datetime(2024, 1, 1, tzinfo=timezone.utc)
        if kind == "blob":
            return b"fuzz"
        return None

    def _structure(self, shape: Shape, depth: int) -> dict[str, Any]:
        if shape.is_document_type or depth > 5:
            return {}
        required = set(shape.required_members)
        members = {}
        for name, member in shape.members.items():
            if name in required or self.rng.random() < 0.4:
                members[name] = self.valid(member, name, depth + 1)
        return members

    def _string(self, shape: Shape, name: str) -> str:
        if shape.enum:
            return self.rng.choice(shape.enum)
        low, high = shape.metadata.get("min", 0), shape.metadata.get("max", 256)
        pattern = shape.metadata.get("pattern")
        named = KNOWN_VALUES.get(name, ()) + tuple(self.seen.get(name, ()))
        for candidates in ((named, self.pool) if self.rng.random() < 0.8 else (self.pool,)):
            fitting = [value for value in candidates if low <= len(value) <= high and _matches(pattern, value)]
            if fitting:
                return self.rng.choice(fitting)
        return ("fuzz" * (low // 4 + 1))[:max(low, min(high, 4))]

    # -- edge values -----------------------------------------------------------------------------------------
    def edge(self, shape: Shape) -> Any:
        kind, metadata = shape.type_name, shape.metadata
        if kind == "string":
            options = list(self.EDGE_STRINGS)
            if "max" in metadata:
                options.append("x" * (int(metadata["max"]) + 1))
            if metadata.get("min", 0) > 1:
                options.append("x" * (int(metadata["min"]) - 1))
            if shape.enum:
                options += [shape.enum[0].lower() + "x", shape.enum[0] + " "]
            return self.rng.choice(options)
        if kind in ("integer", "long"):
            options = [-1, 0, -(2 ** 31), 2 ** 31, 2 ** 63, -(2 ** 63) - 1, self.huge_int]
            options += [int(metadata[bound]) + step for bound, step in (("min", -1), ("max", 1)) if bound in metadata]
            return self.rng.choice(options)
        if kind in ("float", "double"):
            return self.rng.choice([-1.5, 0.0, 1e308, -1e308, 1e-320])
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "timestamp":
            return self.rng.choice([datetime(1, 1, 1, tzinfo=timezone.utc), datetime(9999, 12, 31, tzinfo=timezone.utc),
                                    datetime(1970, 1, 1, tzinfo=timezone.utc)])
        if kind == "blob":
            return self.rng.choice([b"", bytes(range(256)), b"\xff" * 300000])
        if kind == "list":
            item = self.valid(shape.member)
            return self.rng.choice([[], [item] * 1000, [self.edge(shape.member)] * 3])
        if kind == "map":
            value = self.valid(shape.value)
            return self.rng.choice([{}, {f"k{i}": value for i in range(300)}, {"": value}])
        if kind == "structure":
            return {}
        return None

    # -- cases -----------------------------------------------------------------------------------------------
    def cases(self, operation: OperationModel, count: int) -> Iterator[Case]:
        shape = operation.input_shape
        kinds = ["valid", "edge", "missing", "chaos", "corrupt", "edge"]
        for index in range(count):
            kind = kinds[index % len(kinds)]
            params = self.valid(shape) if shape is not None else {}
            members = list(shape.members) if shape is not None else []
            if kind == "edge" and members:
                self._replace_one(shape, params)
            elif kind == "missing" and shape is not None and shape.required_members:
                params.pop(self.rng.choice(shape.required_members), None)
            elif kind == "chaos" and members:
                params = {name: self.edge(shape.members[name]) for name in members if self.rng.random() < 0.7}
            corruption = self.rng.choice(CORRUPTIONS) if kind == "corrupt" else None
            yield Case(kind, params, corruption)

    def _replace_one(self, shape: Shape, params: dict[str, Any]) -> None:
        """Replace one member, possibly nested inside structures, by an edge value."""
        name = self.rng.choice(list(shape.members))
        member = shape.members[name]
        nested = params.get(name)
        if member.type_name == "structure" and isinstance(nested, dict) and member.members and self.rng.random() < 0.5:
            self._replace_one(member, nested)
        else:
            params[name] = self.edge(member)


def _matches(pattern: str | None, value: str) -> bool:
    if not pattern:
        return True
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return True


CORRUPTIONS = ("truncate", "garbage", "non-utf8", "empty", "flip", "junk-query", "bad-content-type")


def _corrupt(request: dict[str, Any], corruption: str, rng: random.Random) -> None:
    body = request["body"] if isinstance(request["body"], bytes) else str(request["body"]).encode()
    if corruption == "truncate":
        body = body[: rng.randint(0, max(0, len(body) - 1))]
    elif corruption == "garbage":
        body = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    elif corruption == "non-utf8":
        body = body + b"\xff\xfe\xc3\x28"
    elif corruption == "empty":
        body = b""
    elif corruption == "flip" and body:
        position = rng.randrange(len(body))
        body = body[:position] + bytes([body[position] ^ 0x5A]) + body[position + 1:]
    elif corruption == "junk-query":
        request["query_string"] = {**(request["query_string"] or {}), "\x00junk": "%zz", "max-keys": "-1"}
    elif corruption == "bad-content-type":
        request["headers"]["Content-Type"] = rng.choice(["text/plain", "application/x-amz-json-9.9", "multipart/form-data"])
    request["body"] = body


def _http_request(service: str, operation: OperationModel, params: dict[str, Any], corruption: str | None,
                  rng: random.Random) -> HttpRequest:
    """Serialize with botocore, corrupt if asked, sign (SigV4, test/test) and hand back the gateway's request type."""
    model = service_model(service)
    shape = operation.input_shape
    members = shape.members if shape is not None else {}
    # botocore needs every path label (a missing one is sent empty) and refuses host labels that are not DNS-safe.
    params = {**{name: "" for name, member in members.items() if member.serialization.get("location") == "uri"},
              **params, **{name: "fuzz" for name, member in members.items() if member.serialization.get("hostLabel")}}
    serialized = create_serializer(model.metadata["protocol"], include_validation=False).serialize_to_request(
        params, operation)
    if corruption:
        _corrupt(serialized, corruption, rng)
    prepare_request_dict(serialized, ENDPOINT)
    request = AWSRequest(method=serialized["method"], url=serialized["url"], data=serialized["body"],
                         headers=dict(serialized["headers"]))
    signer = S3SigV4Auth if service == "s3" else SigV4Auth
    signer(CREDS, model.signing_name or service, "us-east-1").add_auth(request)
    prepared = request.prepare()
    headers = {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in prepared.headers.items()}
    parts = urlsplit(prepared.url)
    headers["host"] = parts.netloc
    body = prepared.body or b""
    return HttpRequest(serialized["method"], parts.path, parts.query, headers,
                       body.encode() if isinstance(body, str) else body)


def _parsed(service: str, operation: OperationModel, response: HttpResponse) -> dict[str, Any]:
    """The response as botocore's parser for the protocol reads it."""
    parser = create_parser(service_model(service).metadata["protocol"])
    return parser.parse({"status_code": response.status, "headers": HeadersDict(response.headers),
                         "body": response.body}, operation.output_shape)


def operations_in_order(service: str) -> list[str]:
    """The service's operations, those that delete or leave last, so the others meet the seeded resources."""
    return sorted(service_model(service).operation_names,
                  key=lambda name: (name.startswith(("Delete", "Leave", "Close", "Remove", "Purge")), name))


class Fuzzed:
    """One service's gateway over a fresh SQLite store, seeded, with a side connection to watch its commits."""

    def __init__(self, service: str, data_dir: str) -> None:
        self.service = service
        self.gateway = build_gateway(ServerConfig(data_dir=data_dir))
        self.database = sqlite3.connect(os.path.join(data_dir, "rootplane.db"))
        self.seen: Observed = {}
        for seed_service, operation_name, params in SEED_REQUESTS[service]:
            params = params(self.seen) if callable(params) else params
            response = self.send(operation_name, params, service=seed_service)
            assert response.status < 300, _describe(operation_name, Case("seed", params), response)
            operation = service_model(seed_service).operation_model(operation_name)
            _collect(_parsed(seed_service, operation, response), "", self.seen)
        # The seeds wrote the key's last use; later requests must commit only their own work.
        self.gateway.key_usage.interval = float("inf")

    def send(self, operation_name: str, params: Params, service: str | None = None) -> HttpResponse:
        """An uncorrupted request (to this service unless another is named)."""
        service = service or self.service
        operation = service_model(service).operation_model(operation_name)
        return self.gateway.handle(_http_request(service, operation, params, None, random.Random(0)))

    def commits(self) -> int:
        """SQLite's data_version: changes whenever another connection commits."""
        return self.database.execute("PRAGMA data_version").fetchone()[0]

    def row_counts(self) -> dict[str, int]:
        """Rows in every table of the store."""
        tables = [row[0] for row in self.database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: self.database.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}

    def close(self) -> None:
        self.database.close()
        self.gateway.store.dispose()


def _collect(value: Any, key: str, seen: Observed) -> None:
    """Every short string in a parsed answer, by the name of the member holding it."""
    if isinstance(value, dict):
        for name, item in value.items():
            if name != "ResponseMetadata":
                _collect(item, name, seen)
    elif isinstance(value, list):
        for item in value:
            _collect(item, key, seen)
    elif isinstance(value, str) and 0 < len(value) <= 2048:
        seen.setdefault(key, []).append(value)


@pytest.fixture
def fuzzed(request, tmp_path) -> Iterator[Fuzzed]:
    """A seeded gateway for the service the test is parametrized with."""
    running = Fuzzed(request.node.callspec.params["service"], str(tmp_path))
    yield running
    running.close()


def _describe(operation: str, case: Case, response: HttpResponse) -> str:
    params = json.dumps(case.params, default=repr)[:600]
    return (f"{operation} [{case.kind}{', ' + case.corruption if case.corruption else ''}] params={params} -> "
            f"{response.status} {response.body[:600]!r}")


def _served(fuzzed: Fuzzed, request: HttpRequest, operation: OperationModel) -> tuple[str, OperationModel]:
    """The service and operation the gateway took the request for: without its distinguishing member, a request
    for one operation is, on the wire, one for another (ListParts without uploadId is a GetObject)."""
    route = fuzzed.gateway.route(request)
    if route is None or route.service is None or route.operation is None:
        return fuzzed.service, operation
    return route.service, route.operation


def _problem(service: str, operation: OperationModel, response: HttpResponse) -> str | None:
    """None when the answer to a request for ``operation`` is acceptable, else why not."""
    status = response.status
    if status == 501:
        return None if find_handler(service, operation.name) is None else "501 for an implemented operation"
    if status >= 500 and status not in ALLOWED_SERVER_STATUSES:
        return "server error"
    try:
        parsed = _parsed(service, operation, response)
    except Exception as exc:  # noqa: BLE001 - any parser failure is the finding
        return f"botocore cannot parse the answer: {exc!r}"
    if status >= 400 and not parsed.get("Error", {}).get("Code"):
        return "error without a Code"
    return None


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_answers_without_server_errors(service: str, fuzzed: Fuzzed) -> None:
    failures: list[str] = []
    model = service_model(service)
    for operation_name in operations_in_order(service):
        operation = model.operation_model(operation_name)
        rng = random.Random(f"{SEED}.{service}.{operation_name}")
        huge = 2 ** 64 - 1 if service_model(service).metadata["protocol"] == "smithy-rpc-v2-cbor" else 10 ** 30
        for case in InputGenerator(rng, fuzzed.seen, huge).cases(operation, CASES_PER_OPERATION):
            before = fuzzed.commits()
            request = _http_request(service, operation, case.params, case.corruption, rng)
            response = fuzzed.gateway.handle(request)
            problem = _problem(*_served(fuzzed, request, operation), response)
            if problem is None and response.status >= 400 and fuzzed.commits() != before:
                problem = "a failed request committed changes"
            if problem:
                failures.append(f"{problem}: {_describe(operation_name, case, response)}")
    _check_store(fuzzed)
    assert not failures, f"{len(failures)} bad answers:\n" + "\n".join(failures[:40])


def _check_store(fuzzed: Fuzzed) -> None:
    """SQLite's own checks pass and every listed resource can be read back."""
    assert fuzzed.database.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert fuzzed.database.execute("PRAGMA foreign_key_check").fetchall() == []
    model = service_model(fuzzed.service)
    for list_name, params, member, field, read_name, read_param in CONSISTENT_READS[fuzzed.service]:
        response = fuzzed.send(list_name, params)
        assert response.status == 200, _describe(list_name, Case("read", params), response)
        listed = _parsed(fuzzed.service, model.operation_model(list_name), response).get(member)
        if read_name is None:
            continue
        for item in listed or []:
            value = item if field == "" else item[field]
            answer = fuzzed.send(read_name, {read_param: value})
            assert answer.status == 200, _describe(read_name, Case("read", {read_param: value}), answer)


# Bugs the fuzzing found, each replayed as (service, operation, params, expected status, expected error code);
# the service's CONSISTENT_READS must still work afterwards.
REGRESSIONS = {
    "sns-add-permission-without-actions": ("sns", [
        ("AddPermission", {"TopicArn": TOPIC_ARN, "Label": "l", "AWSAccountId": [ACCOUNT_ID], "ActionName": []},
         400, "InvalidParameter"),
        ("AddPermission", {"TopicArn": TOPIC_ARN, "Label": "l", "AWSAccountId": ["x"], "ActionName": ["Publish"]},
         400, "InvalidParameter"),
        ("GetTopicAttributes", {"TopicArn": TOPIC_ARN}, 200, None)]),
    "sns-remove-the-last-statement": ("sns", [
        ("RemovePermission", {"TopicArn": TOPIC_ARN, "Label": "__default_statement_ID"}, 200, None),
        ("GetTopicAttributes", {"TopicArn": TOPIC_ARN}, 200, None)]),
    "sns-add-permission-to-a-single-statement-policy": ("sns", [
        ("SetTopicAttributes", {"TopicArn": TOPIC_ARN, "AttributeName": "Policy", "AttributeValue": json.dumps(
            {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": ACCOUNT_ID},
                                                    "Action": "SNS:Publish", "Resource": TOPIC_ARN}})}, 200, None),
        ("AddPermission", {"TopicArn": TOPIC_ARN, "Label": "l", "AWSAccountId": [ACCOUNT_ID],
                           "ActionName": ["Subscribe"]}, 200, None),
        ("GetTopicAttributes", {"TopicArn": TOPIC_ARN}, 200, None)]),
    "sqs-add-permission-without-principals": ("sqs", [
        ("AddPermission", {"QueueUrl": QUEUE_URL, "Label": "l", "AWSAccountIds": [], "Actions": ["SendMessage"]},
         400, "MissingParameter"),
        ("AddPermission", {"QueueUrl": QUEUE_URL, "Label": "l", "AWSAccountIds": [ACCOUNT_ID], "Actions": ["Bogus"]},
         400, "InvalidParameterValue"),
        ("SendMessage", {"QueueUrl": QUEUE_URL, "MessageBody": "b"}, 200, None)]),
    "sqs-list-queues-prefix-beyond-sqlite-like": ("sqs", [
        ("ListQueues", {"QueueNamePrefix": "f" * 60000}, 200, None)]),
    "s3-negative-max-uploads": ("s3", [
        ("ListMultipartUploads", {"Bucket": "fuzz-bucket", "MaxUploads": -1}, 400, "InvalidArgument"),
        ("ListObjectsV2", {"Bucket": "fuzz-bucket", "MaxKeys": -1}, 400, "InvalidArgument"),
        ("ListMultipartUploads", {"Bucket": "fuzz-bucket", "MaxUploads": 0}, 200, None)]),
    "xml-error-echoing-control-characters": ("iam", [
        ("GetUser", {"UserName": "\x00\x01"}, 400, "ValidationError")]),
    "iam-mfa-name-too-long-for-a-qr-code": ("iam", [
        ("CreateVirtualMFADevice", {"VirtualMFADeviceName": "a" * 3000}, 400, "ValidationError"),
        ("CreateVirtualMFADevice", {"VirtualMFADeviceName": "a" * 300}, 200, None)]),
    "iam-simulation-context-entry-without-a-name": ("iam", [
        ("SimulateCustomPolicy", {"PolicyInputList": [POLICY], "ActionNames": ["s3:GetObject"],
                                  "ContextEntries": [{"ContextKeyType": "string"}]}, 400, "InvalidInput"),
        ("SimulatePrincipalPolicy", {"PolicySourceArn": f"arn:aws:iam::{ACCOUNT_ID}:user/fuzz-user",
                                     "ActionNames": ["s3:GetObject"], "ContextEntries": [{"ContextKeyType": "string"}]},
         400, "InvalidInput")]),
    "iam-service-linked-role-name-over-64-characters": ("iam", [
        ("CreateServiceLinkedRole", {"AWSServiceName": "elasticbeanstalk.amazonaws.com", "CustomSuffix": "f" * 64},
         400, "InvalidInput")]),
}


@pytest.mark.parametrize(("case_id", "service"), [(case_id, service) for case_id, (service, _) in REGRESSIONS.items()])
def test_found_by_fuzzing(case_id: str, service: str, fuzzed: Fuzzed) -> None:
    for operation_name, params, status, code in REGRESSIONS[case_id][1]:
        response = fuzzed.send(operation_name, params)
        operation = service_model(service).operation_model(operation_name)
        described = _describe(operation_name, Case("regression", params), response)
        assert response.status == status and _problem(service, operation, response) is None, described
        if code is not None:
            assert _parsed(service, operation, response)["Error"]["Code"] == code, described
    _check_store(fuzzed)


def test_list_prefixes_are_case_sensitive(tmp_path) -> None:
    """Queue names are case-sensitive: the prefix FUZZ does not list fuzz-queue (SQLite's LIKE would)."""
    fuzzed = Fuzzed("sqs", str(tmp_path))
    try:
        assert json.loads(fuzzed.send("ListQueues", {"QueueNamePrefix": "FUZZ"}).body).get("QueueUrls") is None
        assert json.loads(fuzzed.send("ListQueues", {"QueueNamePrefix": "fuzz"}).body)["QueueUrls"] == [QUEUE_URL]
    finally:
        fuzzed.close()


# Writes that fail half way: with 50 tags the operation writes rows in several tables (the entity, its default
# policy attachment, its tags); with 51 it fails after writing them, and the transaction must leave no row.
TAGS = [{"Key": f"k{index}", "Value": "v"} for index in range(51)]
HALF_WAY_FAILURES = {
    "organizations-create-ou": ("CreateOrganizationalUnit", lambda seen: {"ParentId": _first(seen, "r-"), "Name": "half"}),
    "organizations-create-policy": ("CreatePolicy", lambda seen: {"Name": "half", "Description": "d", "Content": POLICY,
                                                                  "Type": "SERVICE_CONTROL_POLICY"}),
}


@pytest.mark.parametrize(("case_id", "service"), [(case_id, "organizations") for case_id in HALF_WAY_FAILURES])
def test_a_write_failing_half_way_leaves_no_rows(case_id: str, service: str, fuzzed: Fuzzed) -> None:
    operation_name, params_of = HALF_WAY_FAILURES[case_id]
    before = fuzzed.row_counts()
    failed = fuzzed.send(operation_name, {**params_of(fuzzed.seen), "Tags": TAGS})
    assert failed.status == 400 and b"MAX_TAG_LIMIT_EXCEEDED" in failed.body, failed.body
    assert fuzzed.row_counts() == before
    succeeded = fuzzed.send(operation_name, {**params_of(fuzzed.seen), "Tags": TAGS[:50]})
    assert succeeded.status == 200, succeeded.body
    grown = {table for table, count in fuzzed.row_counts().items() if count > before[table]}
    assert len(grown) >= 2, grown  # the failed request had written to these tables before failing
