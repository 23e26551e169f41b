"""sts:AssumeRoot and what root sessions may do (aws-spec.md c, d, e; flows n.2-n.7)."""

from __future__ import annotations

import datetime as _dt
import json

import pytest

from harness import error_of, raw_request
from root_access_org import (ADMIN_POLICY, AUDIT, CREATE_PASSWORD, DELETE_CREDENTIALS, S3_UNLOCK, SQS_UNLOCK,
                             OrgWorld)

S3_ONLY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRoot", "Resource": "arn:aws:iam::*:root",
    "Condition": {"StringEquals": {"sts:TaskPolicyARN": S3_UNLOCK}}}]}
NOTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]}


@pytest.fixture(scope="module")
def world(server):
    world = OrgWorld(server)
    world.admin = world.user("admin", managed=ADMIN_POLICY)
    world.create_organization()
    world.target = world.create_account("target")
    world.trust_iam()
    iam = server.client_for(world.admin, "iam")
    iam.enable_organizations_root_credentials_management()
    iam.enable_organizations_root_sessions()
    return world


def _denied(world, key, target, task=AUDIT) -> tuple[str, str, int]:
    sts = world.server.client_for(key, "sts")
    return error_of(sts.assume_root, TargetPrincipal=target, TaskPolicyArn={"arn": task})


def _generic(caller_arn: str, target: str) -> str:
    return f"User: {caller_arn} is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::{target}:root"


def _now(server) -> _dt.datetime:
    """The server's business clock (another test may have moved it)."""
    return _dt.datetime.fromisoformat(server.get_json("/_rootplane/clock")["now"])


def _expires_after(server, issue, seconds: int) -> dict:
    """Call ``issue()`` and check the credentials expire ``seconds`` after the moment it ran (to the second)."""
    before = _now(server).replace(microsecond=0)
    credentials = issue()
    after = _now(server)
    assert before + _dt.timedelta(seconds=seconds - 1) <= credentials["Expiration"]
    assert credentials["Expiration"] <= after + _dt.timedelta(seconds=seconds + 1)
    return credentials


def test_issues_short_lived_root_credentials(world, server):
    credentials = _expires_after(server, lambda: world.assume_root(world.admin, world.target, AUDIT), 900)
    assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
    assert credentials["SessionToken"]
    identity = server.client_for(credentials, "sts").get_caller_identity()
    assert identity["Account"] == world.target
    assert identity["Arn"] == f"arn:aws:iam::{world.target}:root"
    assert identity["UserId"] == world.target
    _expires_after(server, lambda: world.assume_root(world.admin, f"arn:aws:iam::{world.target}:root", AUDIT,
                                                     DurationSeconds=60), 60)
    cli = server.cli_json("sts", "assume-root", "--target-principal", world.target, "--task-policy-arn",
                          f"arn={AUDIT}", access_key=world.admin["AccessKeyId"],
                          secret_key=world.admin["SecretAccessKey"])
    assert cli["Credentials"]["AccessKeyId"].startswith("ASIA") and set(cli) == {"Credentials"}


