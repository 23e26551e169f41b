"""Object Lock on object versions (the S3 User Guide: "Locking objects with Object Lock", "How S3 Object Lock works";
the S3 API reference: PutObjectRetention, GetObjectRetention, PutObjectLegalHold, GetObjectLegalHold, DeleteObject's
x-amz-bypass-governance-retention)."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.config import Config

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
    newer = s3.put_object(Bucket=bucket, Key="k", Body=b"y", ObjectLockMode="GOVERNANCE",
                          ObjectLockRetainUntilDate=_until(2))["VersionId"]
    assert error_of(s3.put_object_retention, Bucket=bucket, Key="k", Retention={}) == PROTECTED
    s3.put_object_retention(Bucket=bucket, Key="k", Retention={}, BypassGovernanceRetention=True)  # removed
    assert error_of(s3.get_object_retention, Bucket=bucket, Key="k")[0] == "NoSuchObjectLockConfiguration"
    assert s3.delete_object(Bucket=bucket, Key="k", VersionId=newer)["VersionId"] == newer


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
    assert error_of(s3.put_object_legal_hold, Bucket=bucket, Key="k", LegalHold={}) == (
        "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema",
        400)
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


def test_retention_is_checked(s3, unique):
    bucket, _ = _locked_version(s3, unique, "past")
    assert error_of(s3.put_object_retention, Bucket=bucket, Key="k",
                    Retention={"Mode": "GOVERNANCE", "RetainUntilDate": _until(-1)}) == (
        "InvalidArgument", "The retain until date must be in the future!", 400)
    malformed = ("MalformedXML", "The XML you provided was not well-formed or did not validate against our published "
                 "schema", 400)
    assert error_of(s3.put_object_retention, Bucket=bucket, Key="k", Retention={"Mode": "GOVERNANCE"}) == malformed
    assert error_of(s3.put_object_retention, Bucket=bucket, Key="k",
                    Retention={"RetainUntilDate": _until(1)}) == malformed


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


def test_put_object_sets_the_lock_and_reads_show_it(s3, unique):
    bucket, _ = _locked_version(s3, unique, "hdr")
    until = _until(2)
    version = s3.put_object(Bucket=bucket, Key="h", Body=b"x", ObjectLockMode="GOVERNANCE",
                            ObjectLockRetainUntilDate=until, ObjectLockLegalHoldStatus="ON")["VersionId"]
    for read in (s3.head_object, s3.get_object):
        answer = read(Bucket=bucket, Key="h")
        assert (answer["ObjectLockMode"], answer["ObjectLockRetainUntilDate"], answer["ObjectLockLegalHoldStatus"]) == (
            "GOVERNANCE", until, "ON")
    assert s3.get_object_legal_hold(Bucket=bucket, Key="h")["LegalHold"] == {"Status": "ON"}
    assert error_of(s3.delete_object, Bucket=bucket, Key="h", VersionId=version) == PROTECTED
    assert "ObjectLockMode" not in s3.head_object(Bucket=bucket, Key="k")
    copied = s3.copy_object(Bucket=bucket, Key="c", CopySource={"Bucket": bucket, "Key": "h"},
                            ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until)["VersionId"]
    assert s3.get_object_retention(Bucket=bucket, Key="c", VersionId=copied)["Retention"]["Mode"] == "COMPLIANCE"
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m", ObjectLockLegalHoldStatus="ON")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="m", UploadId=upload, PartNumber=1, Body=b"p")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.head_object(Bucket=bucket, Key="m")["ObjectLockLegalHoldStatus"] == "ON"


def test_lock_headers_are_checked(s3, unique):
    bucket, _ = _locked_version(s3, unique, "hdrbad")
    assert error_of(s3.put_object, Bucket=bucket, Key="h", Body=b"x", ObjectLockMode="GOVERNANCE") == (
        "InvalidArgument", "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied", 400)
    assert error_of(s3.put_object, Bucket=bucket, Key="h", Body=b"x", ObjectLockMode="GOVERNANCE",
                    ObjectLockRetainUntilDate=_until(-1)) == (
        "InvalidArgument", "The retain until date must be in the future!", 400)
    plain = f"plain-{unique}"
    s3.create_bucket(Bucket=plain)
    assert error_of(s3.put_object, Bucket=plain, Key="h", Body=b"x", ObjectLockLegalHoldStatus="ON") == (
        "InvalidRequest", "Bucket is missing Object Lock Configuration", 400)


def test_default_retention_applies_to_new_versions(s3, unique):
    bucket, old = _locked_version(s3, unique, "dflt")
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 2}}})
    new = s3.put_object(Bucket=bucket, Key="k", Body=b"y")["VersionId"]
    retention = s3.get_object_retention(Bucket=bucket, Key="k", VersionId=new)["Retention"]
    assert retention["Mode"] == "COMPLIANCE"
    assert abs(retention["RetainUntilDate"] - _until(2)) < dt.timedelta(minutes=1)
    assert error_of(s3.delete_object, Bucket=bucket, Key="k", VersionId=new) == PROTECTED
    explicit = s3.put_object(Bucket=bucket, Key="e", Body=b"y", ObjectLockMode="GOVERNANCE",
                             ObjectLockRetainUntilDate=_until(5))["VersionId"]
    assert s3.get_object_retention(Bucket=bucket, Key="e", VersionId=explicit)["Retention"]["Mode"] == "GOVERNANCE"
    assert s3.delete_object(Bucket=bucket, Key="k", VersionId=old)["VersionId"] == old  # older versions keep none


def test_a_bucket_made_again_without_object_lock_keeps_no_default_retention(s3, unique):
    """The Object Lock configuration goes with its bucket: a bucket of the same name made again without Object Lock
    gives its new versions no retention (the configuration is read once per bucket, not once per PutObject)."""
    bucket, _ = _locked_version(s3, unique, "again")
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    locked = s3.put_object(Bucket=bucket, Key="k", Body=b"z")["VersionId"]
    assert s3.head_object(Bucket=bucket, Key="k", VersionId=locked)["ObjectLockMode"] == "GOVERNANCE"
    for version in s3.list_object_versions(Bucket=bucket)["Versions"]:
        s3.delete_object(Bucket=bucket, Key="k", VersionId=version["VersionId"], BypassGovernanceRetention=True)
    s3.delete_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=bucket, Key="k", Body=b"y")["VersionId"]
    assert "ObjectLockMode" not in s3.head_object(Bucket=bucket, Key="k", VersionId=version)
    assert s3.delete_object(Bucket=bucket, Key="k", VersionId=version)["VersionId"] == version


def test_lock_headers_need_content_md5_or_a_checksum(server, s3, unique):
    bucket, _ = _locked_version(s3, unique, "md5")
    plain = server.client("s3", config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"},
                                              request_checksum_calculation="when_required"))
    assert error_of(plain.put_object, Bucket=bucket, Key="h", Body=b"x", ObjectLockLegalHoldStatus="ON") == (
        "InvalidRequest", "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with "
        "Object Lock parameters", 400)
    plain.put_object(Bucket=bucket, Key="h", Body=b"x", ObjectLockLegalHoldStatus="ON",
                     ContentMD5="ndTkYSaMgDT1yFZOFVxnpg==")  # base64 of the MD5 of b"x"
    plain.put_object(Bucket=bucket, Key="d", Body=b"x")  # the default retention alone needs neither


def test_a_bucket_policy_limits_retention_periods(server, s3, unique):
    """The User Guide's "Setting limits on retention periods with a bucket policy"."""
    bucket, _ = _locked_version(s3, unique, "limit")
    name = f"limited-{unique}"
    key = iam_user_key(server, name)
    server.client("iam").put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:PutObjectRetention", "s3:PutObjectLegalHold"],
         "Resource": f"arn:aws:s3:::{bucket}/*"}))
    s3.put_bucket_policy(Bucket=bucket, Policy=policy_document(
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObjectRetention", "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"NumericGreaterThan": {"s3:object-lock-remaining-retention-days": "10"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"StringEquals": {"s3:object-lock-mode": "COMPLIANCE"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObjectLegalHold", "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"StringEquals": {"s3:object-lock-legal-hold": "ON"}}}))
    user = server.client_for(key, "s3")
    user.put_object_retention(Bucket=bucket, Key="k", Retention={"Mode": "GOVERNANCE", "RetainUntilDate": _until(5)})
    assert error_of(user.put_object_retention, Bucket=bucket, Key="k",
                    Retention={"Mode": "GOVERNANCE", "RetainUntilDate": _until(20)})[::2] == ("AccessDenied", 403)
    user.put_object(Bucket=bucket, Key="g", Body=b"x", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=_until(1))
    assert error_of(user.put_object, Bucket=bucket, Key="c", Body=b"x", ObjectLockMode="COMPLIANCE",
                    ObjectLockRetainUntilDate=_until(1))[::2] == ("AccessDenied", 403)
    user.put_object_legal_hold(Bucket=bucket, Key="k", LegalHold={"Status": "OFF"})
    assert error_of(user.put_object_legal_hold, Bucket=bucket, Key="k",
                    LegalHold={"Status": "ON"})[::2] == ("AccessDenied", 403)


