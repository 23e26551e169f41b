"""S3 versioning as AWS's versioning documentation describes it: versions on Put/Copy, delete markers, the null
version of unversioned objects and suspended buckets, reads and permanent deletes by VersionId, a delete marker's
404/405 with x-amz-delete-marker, and ListObjectVersions' two-marker pagination."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from harness import error_of


@pytest.fixture
def s3(server):
    return server.client("s3")


def _bucket(s3, name: str, status: str | None = "Enabled") -> str:
    s3.create_bucket(Bucket=name)
    if status:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": status})
    return name


def test_each_put_is_a_version_and_old_ones_stay_readable(s3, unique):
    bucket = _bucket(s3, f"ver-{unique}")
    first = s3.put_object(Bucket=bucket, Key="doc", Body=b"one")["VersionId"]
    second = s3.put_object(Bucket=bucket, Key="doc", Body=b"two")["VersionId"]
    assert first != second and len(first) == 32
    latest = s3.get_object(Bucket=bucket, Key="doc")
    assert (latest["Body"].read(), latest["VersionId"]) == (b"two", second)
    old = s3.get_object(Bucket=bucket, Key="doc", VersionId=first)
    assert (old["Body"].read(), old["VersionId"]) == (b"one", first)
    assert s3.head_object(Bucket=bucket, Key="doc", VersionId=first)["ContentLength"] == 3
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    listed = s3.list_object_versions(Bucket=bucket)
    assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [(second, True), (first, False)]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["doc"]


def test_delete_without_version_adds_a_delete_marker(s3, unique):
    bucket = _bucket(s3, f"ver-{unique}")
    kept = s3.put_object(Bucket=bucket, Key="k", Body=b"data")["VersionId"]
    deleted = s3.delete_object(Bucket=bucket, Key="k")
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    with pytest.raises(ClientError) as caught:
        s3.get_object(Bucket=bucket, Key="k")
    response = caught.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == ("NoSuchKey", 404)
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    with pytest.raises(ClientError) as caught:
        s3.get_object(Bucket=bucket, Key="k", VersionId=marker)
    response = caught.value.response
    assert (response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]) \
        == ("MethodNotAllowed", "The specified method is not allowed against this resource.", 405)
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    listed = s3.list_object_versions(Bucket=bucket)
    assert [(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]] == [(marker, True)]
    assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [(kept, False)]
    # Deleting the marker for good brings the object back.
    assert s3.delete_object(Bucket=bucket, Key="k", VersionId=marker)["DeleteMarker"] is True
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"data"
    s3.delete_object(Bucket=bucket, Key="k", VersionId=kept)
    assert error_of(s3.get_object, Bucket=bucket, Key="k", VersionId=kept)[::2] == ("NoSuchVersion", 404)
    s3.delete_bucket(Bucket=bucket)


def test_null_versions_of_unversioned_objects_and_suspended_buckets(s3, unique):
    bucket = _bucket(s3, f"ver-{unique}", status=None)
    assert "VersionId" not in s3.put_object(Bucket=bucket, Key="k", Body=b"before")
    assert s3.get_bucket_versioning(Bucket=bucket).get("Status") is None
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    newer = s3.put_object(Bucket=bucket, Key="k", Body=b"after")["VersionId"]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"before"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    # PutObject does not announce the null version it stores (replacing the previous one); reads name it.
    assert "VersionId" not in s3.put_object(Bucket=bucket, Key="k", Body=b"suspended")
    assert s3.head_object(Bucket=bucket, Key="k")["VersionId"] == "null"
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [("null", True), (newer, False)]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"suspended"
    marker = s3.delete_object(Bucket=bucket, Key="k")
    assert (marker["DeleteMarker"], marker["VersionId"]) == (True, "null")
    listed = s3.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in listed["Versions"]] == [newer]
    assert [m["VersionId"] for m in listed["DeleteMarkers"]] == ["null"]


def test_a_delete_marker_named_by_version_allows_only_delete(s3, unique):
    """GetObject and HeadObject of a delete marker by version id: 405 with the marker's headers, its Last-Modified
    and ``Allow: DELETE`` (the only method a delete marker allows, as S3 answers it)."""
    bucket = _bucket(s3, f"ver-{unique}")
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    for call in (s3.get_object, s3.head_object):
        with pytest.raises(ClientError) as caught:
            call(Bucket=bucket, Key="k", VersionId=marker)
        metadata = caught.value.response["ResponseMetadata"]
        assert metadata["HTTPStatusCode"] == 405
        headers = metadata["HTTPHeaders"]
        assert (headers["allow"], headers["x-amz-delete-marker"], headers["x-amz-version-id"]) == (
            "DELETE", "true", marker)
        assert headers["last-modified"]


def test_an_empty_version_id_is_an_invalid_argument(server, s3, unique):
    """``versionId=`` (GetObject, HeadObject, GetObjectAcl, and a copy source's ``?versionId=``) is 400 InvalidArgument
    "Version id cannot be the empty string", not a lookup of a version with no id or of the current one."""
    bucket = _bucket(s3, f"ver-{unique}")
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    empty = ("InvalidArgument", "Version id cannot be the empty string", 400)
    assert error_of(s3.get_object, Bucket=bucket, Key="k", VersionId="") == empty
    assert error_of(s3.get_object_acl, Bucket=bucket, Key="k", VersionId="") == empty
    assert error_of(s3.head_object, Bucket=bucket, Key="k", VersionId="")[2] == 400
    # botocore drops an empty versionId from CopySource: the header is set as the request is signed.
    copier = server.client("s3")
    copier.meta.events.register("before-sign.s3.CopyObject", lambda request, **_: request.headers.replace_header(
        "x-amz-copy-source", f"{bucket}/k?versionId="))
    assert error_of(copier.copy_object, Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k"}) == empty
    assert error_of(s3.head_object, Bucket=bucket, Key="copy")[2] == 404


def test_copy_object_from_a_version(s3, unique):
    bucket = _bucket(s3, f"ver-{unique}")
    first = s3.put_object(Bucket=bucket, Key="src", Body=b"v1")["VersionId"]
    s3.put_object(Bucket=bucket, Key="src", Body=b"v2")
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src", "VersionId": first})
    assert copied["CopySourceVersionId"] == first and copied["VersionId"]
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"v1"


def test_a_copy_source_naming_a_delete_marker_is_an_invalid_request(s3, unique):
    """CopyObject and UploadPartCopy naming a delete marker by version id are 400 InvalidRequest, without the
    marker's headers (S3 API reference, UploadPartCopy's x-amz-copy-source); a current delete marker is 404
    NoSuchKey with x-amz-delete-marker, as for GetObject."""
    bucket = _bucket(s3, f"ver-{unique}")
    s3.put_object(Bucket=bucket, Key="src", Body=b"gone")
    marker = s3.delete_object(Bucket=bucket, Key="src")["VersionId"]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    named = {"Bucket": bucket, "Key": "src", "VersionId": marker}
    invalid = ("InvalidRequest", "The source of a copy request may not specifically refer to a delete marker by "
               "version id.", 400)
    for call, extra in ((s3.copy_object, {}), (s3.upload_part_copy, {"UploadId": upload, "PartNumber": 1})):
        with pytest.raises(ClientError) as caught:
            call(Bucket=bucket, Key="dst", CopySource=named, **extra)
        error = caught.value.response
        assert (error["Error"]["Code"], error["Error"]["Message"], error["ResponseMetadata"]["HTTPStatusCode"]) \
            == invalid
        assert "x-amz-delete-marker" not in error["ResponseMetadata"]["HTTPHeaders"]
        with pytest.raises(ClientError) as caught:
            call(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"}, **extra)
        error = caught.value.response
        assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("NoSuchKey", 404)
        assert error["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"


def test_delete_objects_with_versions(s3, unique):
    bucket = _bucket(s3, f"ver-{unique}")
    one = s3.put_object(Bucket=bucket, Key="a", Body=b"1")["VersionId"]
    s3.put_object(Bucket=bucket, Key="b", Body=b"2")
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a", "VersionId": one}, {"Key": "b"}]})
    by_key = {entry["Key"]: entry for entry in result["Deleted"]}
    assert by_key["a"] == {"Key": "a", "VersionId": one}
    assert by_key["b"]["DeleteMarker"] is True and by_key["b"]["DeleteMarkerVersionId"]
    assert error_of(s3.head_object, Bucket=bucket, Key="a")[2] == 404


def test_one_request_deleting_a_keys_current_version_then_marking_it_deleted(s3, unique):
    """DeleteObjects takes its entries in order: the permanent deletion of the current version makes the one before
    it current, and the delete marker that follows then demotes that one: one current version in the end."""
    bucket = _bucket(s3, f"ver-{unique}")
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"1")["VersionId"]
    second = s3.put_object(Bucket=bucket, Key="k", Body=b"2")["VersionId"]
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": second}, {"Key": "k"}]})
    marker = next(entry["DeleteMarkerVersionId"] for entry in result["Deleted"] if entry.get("DeleteMarker"))
    listed = s3.list_object_versions(Bucket=bucket)
    assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [(first, False)]
    assert [(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]] == [(marker, True)]
    assert error_of(s3.get_object, Bucket=bucket, Key="k")[::2] == ("NoSuchKey", 404)


def test_copying_an_unversioned_object_onto_itself_replaces_it(s3, unique):
    bucket = _bucket(s3, f"ver-{unique}", status=None)
    s3.put_object(Bucket=bucket, Key="k", Body=b"data", Metadata={"old": "1"})
    s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k"}, MetadataDirective="REPLACE",
                   Metadata={"new": "2"})
    stored = s3.get_object(Bucket=bucket, Key="k")
    assert (stored["Body"].read(), stored["Metadata"]) == (b"data", {"new": "2"})
    assert [(v["VersionId"], v["IsLatest"]) for v in s3.list_object_versions(Bucket=bucket)["Versions"]] == [
        ("null", True)]


def test_list_object_versions_pages_with_two_markers(server, s3, unique):
    bucket = _bucket(s3, f"ver-{unique}")
    expected = []
    for key in ("a", "b/x", "b/y", "c"):
        ids = [s3.put_object(Bucket=bucket, Key=key, Body=str(n).encode())["VersionId"] for n in range(3)]
        expected += [(key, version) for version in reversed(ids)]
    page = s3.list_object_versions(Bucket=bucket, MaxKeys=4)
    assert page["IsTruncated"] is True
    assert (page["NextKeyMarker"], page["NextVersionIdMarker"]) == expected[3]
    seen = []
    for result in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2}):
        seen += [(v["Key"], v["VersionId"]) for v in result.get("Versions", [])]
    assert seen == expected
    grouped = s3.list_object_versions(Bucket=bucket, Delimiter="/", MaxKeys=4)
    assert [p["Prefix"] for p in grouped["CommonPrefixes"]] == ["b/"]
    assert grouped["NextKeyMarker"] == "b/" and "NextVersionIdMarker" not in grouped
    rest = s3.list_object_versions(Bucket=bucket, Delimiter="/", KeyMarker="b/")
    assert {v["Key"] for v in rest["Versions"]} == {"c"}
    code, message, status = error_of(s3.list_object_versions, Bucket=bucket, VersionIdMarker=expected[0][1])
    assert (code, status) == ("InvalidArgument", 400)
    cli = server.cli_json("s3api", "list-object-versions", "--bucket", bucket, "--prefix", "b/")
    assert [(v["Key"], v["VersionId"]) for v in cli["Versions"]] == expected[3:9]


def test_x_amz_mfa_over_plain_http_is_refused(s3, unique):
    bucket = _bucket(s3, f"ver-{unique}")
    code, message, status = error_of(s3.put_bucket_versioning, Bucket=bucket, MFA="arn:aws:iam::000000000000:mfa/x 1",
                                     VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"})
    assert (code, status) == ("InvalidRequest", 400) and "HTTPS" in message
    assert "MFADelete" not in s3.get_bucket_versioning(Bucket=bucket)


def test_list_object_versions_pages_through_thousands_of_versions(server, s3, unique):
    bucket = _bucket(s3, f"ver-{unique}")
    keys = ("hot", "log/a", "log/b")
    expected = {key: [] for key in keys}
    for n in range(1050):  # the "hot" key's versions alone span two 1,000-entry pages
        key = keys[0] if n < 1002 else keys[1 + n % 2]
        expected[key].insert(0, s3.put_object(Bucket=bucket, Key=key, Body=b"")["VersionId"])
    ordered = [(key, version) for key in sorted(keys) for version in expected[key]]
    first = s3.list_object_versions(Bucket=bucket)
    assert len(first["Versions"]) == 1000 and first["IsTruncated"] is True
    assert (first["NextKeyMarker"], first["NextVersionIdMarker"]) == ordered[999]
    seen = [(v["Key"], v["VersionId"]) for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
            for v in page.get("Versions", [])]
    assert seen == ordered
    cli = server.cli_json("s3api", "list-object-versions", "--bucket", bucket, "--page-size", "300")
    assert [(v["Key"], v["VersionId"]) for v in cli["Versions"]] == ordered


@pytest.mark.parametrize("configuration", [{"Status": "Bogus"}, {"Status": "Enabled", "MFADelete": "Bogus"}])
def test_a_versioning_value_outside_the_schema_is_malformed_xml(server, s3, unique, configuration):
    """A value S3's XML schema does not allow is MalformedXML, as S3 answers it (not a framework validation
    message): through boto3 and the AWS CLI."""
    bucket = _bucket(s3, f"ver-{unique}", status=None)
    assert error_of(s3.put_bucket_versioning, Bucket=bucket, VersioningConfiguration=configuration) == (
        "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema",
        400)
    shorthand = ",".join(f"{key}={value}" for key, value in configuration.items())
    result = server.cli("s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", shorthand,
                        check=False)
    assert result.returncode != 0 and "(MalformedXML)" in result.stderr
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
