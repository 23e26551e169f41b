"""S3 details AWS documents: SSE-S3 (AES256) reported on every object, storage classes kept (a copy in place
changing only the class is legal), checksums through CopyObject, 304 with the ETag, PartNumber reads (206 with
Content-Range and x-amz-mp-parts-count), conditional writes (If-None-Match: * / If-Match -> 412), BucketArn."""

from __future__ import annotations

import base64
import hashlib

import pytest
from botocore.exceptions import ClientError

from orgs_helpers import error_of

PART = 5 * 1024 * 1024


@pytest.fixture(scope="module")
def s3(server):
    return server.client("s3")


@pytest.fixture
def bucket(s3, unique) -> str:
    name = f"fidelity-{unique}"
    assert s3.create_bucket(Bucket=name)["BucketArn"] == f"arn:aws:s3:::{name}"
    return name


def _sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_every_object_reports_sse_s3(s3, bucket):
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"
    assert s3.copy_object(Bucket=bucket, Key="k2", CopySource=f"{bucket}/k")["ServerSideEncryption"] == "AES256"


def test_storage_classes_are_kept(s3, bucket):
    s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="GLACIER")
    s3.put_object(Bucket=bucket, Key="warm", Body=b"x")
    assert s3.head_object(Bucket=bucket, Key="cold")["StorageClass"] == "GLACIER"
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="warm")
    s3.copy_object(Bucket=bucket, Key="warm", CopySource=f"{bucket}/warm", StorageClass="STANDARD_IA")
    listed = {o["Key"]: o["StorageClass"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert listed == {"cold": "GLACIER", "warm": "STANDARD_IA"}
    error = error_of(s3.copy_object, Bucket=bucket, Key="warm", CopySource=f"{bucket}/warm")
    assert (error["Code"], error["Status"]) == ("InvalidRequest", 400)
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/cold")
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="copy")  # a copy is STANDARD unless asked


def test_checksums_survive_copy(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"hello", ChecksumAlgorithm="SHA256")
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src")["CopyObjectResult"]
    assert copied["ChecksumSHA256"] == _sha256(b"hello")
    head = s3.head_object(Bucket=bucket, Key="dst", ChecksumMode="ENABLED")
    assert (head["ChecksumSHA256"], head["ChecksumType"]) == (_sha256(b"hello"), "FULL_OBJECT")
    crc = s3.copy_object(Bucket=bucket, Key="crc", CopySource=f"{bucket}/src", ChecksumAlgorithm="CRC32")
    assert "ChecksumCRC32" in crc["CopyObjectResult"]


def test_not_modified_carries_the_etag(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ETag"]
    with pytest.raises(ClientError) as caught:
        s3.get_object(Bucket=bucket, Key="k", IfNoneMatch=etag)
    response = caught.value.response["ResponseMetadata"]
    assert response["HTTPStatusCode"] == 304 and response["HTTPHeaders"]["etag"] == etag
    assert response["HTTPHeaders"]["last-modified"].endswith(" GMT")


def test_part_number_reads_one_part(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m", ChecksumAlgorithm="SHA256")["UploadId"]
    bodies = [b"a" * PART, b"b" * 10]
    parts = [{"PartNumber": number, **{k: v for k, v in s3.upload_part(
        Bucket=bucket, Key="m", UploadId=upload, PartNumber=number, Body=body, ChecksumAlgorithm="SHA256").items()
        if k in ("ETag", "ChecksumSHA256")}} for number, body in enumerate(bodies, 1)]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=upload, MultipartUpload={"Parts": parts})
    assert done["ServerSideEncryption"] == "AES256" and done["ChecksumSHA256"].endswith("-2")
    second = s3.get_object(Bucket=bucket, Key="m", PartNumber=2)
    assert second["ResponseMetadata"]["HTTPStatusCode"] == 206 and second["Body"].read() == b"b" * 10
    assert (second["ContentRange"], second["PartsCount"]) == (f"bytes {PART}-{PART + 9}/{PART + 10}", 2)
    first = s3.head_object(Bucket=bucket, Key="m", PartNumber=1)
    assert (first["ContentLength"], first["ContentRange"]) == (PART, f"bytes 0-{PART - 1}/{PART + 10}")
    error = error_of(s3.get_object, Bucket=bucket, Key="m", PartNumber=3)
    assert (error["Code"], error["Status"]) == ("InvalidPartNumber", 416)
    s3.put_object(Bucket=bucket, Key="single", Body=b"abc")
    whole = s3.get_object(Bucket=bucket, Key="single", PartNumber=1)
    assert whole["ResponseMetadata"]["HTTPStatusCode"] == 206 and whole["ContentRange"] == "bytes 0-2/3"


def test_conditional_writes(s3, bucket):
    s3.put_object(Bucket=bucket, Key="new", Body=b"1", IfNoneMatch="*")
    error = error_of(s3.put_object, Bucket=bucket, Key="new", Body=b"2", IfNoneMatch="*")
    assert (error["Code"], error["Status"], error["Condition"]) == ("PreconditionFailed", 412, "If-None-Match")
    assert error["Message"] == "At least one of the pre-conditions you specified did not hold"
    etag = s3.head_object(Bucket=bucket, Key="new")["ETag"]
    error = error_of(s3.put_object, Bucket=bucket, Key="new", Body=b"3", IfMatch='"0123"')
    assert (error["Code"], error["Status"], error["Condition"]) == ("PreconditionFailed", 412, "If-Match")
    s3.put_object(Bucket=bucket, Key="new", Body=b"4", IfMatch=etag)
    assert s3.get_object(Bucket=bucket, Key="new")["Body"].read() == b"4"
    assert error_of(s3.put_object, Bucket=bucket, Key="absent", Body=b"5", IfMatch=etag)["Code"] == "NoSuchKey"
    upload = s3.create_multipart_upload(Bucket=bucket, Key="new")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="new", UploadId=upload, PartNumber=1, Body=b"p")
    error = error_of(s3.complete_multipart_upload, Bucket=bucket, Key="new", UploadId=upload, IfNoneMatch="*",
                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert (error["Code"], error["Status"]) == ("PreconditionFailed", 412)


def test_a_repeated_complete_multipart_upload_answers_again(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="twice")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="twice", UploadId=upload, PartNumber=1, Body=b"only part")
    request = {"Bucket": bucket, "Key": "twice", "UploadId": upload,
               "MultipartUpload": {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}}
    first = s3.complete_multipart_upload(**request)
    again = s3.complete_multipart_upload(**request)
    assert {k: v for k, v in again.items() if k != "ResponseMetadata"} == \
        {k: v for k, v in first.items() if k != "ResponseMetadata"}
    assert upload not in [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])]
    assert error_of(s3.list_parts, Bucket=bucket, Key="twice", UploadId=upload)["Code"] == "NoSuchUpload"
    s3.put_object(Bucket=bucket, Key="twice", Body=b"replaced")
    assert error_of(s3.complete_multipart_upload, **request)["Code"] == "NoSuchUpload"


def test_copied_parts_carry_the_uploads_checksum(s3, bucket):
    source = b"s" * PART
    s3.put_object(Bucket=bucket, Key="source", Body=source)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="assembled", ChecksumAlgorithm="SHA256")["UploadId"]
    copied = s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=upload, PartNumber=1,
                                 CopySource=f"{bucket}/source")["CopyPartResult"]
    assert copied["ChecksumSHA256"] == _sha256(source)
    last = s3.upload_part(Bucket=bucket, Key="assembled", UploadId=upload, PartNumber=2, Body=b"end",
                          ChecksumAlgorithm="SHA256")
    listed = s3.list_parts(Bucket=bucket, Key="assembled", UploadId=upload)["Parts"]
    assert [part["ChecksumSHA256"] for part in listed] == [_sha256(source), _sha256(b"end")]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="assembled", UploadId=upload, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": copied["ETag"], "ChecksumSHA256": copied["ChecksumSHA256"]},
        {"PartNumber": 2, "ETag": last["ETag"], "ChecksumSHA256": last["ChecksumSHA256"]}]})
    assert done["ChecksumSHA256"].endswith("-2") and done["ChecksumType"] == "COMPOSITE"