def test_object_lock_with_the_cli(server, unique):
    bucket = f"cli-lock-{unique}"
    server.cli("s3api", "create-bucket", "--bucket", bucket, "--object-lock-enabled-for-bucket")
    version = server.cli_json("s3api", "put-object", "--bucket", bucket, "--key", "k")["VersionId"]
    until = _until(1).strftime("%Y-%m-%dT%H:%M:%SZ")
    server.cli("s3api", "put-object-retention", "--bucket", bucket, "--key", "k", "--retention",
               f"Mode=COMPLIANCE,RetainUntilDate={until}")
    retention = server.cli_json("s3api", "get-object-retention", "--bucket", bucket, "--key", "k")["Retention"]
    assert retention["Mode"] == "COMPLIANCE" and retention["RetainUntilDate"].startswith(until[:19])
    server.cli("s3api", "put-object-legal-hold", "--bucket", bucket, "--key", "k", "--legal-hold", "Status=ON")
    assert server.cli_json("s3api", "head-object", "--bucket", bucket, "--key", "k")["ObjectLockLegalHoldStatus"] == "ON"
    denied = server.cli("s3api", "delete-object", "--bucket", bucket, "--key", "k", "--version-id", version,
                        check=False)
    assert denied.returncode != 0 and ("An error occurred (AccessDenied) when calling the DeleteObject operation: "
                                       "Access Denied because object protected by object lock.") in denied.stderr