def test_validation_before_authorization(world, server):
    nobody = world.user("nobody", policy=NOTHING)
    sts = server.client_for(nobody, "sts")
    cases = [
        (dict(TargetPrincipal=world.target, TaskPolicyArn={"arn": AUDIT}, DurationSeconds=901),
         "1 validation error detected: Value '901' at 'durationSeconds' failed to satisfy constraint: "
         "Member must have value less than or equal to 900"),
        (dict(TargetPrincipal=world.target, TaskPolicyArn={}),
         "1 validation error detected: Value null at 'taskPolicyArn' failed to satisfy constraint: "
         "Member must not be null"),
        (dict(TargetPrincipal=world.target, TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
         "Request must contain valid AWS managed task policy ARN"),
        (dict(TargetPrincipal="arn:aws:iam::000000000000:user/org-access/nobody", TaskPolicyArn={"arn": AUDIT}),
         "Request must contain a valid target principal"),
    ]
    for params, message in cases:
        assert error_of(sts.assume_root, **params) == ("ValidationError", message, 400)
    assert _denied(world, nobody, world.target) == (
        "AccessDenied", _generic("arn:aws:iam::000000000000:user/org-access/nobody", world.target), 403)


def test_global_endpoint_does_not_know_assume_root(world, server):
    body = f"Action=AssumeRoot&Version=2011-06-15&TargetPrincipal={world.target}&TaskPolicyArn.arn={AUDIT}"
    response = raw_request(server, "sts", body=body.encode(), access_key=world.admin["AccessKeyId"],
                           secret_key=world.admin["SecretAccessKey"],
                           headers={"Host": "sts.amazonaws.com",
                                    "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    assert response.status == 400
    assert "<Code>InvalidAction</Code>" in response.text and "<Message>Unknown Operation</Message>" in response.text


def test_root_credentials_and_ineligible_targets_refused(world, server):
    code, message, status = error_of(server.client("sts").assume_root, TargetPrincipal=world.target,
                                     TaskPolicyArn={"arn": AUDIT})
    assert (code, status) == ("AccessDenied", 403)
    admin_arn = "arn:aws:iam::000000000000:user/org-access/admin"
    assert _denied(world, world.admin, "000000000000") == ("AccessDenied", _generic(admin_arn, "000000000000"), 403)
    assert _denied(world, world.admin, "123456789012") == ("AccessDenied", _generic(admin_arn, "123456789012"), 403)


def test_task_policy_arn_condition(world, server):
    s3_only = world.user("s3-only", policy=S3_ONLY)
    assert world.assume_root(s3_only, world.target, S3_UNLOCK)["AccessKeyId"].startswith("ASIA")
    assert _denied(world, s3_only, world.target, AUDIT)[0] == "AccessDenied"


def test_audit_session(world, server):
    iam = server.client_for(world.assume_root(world.admin, world.target, AUDIT), "iam")
    user = iam.get_user()["User"]
    assert user["UserId"] == world.target and user["Arn"] == f"arn:aws:iam::{world.target}:root"
    assert "UserName" not in user and "Path" not in user and "CreateDate" in user
    assert iam.list_access_keys()["AccessKeyMetadata"] == []
    assert iam.list_signing_certificates()["Certificates"] == []
    assert iam.list_mfa_devices()["MFADevices"] == []
    assert error_of(iam.get_login_profile) == (
        "NoSuchEntity", "Login Profile for User null cannot be found.", 404)
    summary = iam.get_account_summary()["SummaryMap"]
    assert {key: summary[key] for key in summary if key.startswith("Account")} == {
        "AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0, "AccountPasswordPresent": 0,
        "AccountSigningCertificatesPresent": 0}
    for call, kwargs in ((iam.list_users, {}), (iam.get_login_profile, {"UserName": "bob"}),
                         (iam.create_user, {"UserName": "bob"})):
        code, _, status = error_of(call, **kwargs)
        assert (code, status) == ("AccessDenied", 403)


def test_allow_password_recovery_then_delete(world, server):
    create = server.client_for(world.assume_root(world.admin, world.target, CREATE_PASSWORD), "iam")
    profile = create.create_login_profile()["LoginProfile"]
    assert profile["PasswordResetRequired"] is False and "UserName" not in profile
    assert error_of(create.create_login_profile) == (
        "EntityAlreadyExists", f"Login Profile for account {world.target} already exists.", 409)
    assert create.get_login_profile()["LoginProfile"]["CreateDate"] == profile["CreateDate"]
    assert error_of(create.get_account_summary)[0] == "AccessDenied"
    audit = server.client_for(world.assume_root(world.admin, world.target, AUDIT), "iam")
    assert audit.get_account_summary()["SummaryMap"]["AccountPasswordPresent"] == 1
    delete = server.client_for(world.assume_root(world.admin, world.target, DELETE_CREDENTIALS), "iam")
    delete.delete_login_profile()
    assert error_of(audit.get_login_profile)[0] == "NoSuchEntity"
    assert audit.get_account_summary()["SummaryMap"]["AccountPasswordPresent"] == 0
    assert error_of(delete.get_account_summary)[0] == "AccessDenied"
    for call, kwargs in ((delete.delete_access_key, {"AccessKeyId": "AKIAEXAMPLEEXAMPLE00"}),
                         (delete.delete_signing_certificate, {"CertificateId": "A" * 24}),
                         (delete.deactivate_mfa_device, {"SerialNumber": f"arn:aws:iam::{world.target}:mfa/root"})):
        code, _, status = error_of(call, **kwargs)
        assert (code, status) == ("NoSuchEntity", 404), call


def test_features_gate_their_tasks_issued_sessions_survive(world, server):
    iam = server.client_for(world.admin, "iam")
    issued = world.assume_root(world.admin, world.target, AUDIT)
    iam.disable_organizations_root_sessions()
    try:
        for task in (S3_UNLOCK, SQS_UNLOCK):
            assert _denied(world, world.admin, world.target, task) == (
                "AccessDenied", "Root sessions feature is not enabled for your AWS Organization.", 403)
        assert world.assume_root(world.admin, world.target, CREATE_PASSWORD)["AccessKeyId"].startswith("ASIA")
        iam.disable_organizations_root_credentials_management()
        assert _denied(world, world.admin, world.target, DELETE_CREDENTIALS) == (
            "AccessDenied", "Root credentials management feature is not enabled for your AWS Organization.", 403)
        assert server.client_for(issued, "iam").get_user()["User"]["UserId"] == world.target
    finally:
        iam.enable_organizations_root_credentials_management()
        iam.enable_organizations_root_sessions()


def test_scp_binds_root_sessions(world, server):
    orgs = world.root("organizations")
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    try:
        orgs.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    except orgs.exceptions.PolicyTypeAlreadyEnabledException:
        pass
    deny = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "iam:ListMFADevices", "Resource": "*",
         "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}}]}
    policy_id = orgs.create_policy(Name="deny-root-mfa-list", Description="", Type="SERVICE_CONTROL_POLICY",
                                   Content=json.dumps(deny))["Policy"]["PolicySummary"]["Id"]
    orgs.attach_policy(PolicyId=policy_id, TargetId=world.target)
    try:
        iam = server.client_for(world.assume_root(world.admin, world.target, AUDIT), "iam")
        code, message, status = error_of(iam.list_mfa_devices)
        assert (code, status) == ("AccessDenied", 403)
        assert "service control policy" in message
        assert iam.get_user()["User"]["UserId"] == world.target
    finally:
        orgs.detach_policy(PolicyId=policy_id, TargetId=world.target)


def test_trusted_access_gate(world, server):
    world.trust_iam(enabled=False)
    try:
        assert _denied(world, world.admin, world.target) == (
            "AccessDenied", "Service not enabled for AWS Organizations.", 403)
    finally:
        world.trust_iam()


def test_delegated_administrator_may_assume_root(world, server):
    delegate = world.create_account("delegate")
    world.delegate(delegate)
    role = world.member_admin(world.admin, delegate, "stackd-root-propagation")
    assert world.assume_root(role, world.target, AUDIT)["AccessKeyId"].startswith("ASIA")
    world.delegate(delegate, registered=False)
    role_arn = f"arn:aws:sts::{delegate}:assumed-role/OrganizationAccountAccessRole/stackd-root-propagation"
    assert _denied(world, role, world.target) == ("AccessDenied", _generic(role_arn, world.target), 403)


def test_sessions_expire_on_time(world, server):
    """Moves the server's clock (the other tests read it, not this machine's)."""
    credentials = world.assume_root(world.admin, world.target, AUDIT)
    iam = server.client_for(credentials, "iam")
    assert iam.get_user()["User"]["UserId"] == world.target
    server.advance_clock(901)
    code, _, status = error_of(iam.get_user)
    assert (code, status) == ("ExpiredToken", 403)


def test_opt_in_region_enabled_by_caller_and_target(world, server):
    """The caller's account must have enabled the opt-in Region (EnableRegion: "You cannot use the Region until this
    process is complete"; AWS Knowledge Center iam-validate-access-credentials: else InvalidClientTokenId), and so
    must the account the credentials are requested for (IAM User Guide, "Manage AWS STS in an AWS Region"): refused
    like an ineligible target, as AWS refuses AssumeRole into an account without the Region (aws-captures/regions.json).
    Moves the server's clock."""
    sts = server.client_for(world.admin, "sts", region="af-south-1")
    assert error_of(sts.assume_root, TargetPrincipal=world.target, TaskPolicyArn={"arn": AUDIT}) == (
        "InvalidClientTokenId", "The security token included in the request is invalid", 403)
    assert error_of(sts.get_caller_identity)[0] == "InvalidClientTokenId"
    server.client_for(world.admin, "account").enable_region(RegionName="af-south-1")
    server.advance_clock(600)
    assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:user/org-access/admin"
    admin_arn = "arn:aws:iam::000000000000:user/org-access/admin"
    assert error_of(sts.assume_root, TargetPrincipal=world.target, TaskPolicyArn={"arn": AUDIT}) == (
        "AccessDenied", _generic(admin_arn, world.target), 403)
    server.client_for(world.member_admin(world.admin, world.target), "account").enable_region(
        RegionName="af-south-1")
    server.advance_clock(600)
    credentials = sts.assume_root(TargetPrincipal=world.target, TaskPolicyArn={"arn": AUDIT})["Credentials"]
    identity = server.client_for(credentials, "sts", region="af-south-1").get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{world.target}:root"
