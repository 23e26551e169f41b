"""Object Lock on object versions (the S3 User Guide: "Locking objects with Object Lock", "How S3 Object Lock works";
the S3 API reference: PutObjectRetention, GetObjectRetention, PutObjectLegalHold, GetObjectLegalHold, DeleteObject's
x-amz-bypass-governance-retention)."""

from __future__ import annotations

import datetime as dt

import pytest

from harness import error_of, iam_user_key, policy_document

PROTECTED = ("AccessDenied", "Access Denied because object protected by object lock.", 403)


@pytest.fixture(scope="module")
def s3(server):
    return server.client("s3")


def _locked_version(s3, unique: str, name: str) -> tuple[str, str]:
    """A bucket with Object Lock and the version id of one object in it."""
    bucket = f"{name}-{unique}"
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    return bucket, s3.put_object(Bucket=bucket, Key="k", Body=b"x")["VersionId"]


def _until(days: int) -> dt.datetime:
    return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=days)).replace(microsecond=0)


def test_retention_protects_a_version(s3, unique):
    bucket, version = _locked_version(s3, unique, "ret")
    assert error_of(s3.get_object_retention, Bucket=bucket, Key="k") == (
        "NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration", 404)
    until = _until(2)
    s3.put_object_retention(Bucket=bucket, Key="k", Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until})
    assert s3.get_object_retention(Bucket=bucket, Key="k", VersionId=version)["Retention"] == {
        "Mode": "COMPLIANCE", "RetainUntilDate": until}
    assert error_of(s3.delete_object, Bucket=bucket, Key="k", VersionId=version) == PROTECTED
    assert error_of(s3.delete_object, Bucket=bucket, Key="k", VersionId=version,
                    BypassGovernanceRetention=True) == PROTECTED
    shorter = {"Mode": "COMPLIANCE", "RetainUntilDate": _until(1)}
    assert error_of(s3.put_object_retention, Bucket=bucket, Key="k", Retention=shorter) == PROTECTED
    assert error_of(s3.put_object_retention, Bucket=bucket, Key="k", Retention={**shorter, "Mode": "GOVERNANCE"},
                    BypassGovernanceRetention=True) == PROTECTED
    s3.put_object_retention(Bucket=bucket, Key="k", Retention={"Mode": "COMPLIANCE", "RetainUntilDate": _until(3)})
    marker = s3.delete_object(Bucket=bucket, Key="k")  # a delete marker on top of the locked version
    assert marker["DeleteMarker"] is True
    answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": version}]})
    assert answer["Errors"] == [{"Key": "k", "VersionId": version, "Code": PROTECTED[0], "Message": PROTECTED[1]}]
    assert s3.head_object(Bucket=bucket, Key="k", VersionId=version)["ContentLength"] == 1


def test_governance_is_bypassed_with_the_header(s3, unique):
    bucket, version = _locked_version(s3, unique, "gov")
    s3.put_object_retention(Bucket=bucket, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": _until(2)})
    assert error_of(s3.delete_object, Bucket=bucket, Key="k", VersionId=version) == PROTECTED
    assert error_of(s3.put_object_retention, Bucket=bucket, Key="k",
                    Retention={"Mode": "GOVERNANCE", "RetainUntilDate": _until(1)}) == PROTECTED
    s3.put_object_retention(Bucket=bucket, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": _until(1)},
                            BypassGovernanceRetention=True)
    assert s3.delete_object(Bucket=bucket, Key="k", VersionId=version,
                            BypassGovernanceRetention=True)["VersionId"] == version


def test_legal_hold(s3, unique):
    bucket, version = _locked_version(s3, unique, "hold")
    assert error_of(s3.get_object_legal_hold, Bucket=bucket, Key="k") == (
        "NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration", 404)
    s3.put_object_legal_hold(Bucket=bucket, Key="k", LegalHold={"Status": "ON"})
    assert s3.get_object_legal_hold(Bucket=bucket, Key="k")["LegalHold"] == {"Status": "ON"}
    assert error_of(s3.delete_object, Bucket=bucket, Key="k", VersionId=version,
                    BypassGovernanceRetention=True) == PROTECTED
    s3.put_object_legal_hold(Bucket=bucket, Key="k", VersionId=version, LegalHold={"Status": "OFF"})
    assert s3.get_object_legal_hold(Bucket=bucket, Key="k")["LegalHold"] == {"Status": "OFF"}
    s3.delete_object(Bucket=bucket, Key="k", VersionId=version)
    assert error_of(s3.put_object_legal_hold, Bucket=bucket, Key="k", LegalHold={"Status": "ON"})[::2] == (
        "NoSuchKey", 404)


def test_a_bucket_without_object_lock_refuses(s3, unique):
    bucket = f"nolock-{unique}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    missing = ("InvalidRequest", "Bucket is missing Object Lock Configuration", 400)
    assert error_of(s3.put_object_retention, Bucket=bucket, Key="k",
                    Retention={"Mode": "GOVERNANCE", "RetainUntilDate": _until(1)}) == missing
    assert error_of(s3.get_object_retention, Bucket=bucket, Key="k") == missing
    assert error_of(s3.put_object_legal_hold, Bucket=bucket, Key="k", LegalHold={"Status": "ON"}) == missing
    assert error_of(s3.get_object_legal_hold, Bucket=bucket, Key="k") == missing


def test_retain_until_date_must_be_in_the_future(s3, unique):
    bucket, _ = _locked_version(s3, unique, "past")
    assert error_of(s3.put_object_retention, Bucket=bucket, Key="k",
                    Retention={"Mode": "GOVERNANCE", "RetainUntilDate": _until(-1)}) == (
        "InvalidArgument", "The retain until date must be in the future!", 400)


def test_bypass_needs_its_permission(server, s3, unique):
    bucket, version = _locked_version(s3, unique, "bypass")
    s3.put_object_retention(Bucket=bucket, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": _until(2)})
    name = f"locker-{unique}"
    key = iam_user_key(server, name)
    server.client("iam").put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": ["s3:DeleteObjectVersion", "s3:GetObjectRetention"],
         "Resource": f"arn:aws:s3:::{bucket}/*"}))
    user = server.client_for(key, "s3")
    assert user.get_object_retention(Bucket=bucket, Key="k")["Retention"]["Mode"] == "GOVERNANCE"
    code, message, status = error_of(user.delete_object, Bucket=bucket, Key="k", VersionId=version,
                                     BypassGovernanceRetention=True)
    assert (code, status) == ("AccessDenied", 403) and "s3:BypassGovernanceRetention" in message
    code, message, status = error_of(user.put_object_legal_hold, Bucket=bucket, Key="k", LegalHold={"Status": "ON"})
    assert (code, status) == ("AccessDenied", 403) and "s3:PutObjectLegalHold" in message