def test_an_expired_retention_no_longer_protects(server, s3, unique):
    """Runs last: it moves the server's clock."""
    bucket, version = _locked_version(s3, unique, "expiry")
    s3.put_object_retention(Bucket=bucket, Key="k", Retention={
        "Mode": "COMPLIANCE", "RetainUntilDate": dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)})
    assert error_of(s3.delete_object, Bucket=bucket, Key="k", VersionId=version) == PROTECTED
    server.advance_clock(2 * 3600)
    assert s3.delete_object(Bucket=bucket, Key="k", VersionId=version)["VersionId"] == version


@pytest.mark.parametrize("rule, refusal", [
    ({"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1, "Years": 1}}, ("MalformedXML", 400)),
    ({"DefaultRetention": {"Mode": "GOVERNANCE"}}, ("MalformedXML", 400)),
    ({"DefaultRetention": {"Days": 1}}, ("MalformedXML", 400)),
    ({"DefaultRetention": {"Mode": "governance", "Days": 1}}, ("MalformedXML", 400)),
    ({}, ("MalformedXML", 400)),
])
def test_a_default_retention_needs_a_mode_and_one_period(s3, unique, rule, refusal):
    """DefaultRetention needs a mode and exactly one of Days or Years (S3 API reference: DefaultRetention); S3 refuses
    any other rule as MalformedXML, and the bucket keeps the configuration it had."""
    bucket, _ = _locked_version(s3, unique, "rule")
    code, message, status = error_of(s3.put_object_lock_configuration, Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": rule})
    assert (code, status) == refusal
    assert message.startswith("The XML you provided was not well-formed")
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled"}


@pytest.mark.parametrize("period", [{"Days": 0}, {"Days": -5}, {"Years": 0}])
def test_a_default_retention_period_must_be_positive(s3, unique, period):
    """A period below one is InvalidArgument naming the member (S3's own answer, recorded in versity/versitygw#1738:
    "Default retention period must be a positive integer value.", ArgumentName Days)."""
    bucket, _ = _locked_version(s3, unique, "period")
    with pytest.raises(s3.exceptions.ClientError) as raised:
        s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", **period}}})
    error = raised.value.response["Error"]
    assert (error["Code"], error["Message"], error["ArgumentName"]) == (
        "InvalidArgument", "Default retention period must be a positive integer value.", next(iter(period)))
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_object_lock_cannot_be_turned_off(s3, unique):
    """ObjectLockEnabled accepts Enabled only (S3 API reference: ObjectLockConfiguration): Object Lock, once on, stays
    on, and any other value is MalformedXML."""
    bucket, _ = _locked_version(s3, unique, "off")
    code, _message, status = error_of(s3.put_object_lock_configuration, Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Disabled"})
    assert (code, status) == ("MalformedXML", 400)
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled"}
