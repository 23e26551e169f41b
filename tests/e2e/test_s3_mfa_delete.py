"""MFA delete, a root-only task, over HTTPS (issue #16): only the bucket owner's root user, with a fresh code of its
MFA device in ``x-amz-mfa``, changes the versioning state of an MFA-delete bucket or deletes a version for good.
The root registers that device at its first console sign-in (tests/e2e/console_http.py). The server serves HTTPS
with a certificate from ``rootplane cert``; boto3 and the AWS CLI trust it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from console_http import register_root_mfa
from harness import error_of, iam_user_key, start_server
from server_clock import STEP_SECONDS, ServerClock

MFA_REQUIRED = ("AccessDenied", "Mfa Authentication must be used for this request", 403)
OWNER_ONLY = ("AccessDenied", "This operation may only be performed by the bucket owner", 403)
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
ROOT_EMAIL, ROOT_PASSWORD = "root@example.com", "Corr3ct-Horse!"


@pytest.fixture(scope="module")
def https_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(Path(folder) / "cert.pem"), str(Path(folder) / "key.pem")
    subprocess.run([sys.executable, "-m", "rootplane.cli", "cert", "--cert", cert, "--key", key], check=True,
                   capture_output=True)
    running = start_server(args=("--time-travel", "--root-password", ROOT_PASSWORD, "--tls-cert", cert, "--tls-key",
                                 key), ca_bundle=cert)
    yield running
    running.close()


class RootMfa:
    """The root user's virtual MFA device, registered at its first console sign-in (over HTTPS, without a browser)."""

    def __init__(self, server) -> None:
        self.device = register_root_mfa(server, ROOT_EMAIL, ROOT_PASSWORD)
        self.serial, self.clock = self.device.serial, ServerClock(server)

    def header(self) -> str:
        """``<serial> <code>`` with a code of a step not used yet (the clock moves one step first)."""
        self.clock.advance(STEP_SECONDS)
        return f"{self.serial} {self.device.code(self.clock.step())}"

    def current_code(self) -> str:
        return self.device.code(self.clock.step())


@pytest.fixture(scope="module")
def root_mfa(https_server):
    return RootMfa(https_server)


def _mfa_bucket(server, root_mfa, name: str) -> str:
    server.cli("s3api", "create-bucket", "--bucket", name)
    server.cli("s3api", "put-bucket-versioning", "--bucket", name, "--versioning-configuration",
               "Status=Enabled,MFADelete=Enabled", "--mfa", root_mfa.header())
    return name


def test_root_enables_mfa_delete_with_the_cli(https_server, root_mfa, unique):
    bucket = _mfa_bucket(https_server, root_mfa, f"mfa-{unique}")
    assert https_server.cli_json("s3api", "get-bucket-versioning", "--bucket", bucket) == \
        {"Status": "Enabled", "MFADelete": "Enabled"}


def test_versioning_state_changes_need_root_and_a_fresh_code(https_server, root_mfa, unique):
    bucket = _mfa_bucket(https_server, root_mfa, f"mfa-{unique}")
    s3 = https_server.client("s3")
    suspend = {"Status": "Suspended", "MFADelete": "Enabled"}
    assert error_of(s3.put_bucket_versioning, Bucket=bucket, VersioningConfiguration=suspend) == MFA_REQUIRED
    assert error_of(s3.put_bucket_versioning, Bucket=bucket,
                    VersioningConfiguration={"Status": "Suspended"}) == MFA_REQUIRED
    used = root_mfa.header()
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration=suspend, MFA=used)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    enable = {"Status": "Enabled", "MFADelete": "Enabled"}
    assert error_of(s3.put_bucket_versioning, Bucket=bucket, VersioningConfiguration=enable, MFA=used) == MFA_REQUIRED
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration=enable, MFA=root_mfa.header())
    state = s3.get_bucket_versioning(Bucket=bucket)
    assert (state["Status"], state["MFADelete"]) == ("Enabled", "Enabled")


def test_an_administrator_with_s3_star_is_refused(https_server, root_mfa, unique):
    """An IAM user is refused with AWS's two messages: "Mfa Authentication must be used for this request" without
    x-amz-mfa, "This operation may only be performed by the bucket owner" with one (as AWS answers the AWS CLI)."""
    bucket = _mfa_bucket(https_server, root_mfa, f"mfa-{unique}")
    key = iam_user_key(https_server, f"admin-{unique}", ADMIN)
    admin = https_server.client_for(key, "s3")
    version = admin.put_object(Bucket=bucket, Key="k", Body=b"x")["VersionId"]
    config = {"Status": "Suspended", "MFADelete": "Disabled"}
    assert error_of(admin.put_bucket_versioning, Bucket=bucket, VersioningConfiguration=config) == MFA_REQUIRED
    assert error_of(admin.put_bucket_versioning, Bucket=bucket, VersioningConfiguration=config,
                    MFA=root_mfa.header()) == OWNER_ONLY
    assert error_of(admin.delete_object, Bucket=bucket, Key="k", VersionId=version) == MFA_REQUIRED
    assert error_of(admin.delete_object, Bucket=bucket, Key="k", VersionId=version, MFA=root_mfa.header()) \
        == OWNER_ONLY
    assert error_of(admin.delete_objects, Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": version}]},
                    MFA=root_mfa.header()) == OWNER_ONLY
    result = https_server.cli("s3api", "delete-object", "--bucket", bucket, "--key", "k", "--version-id", version,
                              "--mfa", root_mfa.header(), access_key=key["AccessKeyId"],
                              secret_key=key["SecretAccessKey"], check=False)
    assert result.returncode != 0 and "(AccessDenied)" in result.stderr and OWNER_ONLY[1] in result.stderr
    assert admin.get_object(Bucket=bucket, Key="k", VersionId=version)["Body"].read() == b"x"
    assert admin.delete_object(Bucket=bucket, Key="k")["DeleteMarker"] is True  # a delete marker needs no MFA


