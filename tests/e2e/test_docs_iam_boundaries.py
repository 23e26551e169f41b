"""IAM User Guide, "Permissions boundaries for IAM entities" (access_policies_boundaries.html), the example
"Delegating responsibility to others using permissions boundaries", with the AWS CLI.

María (an administrator) creates the three policies of the page, then Zhang with ``DelegatedUserPermissions``
as his permissions and ``DelegatedUserBoundary`` as his boundary. Zhang may create and change users only
with the ``XCompanyBoundaries`` boundary (the ``iam:PermissionsBoundary`` condition key), may not edit the
boundary policies nor remove a boundary, and may not touch María; users he creates are limited by
``XCompanyBoundaries`` (S3 allowed except the ``logs`` bucket, own access keys).
"""

from __future__ import annotations

import json

import pytest

from docs_cli import BOOT_KEY, Cli

ACCOUNT = "000000000000"
X_COMPANY = f"arn:aws:iam::{ACCOUNT}:policy/XCompanyBoundaries"
DELEGATED_BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/DelegatedUserBoundary"
X_COMPANY_BOUNDARIES = {"Version": "2012-10-17", "Statement": [
    {"Sid": "ServiceBoundaries", "Effect": "Allow", "Action": ["s3:*", "cloudwatch:*", "ec2:*", "dynamodb:*"],
     "Resource": "*"},
    {"Sid": "AllowIAMConsoleForCredentials", "Effect": "Allow",
     "Action": ["iam:ListUsers", "iam:GetAccountPasswordPolicy"], "Resource": "*"},
    {"Sid": "AllowManageOwnPasswordAndAccessKeys", "Effect": "Allow",
     "Action": ["iam:*AccessKey*", "iam:ChangePassword", "iam:GetUser", "iam:*LoginProfile*"],
     "Resource": ["arn:aws:iam::*:user/${aws:username}"]},
    {"Sid": "DenyS3Logs", "Effect": "Deny", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"]},
    {"Sid": "DenyEC2Production", "Effect": "Deny", "Action": "ec2:*",
     "Resource": ["arn:aws:ec2:*:*:instance/i-1234567890abcdef0"]}]}
DELEGATED_USER_BOUNDARY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "CreateOrChangeOnlyWithBoundary", "Effect": "Allow",
     "Action": ["iam:CreateUser", "iam:DeleteUserPolicy", "iam:AttachUserPolicy", "iam:DetachUserPolicy",
                "iam:PutUserPermissionsBoundary", "iam:PutUserPolicy"],
     "Resource": "*", "Condition": {"StringEquals": {"iam:PermissionsBoundary": X_COMPANY}}},
    {"Sid": "CloudWatchAndOtherIAMTasks", "Effect": "Allow",
     "Action": ["cloudwatch:*", "iam:GetUser", "iam:ListUsers", "iam:DeleteUser", "iam:UpdateUser",
                "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:GetAccountPasswordPolicy",
                "iam:GetLoginProfile", "iam:ListGroups", "iam:ListGroupsForUser", "iam:CreateGroup",
                "iam:GetGroup", "iam:DeleteGroup", "iam:UpdateGroup", "iam:CreatePolicy", "iam:DeletePolicy",
                "iam:DeletePolicyVersion", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetUserPolicy",
                "iam:GetRolePolicy", "iam:ListPolicies", "iam:ListPolicyVersions", "iam:ListEntitiesForPolicy",
                "iam:ListUserPolicies", "iam:ListAttachedUserPolicies", "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies", "iam:SetDefaultPolicyVersion", "iam:SimulatePrincipalPolicy",
                "iam:SimulateCustomPolicy"],
     "NotResource": f"arn:aws:iam::{ACCOUNT}:user/Maria"},
    {"Sid": "NoBoundaryPolicyEdit", "Effect": "Deny",
     "Action": ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
                "iam:SetDefaultPolicyVersion"],
     "Resource": [X_COMPANY, DELEGATED_BOUNDARY]},
    {"Sid": "NoBoundaryUserDelete", "Effect": "Deny", "Action": "iam:DeleteUserPermissionsBoundary",
     "Resource": "*"}]}
DELEGATED_USER_PERMISSIONS = {"Version": "2012-10-17", "Statement": [
    {"Sid": "IAM", "Effect": "Allow", "Action": "iam:*", "Resource": "*"},
    {"Sid": "CloudWatchLimited", "Effect": "Allow",
     "Action": ["cloudwatch:GetDashboard", "cloudwatch:GetMetricData", "cloudwatch:ListDashboards",
                "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics"], "Resource": "*"},
    {"Sid": "S3BucketContents", "Effect": "Allow", "Action": "s3:ListBucket",
     "Resource": "arn:aws:s3:::ZhangBucket"}]}
S3_FULL = "arn:aws:iam::aws:policy/AmazonS3FullAccess"


@pytest.fixture(scope="module")
def maria(server) -> Cli:
    """María, the administrator who sets the delegation up."""
    root = Cli(server, BOOT_KEY)
    root.json("iam", "create-user", "--user-name", "Maria")
    root.json("iam", "attach-user-policy", "--user-name", "Maria", "--policy-arn",
              "arn:aws:iam::aws:policy/AdministratorAccess")
    return Cli(server, root.json("iam", "create-access-key", "--user-name", "Maria")["AccessKey"])


