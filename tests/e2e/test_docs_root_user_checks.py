"""IAM User Guide "Root user best practices for your AWS account" and the checks it (and the CIS benchmark built
on it) runs with the AWS CLI as the root user of a standalone account: root access keys present or not,
the credential report's ``<root_account>`` row, root MFA (registered in the console over HTTP, after a password
recovery: the root had no password), and what root credentials cannot do (AssumeRole, AssumeRoot, long sessions).
"""

from __future__ import annotations

import base64
import csv
import io

import pytest

from console_http import RECOVERED_PASSWORD, open_root_registration, recover_root_password
from docs_cli import BOOT_KEY, Cli
from harness import BOOT_KEY_ID

ROOT_ARN = "arn:aws:iam::000000000000:root"
ROOT_EMAIL = "root@example.com"


@pytest.fixture(scope="module")
def root(server) -> Cli:
    return Cli(server, BOOT_KEY)


def _root_row(root: Cli) -> dict:
    assert root.json("iam", "generate-credential-report")["State"] in ("STARTED", "COMPLETE")
    assert root.json("iam", "generate-credential-report") == {"State": "COMPLETE"}
    content = root.text("iam", "get-credential-report", "--query", "Content")  # | base64 -d
    rows = list(csv.DictReader(io.StringIO(base64.b64decode(content).decode())))
    assert rows[0]["user"] == "<root_account>" and rows[0]["arn"] == ROOT_ARN
    return rows[0]


def test_root_access_keys_check(root):
    assert root.text("iam", "get-account-summary", "--query", "SummaryMap.AccountAccessKeysPresent") == "1"
    keys = root.json("iam", "list-access-keys")["AccessKeyMetadata"]
    assert [key["AccessKeyId"] for key in keys] == [BOOT_KEY_ID] and "UserName" not in keys[0]
    row = _root_row(root)
    assert (row["access_key_1_active"], row["access_key_2_active"], row["password_next_rotation"]) == (
        "true", "false", "not_supported")
    second = root.json("iam", "create-access-key")["AccessKey"]
    error = root.error("iam", "create-access-key")
    assert (error.code, error.message) == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
    root.json("iam", "update-access-key", "--access-key-id", second["AccessKeyId"], "--status", "Inactive")
    assert root.text("iam", "list-access-keys", "--query",
                     f"AccessKeyMetadata[?AccessKeyId=='{second['AccessKeyId']}'].Status") == "Inactive"
    assert root.json("iam", "delete-access-key", "--access-key-id", second["AccessKeyId"]) is None
    assert root.text("iam", "get-account-summary", "--query", "SummaryMap.AccountAccessKeysPresent") == "1"


def test_root_mfa_check(server, root):
    assert root.text("iam", "get-account-summary", "--query", "SummaryMap.AccountMFAEnabled") == "0"
    assert _root_row(root)["mfa_active"] == "false"  # a report generated now, before the device
    recover_root_password(server, ROOT_EMAIL, RECOVERED_PASSWORD)  # the root had no password: "Forgot password"
    registration = open_root_registration(server, ROOT_EMAIL, RECOVERED_PASSWORD)  # the console creates the device
    serial = registration.device.serial
    assert serial == "arn:aws:iam::000000000000:mfa/root-account-mfa-device"
    assert root.json("iam", "list-virtual-mfa-devices", "--assignment-status", "Unassigned")["VirtualMFADevices"] == [
        {"SerialNumber": serial}]
    registration.finish()
    assert root.text("iam", "get-account-summary", "--query", "SummaryMap.AccountMFAEnabled") == "1"
    [device] = root.json("iam", "list-virtual-mfa-devices", "--assignment-status", "Assigned")["VirtualMFADevices"]
    assert device["SerialNumber"] == serial and device["User"]["Arn"] == ROOT_ARN and "EnableDate" in device
    # CIS: "is the root MFA a virtual device?"
    assert root.text("iam", "list-virtual-mfa-devices", "--query",
                     f"VirtualMFADevices[?User.Arn=='{ROOT_ARN}'].SerialNumber") == serial
    assert _root_row(root)["mfa_active"] == "false"  # a report younger than 4 hours is not generated again
    server.advance_clock(4 * 3600 + 1)
    assert _root_row(root)["mfa_active"] == "true"
    assert root.json("iam", "list-mfa-devices")["MFADevices"][0]["SerialNumber"] == serial


def test_what_root_credentials_cannot_do(root):
    root.json("iam", "create-role", "--role-name", "Anything", "--assume-role-policy-document",
              '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"000000000000"},'
              '"Action":"sts:AssumeRole"}]}')
    error = root.error("sts", "assume-role", "--role-arn", "arn:aws:iam::000000000000:role/Anything",
                       "--role-session-name", "root")
    assert (error.code, error.message) == ("AccessDenied", "Roles may not be assumed by root accounts.")
    error = root.error("sts", "assume-root", "--target-principal", "111111111111", "--task-policy-arn",
                       "arn=arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")
    assert error.code == "AccessDenied"
    identity = root.json("sts", "get-caller-identity")
    assert identity == {"UserId": "000000000000", "Account": "000000000000", "Arn": ROOT_ARN}
    session = root.json("sts", "get-session-token", "--duration-seconds", "7200")["Credentials"]
    assert session["AccessKeyId"].startswith("ASIA")
    assert Cli(root.server, session).json("sts", "get-caller-identity")["Arn"] == ROOT_ARN
