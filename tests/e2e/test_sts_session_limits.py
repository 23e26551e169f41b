"""AWS's limits on GetSessionToken's sessions: IAM only when the session was issued with MFA, STS only AssumeRole and
GetCallerIdentity (console sessions are not limited: tests/e2e/test_console_*)."""

from __future__ import annotations

import time

import pyotp

from harness import BOOT_ACCOUNT, error_of, iam_user_key, policy_document

REFUSED_BY_IAM = ("InvalidClientTokenId", "The security token included in the request is invalid", 403)


def test_a_session_without_mfa_calls_no_iam_and_only_assume_role_and_get_caller_identity(server):
    session = server.client("sts").get_session_token()["Credentials"]
    assert error_of(server.client_for(session, "iam").list_users) == REFUSED_BY_IAM
    sts = server.client_for(session, "sts")
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{BOOT_ACCOUNT}:root"
    assert error_of(sts.get_access_key_info, AccessKeyId=session["AccessKeyId"]) == (
        "AccessDenied", "Cannot call GetAccessKeyInfo with session credentials", 403)
    assert error_of(sts.get_session_token) == (
        "AccessDenied", "Cannot call GetSessionToken with session credentials", 403)
    server.client_for(session, "s3").list_buckets()  # other services take it


def test_a_session_issued_with_mfa_calls_iam(server, unique):
    iam = server.client("iam")
    key = iam_user_key(server, f"mfa-{unique}", "arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"mfa-{unique}")["VirtualMFADevice"]
    totp, now = pyotp.TOTP(device["Base32StringSeed"].decode()), int(time.time())
    iam.enable_mfa_device(UserName=f"mfa-{unique}", SerialNumber=device["SerialNumber"],
                          AuthenticationCode1=totp.at(now - 30), AuthenticationCode2=totp.at(now))
    server.advance_clock(30)  # the codes used to enable are spent
    with_mfa = server.client_for(key, "sts").get_session_token(SerialNumber=device["SerialNumber"],
                                                               TokenCode=totp.at(now + 30))["Credentials"]
    assert server.client_for(with_mfa, "iam").get_user()["User"]["UserName"] == f"mfa-{unique}"
    without = server.client_for(key, "sts").get_session_token()["Credentials"]
    assert error_of(server.client_for(without, "iam").get_user) == REFUSED_BY_IAM


def test_no_session_of_any_kind_calls_what_only_long_term_keys_may(server, unique):
    """GetSessionToken and GetFederationToken refuse a role session too (every kind of session: session_limits)."""
    iam = server.client("iam")
    user = iam_user_key(server, f"chain-{unique}")
    role = iam.create_role(RoleName=f"chain-{unique}", AssumeRolePolicyDocument=policy_document(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{BOOT_ACCOUNT}:user/chain-{unique}"},
         "Action": "sts:AssumeRole"}))["Role"]
    session = server.client_for(user, "sts").assume_role(RoleArn=role["Arn"], RoleSessionName="chain")["Credentials"]
    sts = server.client_for(session, "sts")
    for call, operation in ((sts.get_session_token, "GetSessionToken"), (sts.get_federation_token, "GetFederationToken")):
        kwargs = {"Name": "fed"} if operation == "GetFederationToken" else {}
        assert error_of(call, **kwargs) == ("AccessDenied", f"Cannot call {operation} with session credentials", 403)