@pytest.fixture(scope="module")
def zhang(server, maria) -> Cli:
    for name, document in (("XCompanyBoundaries", X_COMPANY_BOUNDARIES),
                           ("DelegatedUserBoundary", DELEGATED_USER_BOUNDARY),
                           ("DelegatedUserPermissions", DELEGATED_USER_PERMISSIONS)):
        policy = maria.json("iam", "create-policy", "--policy-name", name, "--policy-document",
                            json.dumps(document))["Policy"]
        assert policy["Arn"] == f"arn:aws:iam::{ACCOUNT}:policy/{name}" and policy["DefaultVersionId"] == "v1"
    user = maria.json("iam", "create-user", "--user-name", "Zhang", "--permissions-boundary",
                      DELEGATED_BOUNDARY)["User"]
    assert user["PermissionsBoundary"] == {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                           "PermissionsBoundaryArn": DELEGATED_BOUNDARY}
    maria.json("iam", "attach-user-policy", "--user-name", "Zhang", "--policy-arn",
               f"arn:aws:iam::{ACCOUNT}:policy/DelegatedUserPermissions")
    return Cli(server, maria.json("iam", "create-access-key", "--user-name", "Zhang")["AccessKey"])


@pytest.fixture(scope="module")
def nikhil(zhang) -> dict:
    """The page's user Zhang creates with the company boundary, S3 full access and an inline iam:* policy."""
    created = zhang.json("iam", "create-user", "--user-name", "Nikhil", "--permissions-boundary", X_COMPANY)["User"]
    assert zhang.json("iam", "attach-user-policy", "--user-name", "Nikhil", "--policy-arn", S3_FULL) is None
    assert zhang.json("iam", "put-user-policy", "--user-name", "Nikhil", "--policy-name", "extra",
                      "--policy-document", json.dumps({"Version": "2012-10-17", "Statement": [
                          {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]})) is None
    return created


def test_zhang_creates_users_only_with_the_company_boundary(zhang, nikhil):
    error = zhang.error("iam", "create-user", "--user-name", "NoBoundary")
    assert (error.code, error.message) == ("AccessDenied", (
        f"User: arn:aws:iam::{ACCOUNT}:user/Zhang is not authorized to perform: iam:CreateUser on resource: "
        f"arn:aws:iam::{ACCOUNT}:user/NoBoundary because no permissions boundary allows the iam:CreateUser action"))
    error = zhang.error("iam", "create-user", "--user-name", "WrongBoundary", "--permissions-boundary",
                        DELEGATED_BOUNDARY)
    assert error.code == "AccessDenied" and "no permissions boundary allows" in error.message
    assert nikhil["PermissionsBoundary"]["PermissionsBoundaryArn"] == X_COMPANY


def test_zhang_cannot_loosen_boundaries(zhang, nikhil):
    error = zhang.error("iam", "delete-user-permissions-boundary", "--user-name", "Nikhil")
    assert error.code == "AccessDenied" and error.message.endswith(
        "with an explicit deny in a permissions boundary")
    error = zhang.error("iam", "put-user-permissions-boundary", "--user-name", "Nikhil", "--permissions-boundary",
                        "arn:aws:iam::aws:policy/AdministratorAccess")
    assert error.code == "AccessDenied" and "no permissions boundary allows" in error.message
    error = zhang.error("iam", "create-policy-version", "--policy-arn", X_COMPANY, "--policy-document",
                        json.dumps({"Version": "2012-10-17", "Statement": [
                            {"Effect": "Allow", "Action": "*", "Resource": "*"}]}), "--set-as-default")
    assert error.code == "AccessDenied" and error.message.endswith("with an explicit deny in a permissions boundary")
    assert zhang.error("iam", "delete-policy", "--policy-arn", DELEGATED_BOUNDARY).code == "AccessDenied"
    assert zhang.error("iam", "get-user", "--user-name", "Maria").code == "AccessDenied"
    assert zhang.error("iam", "delete-user", "--user-name", "Maria").code == "AccessDenied"
    assert zhang.json("iam", "get-user", "--user-name", "Nikhil")["User"]["UserName"] == "Nikhil"


def test_users_created_by_zhang_are_limited_by_the_company_boundary(server, maria, zhang, nikhil):
    key = zhang.json("iam", "create-access-key", "--user-name", "Nikhil")["AccessKey"]
    nikhil = Cli(server, key)
    maria.json("s3api", "create-bucket", "--bucket", "logs")
    maria.json("s3api", "create-bucket", "--bucket", "app-data")
    assert nikhil.json("s3api", "put-object", "--bucket", "app-data", "--key", "hello.txt")["ETag"]
    assert nikhil.error("s3api", "put-object", "--bucket", "logs", "--key", "hello.txt").code == "AccessDenied"
    assert [k["AccessKeyId"] for k in nikhil.json("iam", "list-access-keys")["AccessKeyMetadata"]] == [
        key["AccessKeyId"]]
    # the inline iam:* policy is capped by the boundary: other users stay out of reach
    error = nikhil.error("iam", "list-access-keys", "--user-name", "Zhang")
    assert error.code == "AccessDenied" and "no permissions boundary allows" in error.message
    error = nikhil.error("iam", "create-user", "--user-name", "Escalate")
    assert error.code == "AccessDenied"


def test_simulate_principal_policy_shows_the_boundary(zhang):
    result = zhang.json("iam", "simulate-principal-policy", "--policy-source-arn",
                        f"arn:aws:iam::{ACCOUNT}:user/Zhang", "--action-names", "iam:CreateUser",
                        "iam:DeleteUserPermissionsBoundary", "--context-entries",
                        f"ContextKeyName=iam:PermissionsBoundary,ContextKeyValues={X_COMPANY},ContextKeyType=string")
    decisions = {r["EvalActionName"]: r["EvalDecision"] for r in result["EvaluationResults"]}
    assert decisions == {"iam:CreateUser": "allowed", "iam:DeleteUserPermissionsBoundary": "explicitDeny"}
    create = next(r for r in result["EvaluationResults"] if r["EvalActionName"] == "iam:CreateUser")
    assert create["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
