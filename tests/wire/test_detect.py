"""Service/operation detection."""

from __future__ import annotations

import pytest

from rootplane.wire.detect import detect
from rootplane.wire.http import HttpRequest


def _signed(service: str, region: str = "us-east-1") -> dict[str, str]:
    return {
        "authorization": f"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261128/{region}/{service}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=abc"
    }


@pytest.mark.parametrize(
    ("method", "path", "query", "extra", "operation", "labels"),
    [
        ("GET", "/bkt", "policy", {}, "GetBucketPolicy", {"Bucket": "bkt"}),
        ("PUT", "/bkt", "policy", {}, "PutBucketPolicy", {"Bucket": "bkt"}),
        ("DELETE", "/bkt", "policy", {}, "DeleteBucketPolicy", {"Bucket": "bkt"}),
        ("GET", "/bkt", "location", {}, "GetBucketLocation", {"Bucket": "bkt"}),
        ("GET", "/bkt", "list-type=2&prefix=a", {}, "ListObjectsV2", {"Bucket": "bkt"}),
        ("GET", "/bkt", "", {}, "ListObjects", {"Bucket": "bkt"}),
        ("GET", "/bkt/", "", {}, "ListObjects", {"Bucket": "bkt"}),
        ("GET", "/", "", {}, "ListBuckets", {}),
        ("PUT", "/bkt", "tagging", {}, "PutBucketTagging", {"Bucket": "bkt"}),
        ("GET", "/bkt/dir/a%20b.txt", "", {}, "GetObject", {"Bucket": "bkt", "Key": "dir/a b.txt"}),
        ("HEAD", "/bkt/k", "", {}, "HeadObject", {"Bucket": "bkt", "Key": "k"}),
        ("PUT", "/bkt/k", "", {}, "PutObject", {"Bucket": "bkt", "Key": "k"}),
        ("PUT", "/bkt/k", "", {"x-amz-copy-source": "/src/k"}, "CopyObject", {"Bucket": "bkt", "Key": "k"}),
        ("PUT", "/bkt/k", "partNumber=1&uploadId=u", {}, "UploadPart", {"Bucket": "bkt", "Key": "k"}),
        ("PUT", "/bkt/k", "partNumber=1&uploadId=u", {"x-amz-copy-source": "/s/k"}, "UploadPartCopy", {"Bucket": "bkt", "Key": "k"}),
        ("POST", "/bkt/k", "uploads", {}, "CreateMultipartUpload", {"Bucket": "bkt", "Key": "k"}),
        ("POST", "/bkt/k", "uploadId=u", {}, "CompleteMultipartUpload", {"Bucket": "bkt", "Key": "k"}),
        ("GET", "/bkt/k", "uploadId=u", {}, "ListParts", {"Bucket": "bkt", "Key": "k"}),
        ("GET", "/bkt", "uploads", {}, "ListMultipartUploads", {"Bucket": "bkt"}),
        ("GET", "/bkt", "analytics&id=x", {}, "GetBucketAnalyticsConfiguration", {"Bucket": "bkt"}),
        ("GET", "/bkt", "analytics", {}, "ListBucketAnalyticsConfigurations", {"Bucket": "bkt"}),
        ("GET", "/bkt", "lifecycle", {}, "GetBucketLifecycleConfiguration", {"Bucket": "bkt"}),
    ],
)
def test_s3_path_style(method, path, query, extra, operation, labels) -> None:
    headers = {"host": "localhost:4566", **_signed("s3", "us-west-2"), **extra}
    route = detect(HttpRequest(method, path, query, headers))
    assert (route.service, route.protocol) == ("s3", "rest-xml")
    assert route.operation is not None and route.operation.name == operation
    assert route.path_params == labels


@pytest.mark.parametrize(
    "host",
    [
        "bkt.s3.localhost.localstack.cloud:4566",
        "bkt.localhost:4566",
        "bkt.s3.amazonaws.com",
        "bkt.s3.us-west-2.amazonaws.com",
    ],
)
def test_s3_virtual_host(host: str) -> None:
    route = detect(HttpRequest("GET", "/", "policy", {"host": host, **_signed("s3")}))
    assert route.operation.name == "GetBucketPolicy"
    assert route.path_params == {"Bucket": "bkt"}
    route = detect(HttpRequest("GET", "/a/b.txt", "", {"host": host, **_signed("s3")}))
    assert route.operation.name == "GetObject"
    assert route.path_params == {"Bucket": "bkt", "Key": "a/b.txt"}


def test_s3_host_without_bucket_is_path_style() -> None:
    route = detect(HttpRequest("GET", "/", "", {"host": "s3.localhost.localstack.cloud:4566", **_signed("s3")}))
    assert route.operation.name == "ListBuckets"


def test_sqs_json_vs_legacy_query() -> None:
    json_route = detect(
        HttpRequest("POST", "/", "", {"x-amz-target": "AmazonSQS.GetQueueAttributes", **_signed("sqs")}, b"{}")
    )
    assert (json_route.service, json_route.protocol, json_route.operation.name) == ("sqs", "json", "GetQueueAttributes")
    legacy = detect(
        HttpRequest(
            "POST",
            "/",
            "",
            {"content-type": "application/x-www-form-urlencoded", **_signed("sqs")},
            b"Action=GetQueueAttributes&QueueUrl=http%3A%2F%2Flocalhost%2F000000000000%2Fq&AttributeName.1=All",
        )
    )
    assert (legacy.service, legacy.protocol, legacy.operation.name) == ("sqs", "query", "GetQueueAttributes")


