"""IAM User Guide, "Perform a privileged task on an AWS Organizations member account"
(id_root-user-privileged-task.html), AWS CLI procedure run verbatim.

A standalone account joins the organization by invitation with a root user that really has credentials (two
access keys, a signing certificate, an MFA device registered in the console, a console password). From the management account, an IAM
user allowed ``sts:AssumeRoot`` runs ``aws sts assume-root`` per task policy, exports the returned credentials
and audits, deletes, re-enables password recovery, and unlocks an S3 bucket and an SQS queue.
"""

from __future__ import annotations

import json

import pytest

from console_http import register_member_root_mfa
from docs_cli import BOOT_KEY, Cli
from orgs_helpers import second_standalone

MEMBER = "111111111111"
MEMBER_KEY = {"AccessKeyId": "AKIAMEMBERROOTKEY001", "SecretAccessKey": "AKIAMEMBERROOTKEY001"}
TASK = "arn:aws:iam::aws:policy/root-task/"
ROOT_ARN = f"arn:aws:iam::{MEMBER}:root"
BUCKET, QUEUE = "docs-locked-bucket", "docs-locked-queue"
ACCOUNT_FLAGS = ("AccountMFAEnabled", "AccountAccessKeysPresent", "AccountPasswordPresent",
                 "AccountSigningCertificatesPresent")
ASSUME_ROOT_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRoot", "Resource": "arn:aws:iam::*:root"}]}
CERTIFICATE = """-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUQ5bWj5iNq0fJg3lzFQ7cY8cUnzYwCgYIKoZIzj0EAwIw
LzELMAkGA1UEBhMCVVMxIDAeBgNVBAMMF3Jvb3RwbGFuZS1kb2NzLWNlcnRpZmlj
YXRlMB4XDTI0MDEwMTAwMDAwMFoXDTM0MDEwMTAwMDAwMFowLzELMAkGA1UEBhMC
VVMxIDAeBgNVBAMMF3Jvb3RwbGFuZS1kb2NzLWNlcnRpZmljYXRlMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAE
-----END CERTIFICATE-----"""


def _deny_all(resource: str, action: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyEveryone", "Effect": "Deny", "Principal": "*", "Action": action, "Resource": resource}]})


class Org:
    """The management account's CLI identities and ``aws sts assume-root`` as the docs run it."""

    def __init__(self, server) -> None:
        self.server = server
        self.root = Cli(server, BOOT_KEY)
        iam = server.client("iam")
        iam.create_user(UserName="privileged-operator")
        iam.put_user_policy(UserName="privileged-operator", PolicyName="AssumeRoot",
                            PolicyDocument=json.dumps(ASSUME_ROOT_POLICY))
        self.operator = Cli(server, iam.create_access_key(UserName="privileged-operator")["AccessKey"])

    def assume_root(self, task: str, *extra: str) -> dict:
        return self.operator.json("sts", "assume-root", "--target-principal", MEMBER, "--task-policy-arn",
                                  f"arn={TASK}{task}", *extra)

    def session(self, task: str) -> Cli:
        """A CLI signed with the exported AssumeRoot credentials."""
        return Cli(self.server, self.assume_root(task, "--duration-seconds", "900")["Credentials"])


@pytest.fixture(scope="module")
def org(server) -> Org:
    second_standalone(server, MEMBER, MEMBER_KEY["AccessKeyId"])
    org = Org(server)
    orgs = server.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    handshake = orgs.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": MEMBER})["Handshake"]
    server.client_for(MEMBER_KEY, "organizations").accept_handshake(HandshakeId=handshake["Id"])
    orgs.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    server.client("iam").enable_organizations_root_credentials_management()
    server.client("iam").enable_organizations_root_sessions()
    return org


@pytest.fixture(scope="module")
def member_root_setup(server, org, tmp_path_factory) -> dict:
    """The member's root gives itself every kind of root credential with its own long-term key, and an MFA device
    in the console (but is left without a password); the state is saved as a snapshot."""
    cli = Cli(server, MEMBER_KEY)
    second_key = cli.json("iam", "create-access-key")["AccessKey"]
    assert "UserName" not in second_key
    folder = tmp_path_factory.mktemp("root-credentials")
    (folder / "cert.pem").write_text(CERTIFICATE)
    certificate = cli.json("iam", "upload-signing-certificate", "--certificate-body",
                           f"file://{folder / 'cert.pem'}")["Certificate"]
    device = register_member_root_mfa(server, org.operator.credentials, MEMBER, f"root-{MEMBER}@example.com")
    serial = device.serial
    assert serial == f"arn:aws:iam::{MEMBER}:mfa/root-account-mfa-device"
    assert len(device.seed) >= 16
    # the member also owns a bucket and a queue whose policies end up locking everyone out
    s3, sqs = server.client_for(MEMBER_KEY, "s3"), server.client_for(MEMBER_KEY, "sqs")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=_deny_all(f"arn:aws:s3:::{BUCKET}", "s3:*"))
    queue_url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={
        "Policy": _deny_all(f"arn:aws:sqs:us-east-1:{MEMBER}:{QUEUE}", "sqs:*")})
    server.snapshot("privileged-tasks")
    return {"second_key": second_key, "certificate": certificate, "serial": serial, "queue_url": queue_url}


