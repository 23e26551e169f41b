"""S3 buckets and objects through boto3 and the AWS CLI (path style and virtual-hosted style)."""

from __future__ import annotations

import hashlib
import json
import urllib.request

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness import error_of


@pytest.fixture(scope="module")
def s3(server):
    return server.client("s3")


def test_bucket_lifecycle_and_errors(s3, server, unique):
    bucket = f"life-{unique}"
    assert s3.create_bucket(Bucket=bucket)["Location"] == f"/{bucket}"
    assert s3.create_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200  # us-east-1 legacy
    listed = s3.list_buckets()
    assert bucket in [b["Name"] for b in listed["Buckets"]] and len(listed["Owner"]["ID"]) == 64
    head = s3.head_bucket(Bucket=bucket)
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-east-1"
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] is None
    assert error_of(s3.create_bucket, Bucket="Bad_Name")[0] == "InvalidBucketName"
    assert error_of(s3.head_bucket, Bucket=f"none-{unique}")[2] == 404
    assert error_of(s3.get_object, Bucket=f"none-{unique}", Key="k")[:2] == (
        "NoSuchBucket", "The specified bucket does not exist")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert error_of(s3.delete_bucket, Bucket=bucket)[::2] == ("BucketNotEmpty", 409)
    s3.delete_object(Bucket=bucket, Key="k")
    assert s3.delete_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(s3.head_bucket, Bucket=bucket)[2] == 404


def test_regional_buckets_follow_location_constraints(server, unique):
    west = server.client("s3", region="eu-west-1")
    bucket = f"west-{unique}"
    west.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert west.get_bucket_location(Bucket=bucket)["LocationConstraint"] == "eu-west-1"
    assert [b["Name"] for b in west.list_buckets(BucketRegion="eu-west-1")["Buckets"]] == [bucket]
    assert error_of(west.create_bucket, Bucket=bucket, CreateBucketConfiguration={
        "LocationConstraint": "eu-west-1"})[::2] == ("BucketAlreadyOwnedByYou", 409)
    assert error_of(west.create_bucket, Bucket=f"nolc-{unique}")[0] == "IllegalLocationConstraintException"


def test_objects_put_get_head_copy_delete(s3, unique):
    bucket = f"objects-{unique}"
    s3.create_bucket(Bucket=bucket)
    put = s3.put_object(Bucket=bucket, Key="dir/hello world.txt", Body=b"hello", ContentType="text/plain",
                        Metadata={"color": "blue"})
    assert put["ETag"] == f'"{hashlib.md5(b"hello").hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="dir/hello world.txt")
    assert got["Body"].read() == b"hello"
    assert (got["ContentType"], got["ContentLength"], got["Metadata"]) == ("text/plain", 5, {"color": "blue"})
    head = s3.head_object(Bucket=bucket, Key="dir/hello world.txt")
    assert head["ETag"] == put["ETag"] and head["ContentLength"] == 5
    copied = s3.copy_object(Bucket=bucket, Key="copy.txt", CopySource=f"{bucket}/dir/hello world.txt")
    assert copied["CopyObjectResult"]["ETag"] == put["ETag"]
    assert s3.get_object(Bucket=bucket, Key="copy.txt")["Metadata"] == {"color": "blue"}
    assert error_of(s3.copy_object, Bucket=bucket, Key="copy.txt", CopySource=f"{bucket}/copy.txt")[0] == "InvalidRequest"
    assert error_of(s3.get_object, Bucket=bucket, Key="missing")[::2] == ("NoSuchKey", 404)
    assert error_of(s3.head_object, Bucket=bucket, Key="missing")[2] == 404
    assert s3.delete_object(Bucket=bucket, Key="copy.txt")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.delete_object(Bucket=bucket, Key="copy.txt")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(s3.put_object, Bucket=bucket, Key="bad", Body=b"x", ContentMD5="AAAAAAAAAAAAAAAAAAAAAA==")[0] == "BadDigest"


def test_list_objects_v2_prefix_delimiter_and_pagination(s3, unique):
    _check_listing(s3, f"listing-{unique}")


def test_listing_reads_current_objects_on_each_store(store_server):
    """Listings read the current objects with prepared statements (issue #19), on SQLite and PostgreSQL; a key
    whose current version is a delete marker is not listed, one written again shows its newest version."""
    s3 = store_server.client("s3")
    _check_listing(s3, "listed")
    s3.create_bucket(Bucket="listed-versions")
    s3.put_bucket_versioning(Bucket="listed-versions", VersioningConfiguration={"Status": "Enabled"})
    for key, body in (("gone", b"1"), ("kept", b"1"), ("kept", b"22")):
        s3.put_object(Bucket="listed-versions", Key=key, Body=body, StorageClass="STANDARD_IA")
    s3.delete_object(Bucket="listed-versions", Key="gone")
    contents = s3.list_objects_v2(Bucket="listed-versions")["Contents"]
    assert [(o["Key"], o["Size"], o["StorageClass"]) for o in contents] == [("kept", 2, "STANDARD_IA")]


