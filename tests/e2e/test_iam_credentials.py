"""Credentials end to end: access keys (root and users), login profiles, virtual MFA with real TOTP,
signing certificates, GetAccountSummary root flags, credential report."""

from __future__ import annotations

import base64
import csv
import io
import time

import pyotp
import pytest
from botocore.exceptions import ClientError

from harness import BOOT_KEY_ID

CERT = """-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUQ5bWj5iNq0fJg3lzFQ7cY8cUnzYwCgYIKoZIzj0EAwIw
LzELMAkGA1UEBhMCVVMxIDAeBgNVBAMMF3Jvb3RwbGFuZS10ZXN0LWNlcnRpZmlj
YXRlMB4XDTI0MDEwMTAwMDAwMFoXDTM0MDEwMTAwMDAwMFowLzELMAkGA1UEBhMC
VVMxIDAeBgNVBAMMF3Jvb3RwbGFuZS10ZXN0LWNlcnRpZmljYXRlMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAE
-----END CERTIFICATE-----"""


def code_of(excinfo) -> tuple[str, int]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_root_get_user_and_login_profile_calls_without_a_user_name(server):
    """GetUser omits the user name with long-term root credentials; the root user's own password (Get, Create and
    DeleteLoginProfile) is reached without a user name only from an AssumeRoot session (IAM API reference), so
    these refuse the root user's long-term key and change nothing."""
    iam = server.client("iam")
    user = iam.get_user()["User"]
    assert user["UserId"] == "000000000000" and user["Arn"] == "arn:aws:iam::000000000000:root"
    assert "UserName" not in user and "Path" not in user
    present = iam.get_account_summary()["SummaryMap"]["AccountPasswordPresent"]
    for call in (iam.get_login_profile, iam.create_login_profile, iam.delete_login_profile):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert code_of(excinfo) == ("ValidationError", 400)
        assert excinfo.value.response["Error"]["Message"] == (
            "Must specify userName when calling with non-User credentials")
    assert iam.get_account_summary()["SummaryMap"]["AccountPasswordPresent"] == present


def test_root_access_keys_max_two_and_revocation(server):
    iam = server.client("iam")
    created = iam.create_access_key()["AccessKey"]
    assert created["AccessKeyId"].startswith("AKIA") and "UserName" not in created
    with pytest.raises(ClientError) as excinfo:
        iam.create_access_key()
    assert code_of(excinfo) == ("LimitExceeded", 409)
    ids = [k["AccessKeyId"] for k in iam.list_access_keys()["AccessKeyMetadata"]]
    assert created["AccessKeyId"] in ids and BOOT_KEY_ID in ids
    new_root = server.client_for(created, "sts")
    assert new_root.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:root"
    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["AccountAccessKeysPresent"] == 1 and summary["AccessKeysPerUserQuota"] == 2
    iam.update_access_key(AccessKeyId=created["AccessKeyId"], Status="Inactive")
    with pytest.raises(ClientError) as excinfo:
        new_root.get_caller_identity()
    assert excinfo.value.response["Error"]["Code"] == "InvalidClientTokenId"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    last_used = iam.get_access_key_last_used(AccessKeyId=created["AccessKeyId"])["AccessKeyLastUsed"]
    assert {"ServiceName", "Region"} <= set(last_used)
    iam.delete_access_key(AccessKeyId=created["AccessKeyId"])