@pytest.fixture
def member_root(server, member_root_setup) -> dict:
    """Each test starts from the saved member (whatever another test created, deleted or unlocked)."""
    server.restore("privileged-tasks")
    return member_root_setup


def _with_password(org: Org) -> None:
    """The member's root password, as a privileged task creates it (test_allow_password_recovery)."""
    org.session("IAMCreateRootUserPassword").json("iam", "create-login-profile")


def _flags(session: Cli) -> dict:
    summary = session.json("iam", "get-account-summary")["SummaryMap"]
    return {flag: summary[flag] for flag in ACCOUNT_FLAGS}


def test_assume_root_output(org):
    result = org.assume_root("IAMAuditRootUserCredentials", "--duration-seconds", "900")
    assert set(result) == {"Credentials"}
    credentials = result["Credentials"]
    assert set(credentials) == {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    assert credentials["AccessKeyId"].startswith("ASIA")
    identity = Cli(org.server, credentials).json("sts", "get-caller-identity")
    assert identity == {"UserId": MEMBER, "Account": MEMBER, "Arn": ROOT_ARN}


def test_documented_errors(org):
    denied = org.root.error("sts", "assume-root", "--target-principal", MEMBER, "--task-policy-arn",
                            f"arn={TASK}IAMAuditRootUserCredentials")
    assert (denied.code, denied.operation) == ("AccessDenied", "AssumeRoot")
    error = org.operator.error("sts", "assume-root", "--target-principal", MEMBER, "--task-policy-arn",
                               f"arn={TASK}IAMAuditRootUserCredentials", "--duration-seconds", "901")
    assert (error.code, error.message) == ("ValidationError", "1 validation error detected: Value '901' at "
                                           "'durationSeconds' failed to satisfy constraint: Member must have "
                                           "value less than or equal to 900")
    error = org.operator.error("sts", "assume-root", "--target-principal", MEMBER, "--task-policy-arn",
                               "arn=arn:aws:iam::aws:policy/AdministratorAccess")
    assert (error.code, error.message) == ("ValidationError", "Request must contain valid AWS managed task policy ARN")
    error = org.operator.error("sts", "assume-root", "--target-principal", "000000000000", "--task-policy-arn",
                               f"arn={TASK}IAMAuditRootUserCredentials")
    assert error.code == "AccessDenied"
    assert error.message == ("User: arn:aws:iam::000000000000:user/privileged-operator is not authorized to "
                             "perform: sts:AssumeRoot on resource: arn:aws:iam::000000000000:root")


def test_allow_password_recovery(org, member_root):
    audit = org.session("IAMAuditRootUserCredentials")
    assert audit.error("iam", "get-login-profile").code == "NoSuchEntity"
    create = org.session("IAMCreateRootUserPassword")
    profile = create.json("iam", "create-login-profile")["LoginProfile"]
    assert set(profile) == {"CreateDate", "PasswordResetRequired"} and profile["PasswordResetRequired"] is False
    assert create.json("iam", "get-login-profile")["LoginProfile"] == profile
    error = create.error("iam", "create-login-profile")
    assert (error.code, error.message) == ("EntityAlreadyExists", f"Login Profile for account {MEMBER} already exists.")


def test_audit_root_user_credentials(org, member_root):
    _with_password(org)
    audit = org.session("IAMAuditRootUserCredentials")
    user = audit.json("iam", "get-user")["User"]
    assert user["UserId"] == MEMBER and user["Arn"] == ROOT_ARN and "UserName" not in user
    assert _flags(audit) == dict.fromkeys(ACCOUNT_FLAGS, 1)
    keys = audit.json("iam", "list-access-keys")["AccessKeyMetadata"]
    assert sorted(key["AccessKeyId"] for key in keys) == sorted([MEMBER_KEY["AccessKeyId"],
                                                               member_root["second_key"]["AccessKeyId"]])
    assert all(set(key) == {"AccessKeyId", "Status", "CreateDate"} for key in keys)
    assert audit.text("iam", "list-access-keys", "--query", "AccessKeyMetadata[?Status=='Active'] | length(@)") == "2"
    last_used = audit.json("iam", "get-access-key-last-used", "--access-key-id", MEMBER_KEY["AccessKeyId"])
    assert last_used["AccessKeyLastUsed"]["ServiceName"] in ("iam", "organizations", "s3", "sqs")
    certificates = audit.json("iam", "list-signing-certificates")["Certificates"]
    assert [c["CertificateId"] for c in certificates] == [member_root["certificate"]["CertificateId"]]
    assert certificates[0]["Status"] == "Active" and "UserName" not in certificates[0]
    devices = audit.json("iam", "list-mfa-devices")["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == [member_root["serial"]] and "UserName" not in devices[0]
    assert set(audit.json("iam", "get-login-profile")["LoginProfile"]) == {"CreateDate", "PasswordResetRequired"}
    for command in (("iam", "list-users"), ("iam", "get-login-profile", "--user-name", "bob"),
                    ("iam", "create-access-key"), ("s3api", "list-buckets")):
        assert audit.error(*command).code == "AccessDenied", command


def test_delete_root_user_credentials(org, member_root):
    _with_password(org)
    delete = org.session("IAMDeleteRootUserCredentials")
    assert delete.json("iam", "delete-login-profile") is None
    for key_id in delete.text("iam", "list-access-keys", "--query", "AccessKeyMetadata[].AccessKeyId").split():
        assert delete.json("iam", "delete-access-key", "--access-key-id", key_id) is None
    for certificate_id in delete.text("iam", "list-signing-certificates", "--query",
                                      "Certificates[].CertificateId").split():
        assert delete.json("iam", "delete-signing-certificate", "--certificate-id", certificate_id) is None
    for serial in delete.text("iam", "list-mfa-devices", "--query", "MFADevices[].SerialNumber").split():
        assert delete.json("iam", "deactivate-mfa-device", "--serial-number", serial) is None
    # the task policy's second statement denies everything but the root resource: the device itself stays
    assert delete.error("iam", "delete-virtual-mfa-device", "--serial-number", member_root["serial"]).code == \
        "AccessDenied"
    assert delete.json("iam", "list-access-keys") == {"AccessKeyMetadata": []}
    assert delete.error("iam", "get-account-summary").code == "AccessDenied"

    assert _flags(org.session("IAMAuditRootUserCredentials")) == dict.fromkeys(ACCOUNT_FLAGS, 0)
    error = Cli(org.server, MEMBER_KEY).error("sts", "get-caller-identity")
    assert error.code == "InvalidClientTokenId"
    assert error.message == "The security token included in the request is invalid."
    error = delete.error("iam", "delete-login-profile")
    assert (error.code, error.message) == ("NoSuchEntity", "Login Profile for User null cannot be found.")


def test_unlock_s3_bucket_policy(org, member_root):
    bucket = BUCKET
    unlock = org.session("S3UnlockBucketPolicy")
    assert bucket in unlock.text("s3api", "list-buckets", "--query", "Buckets[].Name").split()
    policy = json.loads(unlock.json("s3api", "get-bucket-policy", "--bucket", bucket)["Policy"])
    assert policy["Statement"][0]["Sid"] == "DenyEveryone"
    assert unlock.error("s3api", "list-objects-v2", "--bucket", bucket).code == "AccessDenied"
    assert unlock.json("s3api", "delete-bucket-policy", "--bucket", bucket) is None
    error = unlock.error("s3api", "get-bucket-policy", "--bucket", bucket)
    assert (error.code, error.message) == ("NoSuchBucketPolicy", "The bucket policy does not exist")


def test_unlock_sqs_queue_policy(org, member_root):
    url = member_root["queue_url"]
    unlock = org.session("SQSUnlockQueuePolicy")
    assert unlock.json("sqs", "list-queues")["QueueUrls"] == [url]
    assert unlock.json("sqs", "get-queue-url", "--queue-name", QUEUE) == {"QueueUrl": url}
    attributes = unlock.json("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "Policy")
    assert json.loads(attributes["Attributes"]["Policy"])["Statement"][0]["Sid"] == "DenyEveryone"
    assert unlock.error("sqs", "remove-permission", "--queue-url", url, "--label", "DenyEveryone").code == \
        "AccessDenied"
    assert unlock.json("sqs", "set-queue-attributes", "--queue-url", url, "--attributes", "Policy=") is None
    assert unlock.json("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "Policy") is None
