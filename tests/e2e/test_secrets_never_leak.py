"""Secrets never reach the logs or CloudTrail: a run that creates and uses every kind of credential (secret access
keys, passwords, session tokens, one-time codes, TOTP seeds, KMS key material), successfully and in failing calls,
then scans the server's whole log and every CloudTrail record it produced for each secret it saw."""

from __future__ import annotations

import base64
import json

import pyotp
import pytest
from botocore.exceptions import ClientError
from harness import BOOT_ACCOUNT, start_server


@pytest.fixture(scope="module")
def server():
    running = start_server(args=("--root-password", "Root-Passw0rd!-never-logged"))
    yield running
    running.close()


class Secrets:
    """Every secret value the run created or sent, in the forms it could leak in."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def add(self, label: str, value: str | bytes) -> None:
        if isinstance(value, bytes):
            self.values[f"{label} (base64)"] = base64.b64encode(value).decode()
            self.values[f"{label} (hex)"] = value.hex()
        else:
            assert len(value) >= 6, (label, value)  # long enough that a match is a leak, not a coincidence
            self.values[label] = value


def _refused(call, **params) -> None:
    try:
        call(**params)
    except ClientError:
        return
    raise AssertionError(f"{call} succeeded")


def _exercise(server, secrets: Secrets) -> str:
    """Use every kind of credential; returns the access key id of the user's key (not a secret)."""
    iam = server.client("iam")
    secrets.add("root password", "Root-Passw0rd!-never-logged")
    # Long-term keys of an IAM user and of the root user.
    iam.create_user(UserName="leaky")
    iam.attach_user_policy(UserName="leaky", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    user_key = iam.create_access_key(UserName="leaky")["AccessKey"]
    secrets.add("user secret access key", user_key["SecretAccessKey"])
    root_key = iam.create_access_key()["AccessKey"]
    secrets.add("root secret access key", root_key["SecretAccessKey"])
    # Passwords: set, changed, refused (too weak, wrong old one).
    iam.create_login_profile(UserName="leaky", Password="First-Passw0rd!-x1")
    secrets.add("password", "First-Passw0rd!-x1")
    iam.update_login_profile(UserName="leaky", Password="Second-Passw0rd!-x2")
    secrets.add("updated password", "Second-Passw0rd!-x2")
    _refused(iam.update_login_profile, UserName="leaky", Password="weakpw")
    secrets.add("refused password", "weakpw")
    as_user = server.client_for(user_key, "iam")
    _refused(as_user.change_password, OldPassword="Wrong-Old-Passw0rd!", NewPassword="Third-Passw0rd!-x3")
    secrets.add("wrong old password", "Wrong-Old-Passw0rd!")
    secrets.add("refused new password", "Third-Passw0rd!-x3")
    as_user.change_password(OldPassword="Second-Passw0rd!-x2", NewPassword="Fourth-Passw0rd!-x4")
    secrets.add("changed password", "Fourth-Passw0rd!-x4")
    # A virtual MFA device: its seed and QR code, good and wrong one-time codes.
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="leaky-device")["VirtualMFADevice"]
    seed = device["Base32StringSeed"].decode()
    secrets.add("TOTP seed", seed)
    secrets.add("TOTP seed bytes", base64.b32decode(seed))
    totp = pyotp.TOTP(seed)
    now = int(__import__("time").time()) // 30
    code1, code2 = totp.generate_otp(now - 1), totp.generate_otp(now)
    iam.enable_mfa_device(UserName="leaky", SerialNumber=device["SerialNumber"], AuthenticationCode1=code1,
                          AuthenticationCode2=code2)
    sts_user = server.client_for(user_key, "sts")
    _refused(sts_user.get_session_token, SerialNumber=device["SerialNumber"], TokenCode="000000")
    # Temporary credentials: session tokens and their secrets.
    session = sts_user.get_session_token(SerialNumber=device["SerialNumber"],
                                         TokenCode=totp.generate_otp(now + 1))["Credentials"]
    secrets.add("session token", session["SessionToken"])
    secrets.add("session secret access key", session["SecretAccessKey"])
    iam.create_role(RoleName="leaky-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"AWS": f"arn:aws:iam::{BOOT_ACCOUNT}:root"}}]}))
    role = sts_user.assume_role(RoleArn=f"arn:aws:iam::{BOOT_ACCOUNT}:role/leaky-role",
                                            RoleSessionName="leaky")["Credentials"]
    secrets.add("role session token", role["SessionToken"])
    secrets.add("role secret access key", role["SecretAccessKey"])
    server.client_for(role, "sts").get_caller_identity()  # a request signed with the session token
    # KMS key material: data keys, plaintexts, random bytes.
    kms = server.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    data_key = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
    secrets.add("data key plaintext", data_key["Plaintext"])
    plaintext = b"top-secret-plaintext-for-kms"
    blob = kms.encrypt(KeyId=key_id, Plaintext=plaintext)["CiphertextBlob"]
    secrets.add("encrypted plaintext", plaintext)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == plaintext
    secrets.add("random bytes", kms.generate_random(NumberOfBytes=32)["Plaintext"])
    iam.delete_access_key(UserName="leaky", AccessKeyId=user_key["AccessKeyId"])
    return user_key["AccessKeyId"]


def _cloudtrail_records(server) -> list[str]:
    cloudtrail = server.client("cloudtrail")
    records, token = [], None
    while True:
        page = cloudtrail.lookup_events(MaxResults=50, **({"NextToken": token} if token else {}))
        records += [event["CloudTrailEvent"] for event in page["Events"]]
        token = page.get("NextToken")
        if not token:
            return records


def test_no_secret_appears_in_the_log_or_in_cloudtrail(server):
    secrets = Secrets()
    user_key_id = _exercise(server, secrets)
    records = _cloudtrail_records(server)
    assert user_key_id in "\n".join(records)  # the records name the keys used: the scan reads real content
    operations = {json.loads(record)["eventName"] for record in records}
    assert {"CreateAccessKey", "CreateLoginProfile", "ChangePassword", "EnableMFADevice", "GetSessionToken",
            "AssumeRole", "GenerateDataKey", "Decrypt"} <= operations, operations  # the calls were recorded
    haystacks = {"CloudTrail": "\n".join(records), "server log": server.log()}
    leaks = [f"{label} in the {where}" for label, value in secrets.values.items()
             for where, text in haystacks.items() if value in text]
    assert leaks == []