def test_sqs_legacy_unsigned_by_queue_path() -> None:
    route = detect(HttpRequest("GET", "/123456789012/my-queue", "Action=GetQueueUrl&QueueName=x", {"host": "localhost:4566"}))
    assert (route.service, route.protocol, route.operation.name) == ("sqs", "query", "GetQueueUrl")
    assert route.path_params == {"QueueUrl": "http://localhost:4566/123456789012/my-queue"}


@pytest.mark.parametrize(
    ("path", "operation"),
    [("/getContactInformation", "GetContactInformation"), ("/putAlternateContact", "PutAlternateContact"), ("/listRegions", "ListRegions")],
)
def test_account_rest_routes(path: str, operation: str) -> None:
    route = detect(HttpRequest("POST", path, "", {"content-type": "application/json", **_signed("account")}, b"{}"))
    assert (route.service, route.protocol, route.operation.name) == ("account", "rest-json", operation)
    unsigned = detect(HttpRequest("POST", path, "", {"content-type": "application/json"}, b"{}"))
    assert unsigned.operation.name == operation


def test_json_targets() -> None:
    for target, service, operation in [
        ("AWSOrganizationsV20161128.DescribeOrganization", "organizations", "DescribeOrganization"),
        ("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", "cloudtrail", "LookupEvents"),
        ("AWSEvents.PutRule", "events", "PutRule"),
    ]:
        route = detect(HttpRequest("POST", "/", "", {"x-amz-target": target}, b"{}"))
        assert (route.service, route.protocol, route.operation.name) == (service, "json", operation)


def test_unknown_action_and_target() -> None:
    route = detect(HttpRequest("POST", "/", "", _signed("iam"), b"Action=NoSuchThing&Version=2010-05-08"))
    assert route.service == "iam" and route.operation is None and route.unknown_name == "NoSuchThing"
    route = detect(HttpRequest("POST", "/", "", {"x-amz-target": "AWSEvents.Nope"}, b"{}"))
    assert route.service == "events" and route.operation is None and route.unknown_name == "Nope"
    route = detect(HttpRequest("POST", "/", "", {"x-amz-target": "Mystery.Op"}, b"{}"))
    assert (route.service, route.protocol, route.unknown_name, route.unknown_service) == (None, "json", "Op", "Mystery")


def test_a_service_not_served_keeps_the_clients_protocol() -> None:
    ecs = detect(HttpRequest("POST", "/", "", {**_signed("ecs"), "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters"}, b"{}"))
    assert (ecs.service, ecs.protocol, ecs.unknown_name, ecs.unknown_service) == (None, "json", "ListClusters", "ecs")
    rds = detect(HttpRequest("POST", "/", "", _signed("rds"), b"Action=DescribeDBInstances&Version=2014-10-31"))
    assert (rds.service, rds.protocol, rds.unknown_name, rds.unknown_service) == (None, "query", "DescribeDBInstances", "rds")
    ec2 = detect(HttpRequest("POST", "/", "", _signed("ec2"), b"Action=DescribeVpcs&Version=2016-11-15"))
    assert (ec2.service, ec2.protocol, ec2.operation.name) == ("ec2", "ec2", "DescribeVpcs")  # served: 501 for now
    lam = detect(HttpRequest("GET", "/2015-03-31/functions/", "", _signed("lambda"), b""))
    assert (lam.service, lam.protocol, lam.unknown_service) == (None, "rest-json", "lambda")


def test_unsigned_query_requests() -> None:
    sts = detect(HttpRequest("POST", "/", "", {}, b"Action=GetCallerIdentity&Version=2011-06-15"))
    assert (sts.service, sts.operation.name) == ("sts", "GetCallerIdentity")
    iam = detect(HttpRequest("POST", "/", "", {}, b"Action=ListUsers&Version=2010-05-08"))
    assert (iam.service, iam.operation.name) == ("iam", "ListUsers")
    unknown = detect(HttpRequest("POST", "/", "", {}, b"Action=Bogus"))
    assert (unknown.service, unknown.operation, unknown.unknown_name) == ("iam", None, "Bogus")


def test_presigned_sts_and_scope_region_ignored() -> None:
    query = (
        "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=ASIAIOSFODNN7EXAMPLE%2F20261128%2Fus-west-2%2Fsts%2Faws4_request&X-Amz-Signature=99"
    )
    route = detect(HttpRequest("GET", "/", query, {"host": "localhost:4566"}))
    assert (route.service, route.operation.name) == ("sts", "GetCallerIdentity")
    route = detect(HttpRequest("POST", "/", "", _signed("iam", "eu-west-1"), b"Action=GetLoginProfile&Version=2010-05-08"))
    assert (route.service, route.operation.name) == ("iam", "GetLoginProfile")


def test_short_smithy_target_prefix_is_accepted():
    """The AWS SDK for JavaScript v3 sends the target without the namespace (CloudTrail_20131101.<Op>)."""
    from rootplane.wire.detect import detect
    from rootplane.wire.http import HttpRequest

    for target in ("CloudTrail_20131101.LookupEvents", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"):
        route = detect(HttpRequest("POST", "/", "", {"x-amz-target": target, "content-type": "application/x-amz-json-1.1"}, b"{}"))
        assert (route.service, route.operation.name) == ("cloudtrail", "LookupEvents")