def _check_listing(s3, bucket: str) -> None:
    s3.create_bucket(Bucket=bucket)
    keys = ["a/1", "a/2", "a/b/3", "b/1", "c", "d e", "e"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    full = s3.list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in full["Contents"]] == sorted(keys) and full["KeyCount"] == 7
    grouped = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in grouped["CommonPrefixes"]] == ["a/", "b/"]
    assert [o["Key"] for o in grouped["Contents"]] == ["c", "d e", "e"] and grouped["KeyCount"] == 5
    nested = s3.list_objects_v2(Bucket=bucket, Prefix="a/", Delimiter="/")
    assert [o["Key"] for o in nested["Contents"]] == ["a/1", "a/2"]
    assert [p["Prefix"] for p in nested["CommonPrefixes"]] == ["a/b/"]
    pages, token = [], None
    while True:
        kwargs = {"ContinuationToken": token} if token else {}
        page = s3.list_objects_v2(Bucket=bucket, Delimiter="/", MaxKeys=2, **kwargs)
        pages.append([o["Key"] for o in page.get("Contents", [])] + [p["Prefix"] for p in page.get("CommonPrefixes", [])])
        if not page["IsTruncated"]:
            break
        token = page["NextContinuationToken"]
    assert pages == [["a/", "b/"], ["c", "d e"], ["e"]]
    after = s3.list_objects_v2(Bucket=bucket, StartAfter="c")
    assert [o["Key"] for o in after["Contents"]] == ["d e", "e"]
    paginator = s3.get_paginator("list_objects_v2")
    assert sum(page["KeyCount"] for page in paginator.paginate(Bucket=bucket, PaginationConfig={"PageSize": 3})) == 7
    assert error_of(s3.list_objects_v2, Bucket=bucket, ContinuationToken="bogus")[0] == "InvalidArgument"


def test_cli_s3api_round_trip(server, unique, tmp_path):
    bucket = f"cli-{unique}"
    server.cli("s3api", "create-bucket", "--bucket", bucket)
    source = tmp_path / "body.txt"
    source.write_bytes(b"from the cli")
    server.cli("s3api", "put-object", "--bucket", bucket, "--key", "k.txt", "--body", str(source))
    listed = server.cli_json("s3api", "list-objects-v2", "--bucket", bucket)
    assert [o["Key"] for o in listed["Contents"]] == ["k.txt"]
    target = tmp_path / "out.txt"
    server.cli("s3api", "get-object", "--bucket", bucket, "--key", "k.txt", str(target))
    assert target.read_bytes() == b"from the cli"
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "000000000000"},
                                                                 "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]})
    server.cli("s3api", "put-bucket-policy", "--bucket", bucket, "--policy", policy)
    assert json.loads(server.cli_json("s3api", "get-bucket-policy", "--bucket", bucket)["Policy"]) == json.loads(policy)
    listing = server.cli("s3", "ls", f"s3://{bucket}/").stdout
    assert "k.txt" in listing
    server.cli("s3", "cp", str(source), f"s3://{bucket}/dir/copy.txt")
    server.cli("s3", "rm", "--recursive", f"s3://{bucket}/")
    assert "Contents" not in server.cli_json("s3api", "list-objects-v2", "--bucket", bucket)


def _signed_virtual_host(server, method: str, bucket: str, path: str) -> urllib.request.Request:
    host = f"{bucket}.s3.localhost.localstack.cloud:{server.port}"
    request = AWSRequest(method=method, url=f"http://{host}{path}", headers={"x-amz-content-sha256": hashlib.sha256(b"").hexdigest()})
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    prepared = urllib.request.Request(f"{server.endpoint}{path}", method=method, headers=dict(request.headers.items()))
    prepared.add_header("Host", host)
    return prepared


def test_virtual_hosted_style_addresses_the_bucket_by_host(s3, server, unique):
    bucket = f"vhost-{unique}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="dir/v.txt", Body=b"virtual")
    with urllib.request.urlopen(_signed_virtual_host(server, "GET", bucket, "/dir/v.txt"), timeout=10) as response:
        assert response.read() == b"virtual"
    with urllib.request.urlopen(_signed_virtual_host(server, "GET", bucket, "/?list-type=2"), timeout=10) as response:
        assert b"<Key>dir/v.txt</Key>" in response.read()
