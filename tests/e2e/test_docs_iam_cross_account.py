"""IAM User Guide, "IAM tutorial: Delegate access across AWS accounts using IAM roles"
(tutorial_cross-account-with-roles.html), with the AWS CLI.

The Production account (the management account here) owns the ``productionapp`` bucket and the ``UpdateApp``
role trusting the Development account (a member created with Organizations); the role's
``read-write-app-bucket`` policy grants the bucket. In Development, the Developers group may assume the role and
the Testers group is explicitly denied. David (developer) switches to the role with ``aws sts assume-role``
and updates the bucket; Theresa (tester) is refused; the role's session cannot reach anything else.
"""

from __future__ import annotations

import json

import pytest

from docs_cli import BOOT_KEY, Cli
from orgs_helpers import admin_key, assume_access_role, create_member

PRODUCTION = "000000000000"
ROLE_ARN = f"arn:aws:iam::{PRODUCTION}:role/UpdateApp"
READ_WRITE_APP_BUCKET = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::*"},
    {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"], "Resource": "arn:aws:s3:::productionapp"},
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
     "Resource": "arn:aws:s3:::productionapp/*"}]}
ALLOW_ASSUME = {"Version": "2012-10-17", "Statement": {
    "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE_ARN}}
DENY_ASSUME = {"Version": "2012-10-17", "Statement": {
    "Sid": "DenyAssumeUpdateApp", "Effect": "Deny", "Action": "sts:AssumeRole", "Resource": ROLE_ARN}}


@pytest.fixture(scope="module")
def accounts(server) -> dict:
    """Step 1 in Production, step 2 in Development."""
    production = Cli(server, BOOT_KEY)
    production.json("organizations", "create-organization", "--feature-set", "ALL")
    development = create_member(server.client("organizations"), "development")
    dev_admin = Cli(server, assume_access_role(server, admin_key(server), development))
    production.json("s3api", "create-bucket", "--bucket", "productionapp")
    production.json("s3api", "create-bucket", "--bucket", "productionsecrets")
    policy_arn = production.json("iam", "create-policy", "--policy-name", "read-write-app-bucket",
                                 "--policy-document", json.dumps(READ_WRITE_APP_BUCKET))["Policy"]["Arn"]
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{development}:root"}, "Action": "sts:AssumeRole"}]}
    role = production.json("iam", "create-role", "--role-name", "UpdateApp", "--assume-role-policy-document",
                           json.dumps(trust))["Role"]
    assert role["Arn"] == ROLE_ARN
    production.json("iam", "attach-role-policy", "--role-name", "UpdateApp", "--policy-arn", policy_arn)
    users = {}
    for group, policy, user in (("Developers", ALLOW_ASSUME, "David"), ("Testers", DENY_ASSUME, "Theresa")):
        dev_admin.json("iam", "create-group", "--group-name", group)
        dev_admin.json("iam", "put-group-policy", "--group-name", group, "--policy-name", f"{group}-UpdateApp",
                       "--policy-document", json.dumps(policy))
        dev_admin.json("iam", "create-user", "--user-name", user)
        dev_admin.json("iam", "add-user-to-group", "--group-name", group, "--user-name", user)
        users[user] = Cli(server, dev_admin.json("iam", "create-access-key", "--user-name", user)["AccessKey"])
    # Testers also hold PowerUserAccess in Development: the explicit deny still wins
    dev_admin.json("iam", "attach-group-policy", "--group-name", "Testers", "--policy-arn",
                   "arn:aws:iam::aws:policy/PowerUserAccess")
    return {"development": development, **users}


def test_step3_david_switches_to_the_role_and_updates_the_bucket(accounts):
    result = accounts["David"].json("sts", "assume-role", "--role-arn", ROLE_ARN, "--role-session-name",
                                    "David-ProdUpdate")
    assert set(result) == {"Credentials", "AssumedRoleUser"}
    assert set(result["Credentials"]) == {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    assert result["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{PRODUCTION}:assumed-role/UpdateApp/David-ProdUpdate"
    session = Cli(accounts["David"].server, result["Credentials"])
    identity = session.json("sts", "get-caller-identity")
    assert (identity["Account"], identity["Arn"]) == (PRODUCTION, result["AssumedRoleUser"]["Arn"])
    session.run("s3api", "put-object", "--bucket", "productionapp", "--key", "app/config.json")
    assert session.text("s3api", "list-objects-v2", "--bucket", "productionapp", "--query",
                        "Contents[].Key") == "app/config.json"
    assert session.error("s3api", "list-objects-v2", "--bucket", "productionsecrets").code == "AccessDenied"
    assert session.error("iam", "list-users").code == "AccessDenied"


def test_step3_the_role_session_lists_the_buckets(accounts):
    session = Cli(accounts["David"].server, accounts["David"].json(
        "sts", "assume-role", "--role-arn", ROLE_ARN, "--role-session-name", "David-ProdUpdate")["Credentials"])
    assert "productionapp" in session.text("s3", "ls")


def test_step3_theresa_is_denied(accounts):
    error = accounts["Theresa"].error("sts", "assume-role", "--role-arn", ROLE_ARN, "--role-session-name",
                                      "Theresa-ProdUpdate")
    assert (error.code, error.message) == ("AccessDenied", (
        f"User: arn:aws:iam::{accounts['development']}:user/Theresa is not authorized to perform: sts:AssumeRole on "
        f"resource: {ROLE_ARN}"))


def test_a_development_user_without_the_group_policy_is_denied(server, accounts):
    """The trust policy names the Development account: its users also need an identity-policy allow."""
    dev_root_like = Cli(server, assume_access_role(server, admin_key(server), accounts["development"], "setup"))
    dev_root_like.json("iam", "create-user", "--user-name", "Outsider")
    outsider = Cli(server, dev_root_like.json("iam", "create-access-key", "--user-name", "Outsider")["AccessKey"])
    assert outsider.error("sts", "assume-role", "--role-arn", ROLE_ARN, "--role-session-name", "outsider").code == \
        "AccessDenied"