def test_user_login_profile_and_password_policy(server, unique):
    iam = server.client("iam")
    name = f"lp-{unique}"
    iam.create_user(UserName=name)
    with pytest.raises(ClientError) as excinfo:
        iam.create_login_profile(UserName=name, Password="short")
    assert code_of(excinfo) == ("PasswordPolicyViolation", 400)
    profile = iam.create_login_profile(UserName=name, Password="Correct-Horse-9", PasswordResetRequired=True)
    assert profile["LoginProfile"]["UserName"] == name and profile["LoginProfile"]["PasswordResetRequired"]
    with pytest.raises(ClientError) as excinfo:
        iam.create_login_profile(UserName=name, Password="Correct-Horse-9")
    assert code_of(excinfo) == ("EntityAlreadyExists", 409)
    iam.update_account_password_policy(MinimumPasswordLength=20, RequireSymbols=True)
    try:
        assert iam.get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"] == 20
        with pytest.raises(ClientError) as excinfo:
            iam.update_login_profile(UserName=name, Password="Correct-Horse-9")
        assert code_of(excinfo) == ("PasswordPolicyViolation", 400)
    finally:
        iam.delete_account_password_policy()
    with pytest.raises(ClientError) as excinfo:
        iam.get_account_password_policy()
    assert code_of(excinfo) == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as excinfo:
        iam.change_password(OldPassword="x", NewPassword="Another-Horse-9")
    assert code_of(excinfo) == ("InvalidUserType", 400)
    iam.delete_login_profile(UserName=name)


def _codes(seed: str) -> tuple[str, str]:
    totp = pyotp.TOTP(seed)
    now = int(time.time())
    return totp.at(now - 30), totp.at(now)


def test_virtual_mfa_lifecycle_and_session_token(server, unique):
    iam = server.client("iam")
    name = f"mfa-{unique}"
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name, Path="/devices/")["VirtualMFADevice"]
    serial = device["SerialNumber"]
    assert serial == f"arn:aws:iam::000000000000:mfa/devices/{name}"
    assert device["QRCodePNG"].startswith(b"\x89PNG")
    seed = device["Base32StringSeed"].decode()
    assert len(base64.b32decode(seed)) >= 10
    with pytest.raises(ClientError) as excinfo:
        iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1="000000",
                              AuthenticationCode2="000000")
    assert code_of(excinfo) == ("InvalidAuthenticationCode", 403)
    code1, code2 = _codes(seed)
    iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1=code1, AuthenticationCode2=code2)
    assert [d["SerialNumber"] for d in iam.list_mfa_devices(UserName=name)["MFADevices"]] == [serial]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert code_of(excinfo) == ("DeleteConflict", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName=name)
    assert excinfo.value.response["Error"]["Message"] == "Cannot delete entity, must delete access keys first." \
        or code_of(excinfo) == ("DeleteConflict", 409)
    # The code used to enable is spent; the next step's code is needed for a session.
    sts = server.client_for(key, "sts")
    with pytest.raises(ClientError) as excinfo:
        sts.get_session_token(SerialNumber=serial, TokenCode=code2)
    assert code_of(excinfo) == ("AccessDenied", 403)
    server.advance_clock(30)
    next_code = pyotp.TOTP(seed).at(int(time.time()) + 30)
    credentials = sts.get_session_token(SerialNumber=serial, TokenCode=next_code)["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    iam.deactivate_mfa_device(UserName=name, SerialNumber=serial)
    assert iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    iam.delete_virtual_mfa_device(SerialNumber=serial)


def test_signing_certificates_and_credential_report(server):
    iam = server.client("iam")
    certificate = iam.upload_signing_certificate(CertificateBody=CERT)["Certificate"]
    assert certificate["Status"] == "Active"
    assert [c["CertificateId"] for c in iam.list_signing_certificates()["Certificates"]] == [certificate["CertificateId"]]
    assert iam.get_account_summary()["SummaryMap"]["AccountSigningCertificatesPresent"] == 1
    with pytest.raises(ClientError) as excinfo:
        iam.get_credential_report()
    assert code_of(excinfo) == ("ReportNotPresent", 410)
    assert iam.generate_credential_report()["State"] == "STARTED"
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    report = iam.get_credential_report()
    assert report["ReportFormat"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(report["Content"].decode())))
    assert rows[0]["user"] == "<root_account>" and rows[0]["arn"] == "arn:aws:iam::000000000000:root"
    assert rows[0]["password_next_rotation"] == "not_supported" and rows[0]["cert_1_active"] == "true"
    iam.delete_signing_certificate(CertificateId=certificate["CertificateId"])
    assert iam.get_account_summary()["SummaryMap"]["AccountSigningCertificatesPresent"] == 0
