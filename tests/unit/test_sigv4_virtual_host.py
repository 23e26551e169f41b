"""S3 SigV2 on virtual-hosted-style requests: the canonical resource is /bucket + path, read from the Host."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from botocore.auth import HmacV1Auth, HmacV1QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from rootplane.auth import sigv4
from rootplane.core.errors import AwsError
from test_sigv4_botocore import to_http

CREDS = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")


def _signed(signer, url: str, auth_path: str, **headers: str):
    request = AWSRequest(method="GET", url=url, headers=headers)
    request.auth_path = auth_path  # what botocore sets when it moves the bucket into the host name
    signer.add_auth(request)
    prepared = request.prepare()
    return to_http(prepared.method, prepared.url, prepared.headers, prepared.body)


@pytest.mark.parametrize("host", ["amzn-bucket.s3.amazonaws.com", "amzn-bucket.s3.us-west-2.amazonaws.com",
                                  "amzn-bucket.localhost:4566"])
@pytest.mark.parametrize("signer", [HmacV1Auth(CREDS), HmacV1QueryAuth(CREDS, expires=300)], ids=["header", "presigned"])
def test_virtual_host_v2_signatures_verify(host: str, signer) -> None:
    request = _signed(signer, f"http://{host}/photos/2024/cat.jpg?acl", "/amzn-bucket/photos/2024/cat.jpg")
    signed = sigv4.extract(request, "s3")
    sigv4.verify(request, signed, CREDS.secret_key, datetime.now(timezone.utc), "s3")


def test_virtual_host_v2_bucket_is_part_of_what_is_signed() -> None:
    request = _signed(HmacV1Auth(CREDS), "http://amzn-bucket.s3.amazonaws.com/key", "/amzn-bucket/key")
    request.headers["host"] = "other-bucket.s3.amazonaws.com"
    signed = sigv4.extract(request, "s3")
    with pytest.raises(AwsError, match="SignatureDoesNotMatch"):
        sigv4.verify(request, signed, CREDS.secret_key, datetime.now(timezone.utc), "s3")


def test_path_style_v2_is_unchanged() -> None:
    request = _signed(HmacV1Auth(CREDS), "http://127.0.0.1:4566/amzn-bucket/key", "/amzn-bucket/key")
    signed = sigv4.extract(request, "s3")
    sigv4.verify(request, signed, CREDS.secret_key, datetime.now(timezone.utc), "s3")