def test_versions_are_deleted_only_by_root_with_mfa(https_server, root_mfa, unique):
    bucket = _mfa_bucket(https_server, root_mfa, f"mfa-{unique}")
    s3 = https_server.client("s3")
    version = s3.put_object(Bucket=bucket, Key="evidence", Body=b"log")["VersionId"]
    assert error_of(s3.delete_object, Bucket=bucket, Key="evidence", VersionId=version) == MFA_REQUIRED
    items = {"Objects": [{"Key": "evidence", "VersionId": version}]}
    assert error_of(s3.delete_objects, Bucket=bucket, Delete=items) == MFA_REQUIRED
    wrong = f"{root_mfa.serial} 000000" if root_mfa.current_code() != "000000" else f"{root_mfa.serial} 111111"
    assert error_of(s3.delete_object, Bucket=bucket, Key="evidence", VersionId=version, MFA=wrong) == MFA_REQUIRED
    assert s3.get_object(Bucket=bucket, Key="evidence", VersionId=version)["Body"].read() == b"log"
    https_server.cli("s3api", "delete-object", "--bucket", bucket, "--key", "evidence", "--version-id", version,
                     "--mfa", root_mfa.header())
    assert error_of(s3.get_object, Bucket=bucket, Key="evidence", VersionId=version)[::2] == ("NoSuchVersion", 404)
    other = s3.put_object(Bucket=bucket, Key="evidence", Body=b"again")["VersionId"]
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "evidence", "VersionId": other}]},
                               MFA=root_mfa.header())
    assert result["Deleted"] == [{"Key": "evidence", "VersionId": other}]


def test_an_invalid_token_fails_a_whole_multi_object_delete(https_server, root_mfa, unique):
    """DeleteObjects on an MFA-delete bucket with an invalid x-amz-mfa code fails as a whole, even when it deletes
    no version (S3 API reference, DeleteObjects' MFA): no delete marker is made."""
    bucket = _mfa_bucket(https_server, root_mfa, f"mfa-{unique}")
    s3 = https_server.client("s3")
    s3.put_object(Bucket=bucket, Key="current", Body=b"kept")
    wrong = f"{root_mfa.serial} 000000" if root_mfa.current_code() != "000000" else f"{root_mfa.serial} 111111"
    assert error_of(s3.delete_objects, Bucket=bucket, Delete={"Objects": [{"Key": "current"}]},
                    MFA=wrong) == MFA_REQUIRED
    assert s3.get_object(Bucket=bucket, Key="current")["Body"].read() == b"kept"
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "current"}]}, MFA=root_mfa.header())
    assert result["Deleted"][0]["DeleteMarker"] is True


def test_lifecycle_rules_and_mfa_delete_exclude_each_other(https_server, root_mfa, unique):
    bucket = _mfa_bucket(https_server, root_mfa, f"mfa-{unique}")
    s3 = https_server.client("s3")
    rules = {"Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""},
                        "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}]}
    code, _, status = error_of(s3.put_bucket_lifecycle_configuration, Bucket=bucket, LifecycleConfiguration=rules)
    assert (code, status) == ("InvalidBucketState", 409)
    plain = f"plain-{unique}"
    s3.create_bucket(Bucket=plain)
    s3.put_bucket_versioning(Bucket=plain, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(Bucket=plain, LifecycleConfiguration=rules)
    assert error_of(s3.put_bucket_versioning, Bucket=plain, MFA=root_mfa.header(),
                    VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"}) == (
        "InvalidBucketState", "Mfa Authentication is not supported on a bucket with lifecycle configuration. Delete "
        "lifecycle configuration before enabling Mfa Authentication.", 409)


def test_cloudtrail_records_the_mfa_use_and_hides_the_code(https_server, root_mfa, unique):
    bucket = _mfa_bucket(https_server, root_mfa, f"mfa-{unique}")
    events = https_server.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "PutBucketVersioning"}])["Events"]
    records = [json.loads(event["CloudTrailEvent"]) for event in events]
    record = next(r for r in records if r.get("requestParameters", {}).get("bucketName") == bucket
                  or bucket in json.dumps(r.get("resources", [])))
    assert record["additionalEventData"]["mfaAuthenticated"] == "true"
    assert root_mfa.serial not in json.dumps(record.get("requestParameters", {}))


def test_https_requests_are_secure_transport(https_server, unique):
    """Served over TLS, a request's aws:SecureTransport is true: a policy denying insecure transport lets it in."""
    s3 = https_server.client("s3")
    bucket = f"tls-{unique}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"secret")
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
    assert https_server.endpoint.startswith("https://")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"secret"
