"""IAM User Guide MFA pages, with the AWS CLI and real TOTP codes (pyotp) from the seed the CLI writes to a file.

- "IAM: Allows IAM users to self-manage an MFA device" (reference_policies_examples_iam_mfa-selfmanage.html):
  the user creates and enables its own virtual device; ``BlockMostAccessUnlessSignedInWithMFA`` denies the rest
  until ``aws sts get-session-token --serial-number --token-code``; deactivating needs an MFA session.
- "AWS: Allows MFA-authenticated IAM users to manage their own credentials on the Security credentials page"
  (reference_policies_examples_aws_my-sec-creds-self-manage.html): ``${aws:username}`` resources,
  ``iam:ChangePassword`` and ``DenyAllExceptListedIfNoMFA``.
- "Configuring MFA-protected API access" (id_credentials_mfa_configure-api-require.html): a role whose trust
  policy requires ``aws:MultiFactorAuthPresent`` (``aws sts assume-role --serial-number --token-code``) and a
  permissions policy limited by ``aws:MultiFactorAuthAge`` (the page's ``ec2:*`` is replaced by ``iam:List*``:
  EC2 is not served), checked before and after the server clock moves past the age.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyotp
import pytest

from docs_cli import BOOT_KEY, Cli
from server_clock import ServerClock

ACCOUNT = "000000000000"
SELF_MANAGE_MFA = {"Version": "2012-10-17", "Statement": [
    {"Sid": "AllowListActions", "Effect": "Allow", "Action": ["iam:ListUsers", "iam:ListVirtualMFADevices"],
     "Resource": "*"},
    {"Sid": "AllowUserToCreateVirtualMFADevice", "Effect": "Allow", "Action": ["iam:CreateVirtualMFADevice"],
     "Resource": "arn:aws:iam::*:mfa/*"},
    {"Sid": "AllowUserToManageTheirOwnMFA", "Effect": "Allow",
     "Action": ["iam:EnableMFADevice", "iam:GetMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"],
     "Resource": "arn:aws:iam::*:user/${aws:username}"},
    {"Sid": "AllowUserToDeactivateTheirOwnMFAOnlyWhenUsingMFA", "Effect": "Allow",
     "Action": ["iam:DeactivateMFADevice"], "Resource": ["arn:aws:iam::*:user/${aws:username}"],
     "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
    {"Sid": "BlockMostAccessUnlessSignedInWithMFA", "Effect": "Deny",
     "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ListUsers",
                   "iam:ListVirtualMFADevices", "iam:ResyncMFADevice"],
     "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}
_OWN_USER = "arn:aws:iam::*:user/${aws:username}"
SELF_MANAGE_CREDENTIALS = {"Version": "2012-10-17", "Statement": [
    {"Sid": "AllowViewAccountInfo", "Effect": "Allow",
     "Action": ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"], "Resource": "*"},
    {"Sid": "AllowManageOwnPasswords", "Effect": "Allow", "Action": ["iam:ChangePassword", "iam:GetUser"],
     "Resource": _OWN_USER},
    {"Sid": "AllowManageOwnAccessKeys", "Effect": "Allow",
     "Action": ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey",
                "iam:GetAccessKeyLastUsed"], "Resource": _OWN_USER},
    {"Sid": "AllowManageOwnSigningCertificates", "Effect": "Allow",
     "Action": ["iam:DeleteSigningCertificate", "iam:ListSigningCertificates", "iam:UpdateSigningCertificate",
                "iam:UploadSigningCertificate"], "Resource": _OWN_USER},
    {"Sid": "AllowManageOwnSSHPublicKeys", "Effect": "Allow",
     "Action": ["iam:DeleteSSHPublicKey", "iam:GetSSHPublicKey", "iam:ListSSHPublicKeys", "iam:UpdateSSHPublicKey",
                "iam:UploadSSHPublicKey"], "Resource": _OWN_USER},
    {"Sid": "AllowManageOwnGitCredentials", "Effect": "Allow",
     "Action": ["iam:CreateServiceSpecificCredential", "iam:DeleteServiceSpecificCredential",
                "iam:ListServiceSpecificCredentials", "iam:ResetServiceSpecificCredential",
                "iam:UpdateServiceSpecificCredential"], "Resource": _OWN_USER},
    {"Sid": "AllowManageOwnVirtualMFADevice", "Effect": "Allow", "Action": ["iam:CreateVirtualMFADevice"],
     "Resource": "arn:aws:iam::*:mfa/*"},
    {"Sid": "AllowManageOwnUserMFA", "Effect": "Allow",
     "Action": ["iam:DeactivateMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"],
     "Resource": _OWN_USER},
    {"Sid": "DenyAllExceptListedIfNoMFA", "Effect": "Deny",
     "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ChangePassword",
                   "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"],
     "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}
MFA_AGE_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["iam:List*"], "Resource": ["*"],
    "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}}]}
EXPLICIT_DENY = "with an explicit deny in an identity-based policy"


class Device:
    """A virtual MFA device as an authenticator app holds it, on the server's clock (which any test moves forward:
    the clock is read afresh for every code)."""

    def __init__(self, server, serial: str, seed: str) -> None:
        self.server, self.serial, self.totp = server, serial, pyotp.TOTP(seed)

    def _step(self) -> int:
        return ServerClock(self.server).step()

    def advance(self, seconds: float) -> None:
        self.server.advance_clock(seconds)

    def enable_codes(self) -> tuple[str, str]:
        """Two consecutive codes: the previous 30-second code and the current one."""
        step = self._step()
        return self.totp.generate_otp(step - 1), self.totp.generate_otp(step)

    def next_code(self) -> str:
        """The code shown after waiting for the next 30-second step (IAM accepts each code once)."""
        self.advance(30)
        return self.totp.generate_otp(self._step())


def _user(server, admin: Cli, name: str, policy: dict) -> Cli:
    admin.json("iam", "create-user", "--user-name", name)
    admin.json("iam", "put-user-policy", "--user-name", name, "--policy-name", "self-manage",
               "--policy-document", json.dumps(policy))
    return Cli(server, admin.json("iam", "create-access-key", "--user-name", name)["AccessKey"])


def _enrol(user: Cli, name: str, tmp_path: Path) -> Device:
    """create-virtual-mfa-device (seed written to --outfile) then enable-mfa-device with two codes."""
    seed_file = tmp_path / f"{name}-seed.txt"
    created = user.json("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", name,
                        "--outfile", str(seed_file), "--bootstrap-method", "Base32StringSeed")["VirtualMFADevice"]
    assert created == {"SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/{name}"}
    device = Device(user.server, created["SerialNumber"], seed_file.read_text())
    code1, code2 = device.enable_codes()
    assert user.json("iam", "enable-mfa-device", "--user-name", name, "--serial-number", device.serial,
                     "--authentication-code1", code1, "--authentication-code2", code2) is None
    return device


def _mfa_session(user: Cli, device: Device) -> Cli:
    credentials = user.json("sts", "get-session-token", "--serial-number", device.serial,
                            "--token-code", device.next_code())["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    return Cli(user.server, credentials)


@pytest.fixture(scope="module")
def admin(server) -> Cli:
    return Cli(server, BOOT_KEY)


def test_self_manage_mfa_device(server, admin, tmp_path):
    user = _user(server, admin, "mfa-self", SELF_MANAGE_MFA)
    assert user.json("iam", "list-users")["Users"]  # in NotAction and allowed
    assert user.json("iam", "list-mfa-devices", "--user-name", "mfa-self") == {"MFADevices": []}
    device = _enrol(user, "mfa-self", tmp_path)
    devices = user.json("iam", "list-mfa-devices", "--user-name", "mfa-self")["MFADevices"]
    assert [(d["UserName"], d["SerialNumber"]) for d in devices] == [("mfa-self", device.serial)]
    error = user.error("iam", "deactivate-mfa-device", "--user-name", "mfa-self", "--serial-number", device.serial)
    assert error.code == "AccessDenied" and error.message.endswith(EXPLICIT_DENY)
    error = user.error("iam", "get-account-summary")
    assert error.code == "AccessDenied" and error.message.endswith(EXPLICIT_DENY)
    bad = user.error("sts", "get-session-token", "--serial-number", device.serial, "--token-code", "000000")
    assert (bad.code, bad.message) == ("AccessDenied",
                                       "MultiFactorAuthentication failed with invalid MFA one time pass code.")
    session = _mfa_session(user, device)
    assert session.json("sts", "get-caller-identity")["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/mfa-self"
    assert session.json("iam", "deactivate-mfa-device", "--user-name", "mfa-self",
                        "--serial-number", device.serial) is None
    assert user.json("iam", "list-mfa-devices", "--user-name", "mfa-self")["MFADevices"] == []


def test_list_mfa_devices_of_another_user_is_denied(server, admin):
    user = _user(server, admin, "mfa-lister", SELF_MANAGE_MFA)
    assert user.json("iam", "list-mfa-devices", "--user-name", "mfa-lister") == {"MFADevices": []}
    assert user.error("iam", "list-mfa-devices", "--user-name", "mfa-other").code == "AccessDenied"


def test_self_manage_credentials_on_security_credentials_page(server, admin, tmp_path):
    user = _user(server, admin, "creds-self", SELF_MANAGE_CREDENTIALS)
    _user(server, admin, "creds-other", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]})
    admin.json("iam", "create-login-profile", "--user-name", "creds-self", "--password", "Initial-Passw0rd!")
    assert user.json("iam", "get-user")["User"]["UserName"] == "creds-self"
    assert user.json("iam", "change-password", "--old-password", "Initial-Passw0rd!",
                     "--new-password", "Changed-Passw0rd!") is None
    error = user.error("iam", "list-access-keys")
    assert error.code == "AccessDenied" and error.message.endswith(EXPLICIT_DENY)
    assert user.error("iam", "get-user", "--user-name", "creds-other").code == "AccessDenied"
    device = _enrol(user, "creds-self", tmp_path)
    session = _mfa_session(user, device)
    keys = session.json("iam", "list-access-keys")["AccessKeyMetadata"]
    assert [key["UserName"] for key in keys] == ["creds-self"]
    second = session.json("iam", "create-access-key")["AccessKey"]
    assert second["UserName"] == "creds-self" and second["Status"] == "Active"
    assert session.json("iam", "update-access-key", "--access-key-id", second["AccessKeyId"],
                        "--status", "Inactive") is None
    assert session.json("iam", "delete-access-key", "--access-key-id", second["AccessKeyId"]) is None
    error = session.error("iam", "list-access-keys", "--user-name", "creds-other")
    assert error.code == "AccessDenied" and "no identity-based policy allows" in error.message


@pytest.fixture(scope="module")
def mfa_user(server, admin, tmp_path_factory) -> tuple[Cli, Device]:
    """An IAM user with the page's permissions policy (MultiFactorAuthAge < 3600) and a device an administrator
    enabled for it."""
    user = _user(server, admin, "mfa-api", MFA_AGE_POLICY)
    seed_file = tmp_path_factory.mktemp("mfa") / "seed.txt"
    serial = admin.json("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "mfa-api", "--outfile",
                        str(seed_file), "--bootstrap-method", "Base32StringSeed")["VirtualMFADevice"]["SerialNumber"]
    device = Device(server, serial, seed_file.read_text())
    code1, code2 = device.enable_codes()
    admin.json("iam", "enable-mfa-device", "--user-name", "mfa-api", "--serial-number", serial,
               "--authentication-code1", code1, "--authentication-code2", code2)
    return user, device


def test_mfa_age_policy_for_api_operations(server, mfa_user):
    user, device = mfa_user
    error = user.error("iam", "list-users")
    assert error.code == "AccessDenied" and "no identity-based policy allows" in error.message
    session = _mfa_session(user, device)
    assert session.json("iam", "list-users")["Users"]
    device.advance(3601)
    error = session.error("iam", "list-users")
    assert error.code == "AccessDenied"
    assert _mfa_session(user, device).json("iam", "list-users")["Users"]  # a fresh MFA sign-in


MFA_TRUST = {"Version": "2012-10-17", "Statement": {
    "Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole",
    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}}


@pytest.fixture(scope="module")
def mfa_role(admin) -> str:
    """The page's "MFA protection for cross-account delegation" trust policy, trusting this account."""
    role_arn = admin.json("iam", "create-role", "--role-name", "MFAProtected", "--assume-role-policy-document",
                          json.dumps(MFA_TRUST))["Role"]["Arn"]
    admin.json("iam", "put-user-policy", "--user-name", "mfa-api", "--policy-name", "assume", "--policy-document",
               json.dumps({"Version": "2012-10-17", "Statement": [
                   {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}]}))
    return role_arn


