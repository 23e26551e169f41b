"""S3 sub-resource requests missing a required header or parameter get AWS's error, never the plain operation
(GET ?attributes was served as GetObject; DELETE ?analytics deleted the bucket)."""

from __future__ import annotations

import pytest

from harness import error_of, raw_request


@pytest.fixture(scope="module")
def s3(server):
    return server.client("s3")


@pytest.fixture
def bucket(s3, unique):
    name = f"sub-{unique}"
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="k", Body=b"secret bytes")
    return name


def _drop_header(request, **_) -> None:
    del request.headers["x-amz-object-attributes"]


def test_get_object_attributes_without_header(server, bucket) -> None:
    client = server.client("s3")
    client.meta.events.register("before-sign.s3.GetObjectAttributes", _drop_header)
    assert error_of(client.get_object_attributes, Bucket=bucket, Key="k", ObjectAttributes=["ETag"]) == (
        "InvalidRequest",
        "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty",
        400,
    )


def test_get_object_attributes_unknown_name_with_cli(server, bucket) -> None:
    result = server.cli("s3api", "get-object-attributes", "--bucket", bucket, "--key", "k",
                        "--object-attributes", "Dummy", check=False)
    assert result.returncode != 0
    assert "(InvalidArgument)" in result.stderr and "Invalid attribute name specified." in result.stderr


@pytest.mark.parametrize("method", ["DELETE", "PUT", "GET"])
def test_bucket_subresource_without_id_keeps_the_bucket(server, s3, bucket, method) -> None:
    response = raw_request(server, "s3", method, f"/{bucket}?analytics",
                           headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    assert response.status in (400, 501) and b"<Code>" in response.body
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"secret bytes"
