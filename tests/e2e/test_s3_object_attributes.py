"""S3 GetObjectAttributes through boto3 and the AWS CLI: only the attributes asked for, ETag without quotes,
multipart parts count, checksums, and both s3:GetObject and s3:GetObjectAttributes required."""

from __future__ import annotations

import json

import pytest

from harness import error_of, iam_user_key, policy_document


@pytest.fixture(scope="module")
def s3(server):
    return server.client("s3")


def test_only_the_requested_attributes(s3, unique) -> None:
    bucket = f"attrs-{unique}"
    s3.create_bucket(Bucket=bucket)
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"twelve bytes", ChecksumAlgorithm="SHA256")["ETag"]
    answer = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ETag", "ObjectSize"])
    assert answer["ETag"] == etag.strip('"') and answer["ObjectSize"] == 12 and answer["LastModified"]
    assert "StorageClass" not in answer and "Checksum" not in answer
    full = s3.get_object_attributes(Bucket=bucket, Key="k",
                                    ObjectAttributes=["Checksum", "StorageClass", "ObjectParts"])
    assert full["StorageClass"] == "STANDARD"
    assert full["Checksum"]["ChecksumSHA256"] == s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")[
        "ChecksumSHA256"]
    assert "ObjectParts" not in full  # a single-part object has no parts
    assert error_of(s3.get_object_attributes, Bucket=bucket, Key="missing", ObjectAttributes=["ETag"])[0] == "NoSuchKey"


def test_multipart_object_reports_its_parts_with_cli(server, s3, unique) -> None:
    bucket = f"attrs-mp-{unique}"
    s3.create_bucket(Bucket=bucket)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
    parts = [{"PartNumber": n, "ETag": s3.upload_part(Bucket=bucket, Key="big", UploadId=upload, PartNumber=n,
                                                      Body=b"x" * (5 * 1024 * 1024 if n == 1 else 10))["ETag"]}
             for n in (1, 2)]
    s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload, MultipartUpload={"Parts": parts})
    result = server.cli("s3api", "get-object-attributes", "--bucket", bucket, "--key", "big",
                        "--object-attributes", "ObjectParts", "ObjectSize")
    answer = json.loads(result.stdout)
    assert answer["ObjectParts"]["TotalPartsCount"] == 2 and answer["ObjectSize"] == 5 * 1024 * 1024 + 10


def test_needs_both_get_object_and_get_object_attributes(server, s3, unique) -> None:
    bucket = f"attrs-authz-{unique}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"b")
    iam = server.client("iam")
    allowed = {}
    for name, actions in (("attrs-only", ["s3:GetObjectAttributes"]),
                          ("attrs-and-get", ["s3:GetObjectAttributes", "s3:GetObject"])):
        key = iam_user_key(server, f"{name}-{unique}")
        iam.put_user_policy(UserName=f"{name}-{unique}", PolicyName="p", PolicyDocument=policy_document(
            {"Effect": "Allow", "Action": actions, "Resource": f"arn:aws:s3:::{bucket}/*"}))
        allowed[name] = server.client_for(key, "s3")
    assert error_of(allowed["attrs-only"].get_object_attributes, Bucket=bucket, Key="k",
                    ObjectAttributes=["ETag"])[0] == "AccessDenied"
    assert allowed["attrs-and-get"].get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ETag"])["ETag"]
