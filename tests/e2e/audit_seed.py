"""The organization the third-party audit tools inspect (tests/e2e/test_audit_tools.py, docs/audit-tools.md)."""

from __future__ import annotations

import json
import os
import time

from harness import Server, policy_document

__all__ = ["seed_audited_organization", "ADMIN_POLICY", "tool_environment"]

ADMIN_POLICY = "seeded-admin-everything"
TRAIL_BUCKET = "audit-tools-trail-logs"


def _trail_bucket_policy(account_id: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": f"arn:aws:s3:::{TRAIL_BUCKET}"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{TRAIL_BUCKET}/AWSLogs/{account_id}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]})


def _created(orgs, request_id: str) -> dict:
    """The CreateAccount request once it settles (polled with a deadline)."""
    deadline = time.monotonic() + 30
    while True:
        status = orgs.describe_create_account_status(CreateAccountRequestId=request_id)["CreateAccountStatus"]
        if status["State"] != "IN_PROGRESS" or time.monotonic() > deadline:
            assert status["State"] == "SUCCEEDED", status
            return status
        time.sleep(0.1)


def seed_audited_organization(server: Server) -> dict[str, str]:
    """An organization (all features, one OU, one member, an SCP), IAM users (a console user without MFA, a user
    with an access key and an inline policy), a customer managed policy granting ``*:*``, a role trusting another
    account, a weak password policy and a multi-region trail that logs. The root user has no MFA; its access key
    is the bootstrap key the tools sign with."""
    iam, orgs = server.client("iam"), server.client("organizations")
    account_id = server.client("sts").get_caller_identity()["Account"]
    orgs.create_organization(FeatureSet="ALL")
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    unit = orgs.create_organizational_unit(ParentId=root_id, Name="workloads",
                                           Tags=[{"Key": "tier", "Value": "prod"}])["OrganizationalUnit"]
    status = orgs.create_account(Email="member@example.com", AccountName="member")["CreateAccountStatus"]
    member = _created(orgs, status["Id"])
    orgs.move_account(AccountId=member["AccountId"], SourceParentId=root_id, DestinationParentId=unit["Id"])
    scp = orgs.create_policy(Name="deny-leave", Description="no leaving", Type="SERVICE_CONTROL_POLICY",
                             Content=policy_document({"Effect": "Deny", "Action": "organizations:LeaveOrganization",
                                                      "Resource": "*"}))["Policy"]["PolicySummary"]["Id"]
    orgs.attach_policy(PolicyId=scp, TargetId=unit["Id"])

    iam.create_user(UserName="console-alice", Tags=[{"Key": "team", "Value": "ops"}])
    iam.create_login_profile(UserName="console-alice", Password="Correct-Horse-Battery-9")
    iam.create_user(UserName="ci-bot")
    iam.create_access_key(UserName="ci-bot")
    iam.put_user_policy(UserName="ci-bot", PolicyName="inline-s3", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    admin = iam.create_policy(PolicyName=ADMIN_POLICY, PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": "*", "Resource": "*"}), Tags=[{"Key": "risk", "Value": "high"}])["Policy"]
    iam.attach_user_policy(UserName="ci-bot", PolicyArn=admin["Arn"])
    iam.create_role(RoleName="cross-account-admin", AssumeRolePolicyDocument=policy_document(
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}))
    iam.attach_role_policy(RoleName="cross-account-admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.update_account_password_policy(MinimumPasswordLength=8)

    s3, trail = server.client("s3"), server.client("cloudtrail")
    s3.create_bucket(Bucket=TRAIL_BUCKET)
    s3.put_bucket_policy(Bucket=TRAIL_BUCKET, Policy=_trail_bucket_policy(account_id))
    trail_arn = trail.create_trail(Name="org-audit", S3BucketName=TRAIL_BUCKET, IsMultiRegionTrail=True,
                                   EnableLogFileValidation=True)["TrailARN"]
    trail.start_logging(Name="org-audit")
    return {"account_id": account_id, "member_id": member["AccountId"], "ou_id": unit["Id"],
            "admin_policy_arn": admin["Arn"], "trail_arn": trail_arn,
            "organization_arn": orgs.describe_organization()["Organization"]["Arn"]}


def tool_environment(server: Server, home: str, bin_dir: str) -> dict[str, str]:
    """The environment a tool runs in: the server as every AWS endpoint, the bootstrap root key, a private HOME,
    and no AWS settings of this machine."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update({"HOME": home, "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
                "AWS_ENDPOINT_URL": server.endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
                "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull})
    return env
