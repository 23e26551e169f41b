"""S3 transfers: multipart uploads, the CLI's high-level commands, presigned URLs, ranges, conditions, checksums."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import urllib.error
import urllib.request
import zlib

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from harness import error_of

MIB = 1024 * 1024


def multipart_etag(parts: list[bytes]) -> str:
    digest = hashlib.md5(b"".join(hashlib.md5(part).digest() for part in parts)).hexdigest()
    return f'"{digest}-{len(parts)}"'


def crc32(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


@pytest.fixture(scope="module")
def s3(server):
    return server.client("s3")


@pytest.fixture(scope="module")
def bucket(s3):
    name = "xfer-transfers"
    s3.create_bucket(Bucket=name)
    return name


def test_multipart_upload_lifecycle(s3, bucket):
    key = "big/object.bin"
    created = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="text/plain", Metadata={"a": "1"},
                                         ChecksumAlgorithm="CRC32")
    upload_id = created["UploadId"]
    assert created["ChecksumAlgorithm"] == "CRC32" and created["ChecksumType"] == "COMPOSITE"
    parts = [os.urandom(5 * MIB), b"tail"]
    etags = []
    for number, body in enumerate(parts, start=1):
        answer = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body,
                                ChecksumAlgorithm="CRC32")
        assert answer["ETag"] == f'"{hashlib.md5(body).hexdigest()}"' and answer["ChecksumCRC32"] == crc32(body)
        etags.append(answer["ETag"])
    uploads = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [(key, upload_id)]
    listed = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id, MaxParts=1)
    assert [p["PartNumber"] for p in listed["Parts"]] == [1] and listed["IsTruncated"]
    listed = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id, PartNumberMarker=1)
    assert [(p["PartNumber"], p["Size"]) for p in listed["Parts"]] == [(2, 4)] and not listed["IsTruncated"]
    assert error_of(s3.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={
        "Parts": [{"PartNumber": 2, "ETag": etags[1]}, {"PartNumber": 1, "ETag": etags[0]}]})[::2] == (
        "InvalidPartOrder", 400)
    assert error_of(s3.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": '"0000"'}]})[::2] == ("InvalidPart", 400)
    done = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={
        "Parts": [{"PartNumber": n, "ETag": e, "ChecksumCRC32": crc32(parts[n - 1])} for n, e in enumerate(etags, 1)]})
    assert done["ETag"] == multipart_etag(parts) and done["Key"] == key
    composite = base64.b64decode(crc32(parts[0])) + base64.b64decode(crc32(parts[1]))
    assert done["ChecksumCRC32"] == f"{crc32(composite)}-2" and done["ChecksumType"] == "COMPOSITE"
    got = s3.get_object(Bucket=bucket, Key=key)
    assert got["Body"].read() == b"".join(parts) and got["ETag"] == done["ETag"]
    assert got["ContentType"] == "text/plain" and got["Metadata"] == {"a": "1"}
    assert error_of(s3.list_parts, Bucket=bucket, Key=key, UploadId=upload_id)[::2] == ("NoSuchUpload", 404)
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)


def test_multipart_small_parts_abort_and_part_copy(s3, bucket):
    key = "small"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    first = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=b"x" * 10)["ETag"]
    second = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=2, Body=b"y")["ETag"]
    code, _, status = error_of(s3.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                               MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": first},
                                                          {"PartNumber": 2, "ETag": second}]})
    assert (code, status) == ("EntityTooSmall", 400)
    assert error_of(s3.upload_part, Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=10001,
                    Body=b"z")[::2] == ("InvalidArgument", 400)
    assert s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)[
        "ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(s3.abort_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id)[::2] == (
        "NoSuchUpload", 404)
    s3.put_object(Bucket=bucket, Key="source", Body=b"0123456789")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="copied")["UploadId"]
    copied = s3.upload_part_copy(Bucket=bucket, Key="copied", UploadId=upload_id, PartNumber=1,
                                 CopySource=f"{bucket}/source", CopySourceRange="bytes=2-5")
    s3.complete_multipart_upload(Bucket=bucket, Key="copied", UploadId=upload_id, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": copied["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="copied")["Body"].read() == b"2345"


def test_cli_high_level_commands_with_a_multipart_file(server, unique, tmp_path):
    bucket = f"cli-{unique}"
    server.cli("s3", "mb", f"s3://{bucket}")
    big = tmp_path / "src" / "big.bin"
    big.parent.mkdir()
    chunks = [os.urandom(8 * MIB), os.urandom(8 * MIB), os.urandom(4 * MIB)]  # the CLI's default 8 MiB parts
    big.write_bytes(b"".join(chunks))
    (tmp_path / "src" / "sub").mkdir()
    (tmp_path / "src" / "sub" / "small.txt").write_text("small")
    server.cli("s3", "cp", str(big), f"s3://{bucket}/big.bin")
    head = server.cli_json("s3api", "head-object", "--bucket", bucket, "--key", "big.bin")
    assert head["ETag"] == multipart_etag(chunks) and head["ContentLength"] == 20 * MIB
    back = tmp_path / "back.bin"
    server.cli("s3", "cp", f"s3://{bucket}/big.bin", str(back))  # ranged GETs
    assert back.read_bytes() == big.read_bytes()
    server.cli("s3", "sync", str(tmp_path / "src"), f"s3://{bucket}/synced")
    listing = server.cli("s3", "ls", "--recursive", f"s3://{bucket}/").stdout
    assert "synced/sub/small.txt" in listing and "synced/big.bin" in listing
    server.cli("s3", "mv", f"s3://{bucket}/synced/sub/small.txt", f"s3://{bucket}/moved.txt")
    assert "moved.txt" in server.cli("s3", "ls", f"s3://{bucket}/").stdout
    assert "small.txt" not in server.cli("s3", "ls", "--recursive", f"s3://{bucket}/synced/").stdout
    server.cli("s3", "rb", "--force", f"s3://{bucket}")
    assert bucket not in server.cli("s3", "ls").stdout


def _fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_presigned_urls_sigv2_and_sigv4(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="shared.txt", Body=b"presigned")
    v2 = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "shared.txt"}, ExpiresIn=60)
    v4_client = server.client("s3", config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    v4 = v4_client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "shared.txt"}, ExpiresIn=60)
    assert "AWSAccessKeyId=" in v2 and "X-Amz-Signature=" in v4
    assert _fetch(v2) == (200, b"presigned") and _fetch(v4) == (200, b"presigned")
    status, body = _fetch(v4.replace("X-Amz-Signature=", "X-Amz-Signature=0"))
    assert status == 403 and b"SignatureDoesNotMatch" in body
    cli_url = server.cli("s3", "presign", f"s3://{bucket}/shared.txt").stdout.strip()
    assert _fetch(cli_url) == (200, b"presigned")


def test_ranges_and_conditional_reads(s3, bucket):
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    ranged = s3.get_object(Bucket=bucket, Key="digits", Range="bytes=2-4")
    assert ranged["ResponseMetadata"]["HTTPStatusCode"] == 206 and ranged["Body"].read() == b"234"
    assert ranged["ContentRange"] == "bytes 2-4/10" and ranged["ContentLength"] == 3
    assert s3.get_object(Bucket=bucket, Key="digits", Range="bytes=-3")["Body"].read() == b"789"
    assert s3.get_object(Bucket=bucket, Key="digits", Range="bytes=7-")["ContentRange"] == "bytes 7-9/10"
    assert error_of(s3.get_object, Bucket=bucket, Key="digits", Range="bytes=20-30")[::2] == ("InvalidRange", 416)
    head = s3.head_object(Bucket=bucket, Key="digits")
    etag, modified = head["ETag"], head["LastModified"]
    assert s3.get_object(Bucket=bucket, Key="digits", IfMatch=etag)["Body"].read() == b"0123456789"
    assert error_of(s3.get_object, Bucket=bucket, Key="digits", IfMatch='"nope"') == (
        "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412)
    assert error_of(s3.get_object, Bucket=bucket, Key="digits", IfNoneMatch=etag)[::2] == ("304", 304)
    assert error_of(s3.get_object, Bucket=bucket, Key="digits", IfModifiedSince=modified)[2] == 304
    later = modified + dt.timedelta(days=1)
    earlier = modified - dt.timedelta(days=1)
    assert s3.get_object(Bucket=bucket, Key="digits", IfModifiedSince=earlier)["ContentLength"] == 10
    assert error_of(s3.get_object, Bucket=bucket, Key="digits", IfUnmodifiedSince=earlier)[2] == 412
    assert s3.get_object(Bucket=bucket, Key="digits", IfUnmodifiedSince=later)["ContentLength"] == 10
    assert error_of(s3.head_object, Bucket=bucket, Key="digits", IfNoneMatch=etag)[2] == 304
    assert error_of(s3.head_object, Bucket=bucket, Key="digits", IfMatch='"nope"')[2] == 412


def test_checksums_metadata_and_content_headers(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="meta.txt", Body=b"hello", ContentType="text/markdown",
                        CacheControl="max-age=60", ContentDisposition='attachment; filename="m.txt"',
                        Metadata={"Owner": "team"}, ChecksumAlgorithm="SHA256")
    assert put["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(b"hello").digest()).decode()
    got = s3.get_object(Bucket=bucket, Key="meta.txt", ChecksumMode="ENABLED")
    assert (got["ContentType"], got["CacheControl"], got["ContentDisposition"]) == (
        "text/markdown", "max-age=60", 'attachment; filename="m.txt"')
    assert got["Metadata"] == {"owner": "team"} and got["ChecksumSHA256"] == put["ChecksumSHA256"]
    default = s3.put_object(Bucket=bucket, Key="crc.txt", Body=b"crc")  # botocore sends CRC32 by default
    assert default["ChecksumCRC32"] == crc32(b"crc")
    assert error_of(s3.put_object, Bucket=bucket, Key="bad", Body=b"data", ChecksumCRC32=crc32(b"other")) == (
        "BadDigest", "The CRC32 you specified did not match the calculated checksum.", 400)


def _chunked(body: bytes, trailer: str) -> bytes:
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:4], body[4:]))
    return chunks + b"0\r\n" + f"x-amz-checksum-crc32:{trailer}\r\n\r\n".encode()


def test_aws_chunked_body_with_a_trailing_checksum(server, s3, bucket):
    body = b"streamed body"
    url = f"{server.endpoint}/{bucket}/streamed"
    request = AWSRequest(method="PUT", url=url, data=_chunked(body, crc32(body)), headers={
        "Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(body)),
        "x-amz-trailer": "x-amz-checksum-crc32", "x-amz-sdk-checksum-algorithm": "CRC32"})
    request.context["checksum"] = {"request_algorithm": {"in": "trailer"}}
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    assert request.headers["X-Amz-Content-SHA256"] == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    prepared = urllib.request.Request(url, data=request.body, method="PUT", headers=dict(request.headers.items()))
    with urllib.request.urlopen(prepared, timeout=10) as response:
        assert response.headers["x-amz-checksum-crc32"] == crc32(body)
    got = s3.get_object(Bucket=bucket, Key="streamed", ChecksumMode="ENABLED")
    assert got["Body"].read() == body and got["ChecksumCRC32"] == crc32(body) and "ContentEncoding" not in got