def test_role_trust_requiring_mfa_accepts_mfa(mfa_user, mfa_role):
    user, device = mfa_user
    result = user.json("sts", "assume-role", "--role-arn", mfa_role, "--role-session-name", "with-mfa",
                       "--serial-number", device.serial, "--token-code", device.next_code())
    assert result["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/MFAProtected/with-mfa"
    # the page's other way: get-session-token with MFA, then assume-role with those credentials
    session = _mfa_session(user, device)
    assumed = session.json("sts", "assume-role", "--role-arn", mfa_role, "--role-session-name", "from-session")
    assert assumed["AssumedRoleUser"]["Arn"].endswith(":assumed-role/MFAProtected/from-session")


def test_role_trust_requiring_mfa_refuses_without_mfa(mfa_user, mfa_role):
    user, _ = mfa_user
    error = user.error("sts", "assume-role", "--role-arn", mfa_role, "--role-session-name", "no-mfa")
    assert (error.code, error.message) == ("AccessDenied", (
        f"User: arn:aws:iam::{ACCOUNT}:user/mfa-api is not authorized to perform: sts:AssumeRole on resource: "
        f"{mfa_role}"))


def test_role_trust_with_mfa_age_accepts_a_code_sent_with_assume_role(admin, mfa_user):
    """aws:MultiFactorAuthAge is 0 for the code sent with AssumeRole itself (the trust policy sees it)."""
    user, device = mfa_user
    trust = {"Version": "2012-10-17", "Statement": {
        "Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole",
        "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "300"}}}}
    role_arn = admin.json("iam", "create-role", "--role-name", "FreshMFAOnly", "--assume-role-policy-document",
                          json.dumps(trust))["Role"]["Arn"]
    admin.json("iam", "put-user-policy", "--user-name", "mfa-api", "--policy-name", "assume-fresh",
               "--policy-document", json.dumps({"Version": "2012-10-17", "Statement": [
                   {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}]}))
    assert user.error("sts", "assume-role", "--role-arn", role_arn, "--role-session-name", "none").code == "AccessDenied"
    result = user.json("sts", "assume-role", "--role-arn", role_arn, "--role-session-name", "fresh",
                       "--serial-number", device.serial, "--token-code", device.next_code())
    assert result["AssumedRoleUser"]["Arn"].endswith(":assumed-role/FreshMFAOnly/fresh")
