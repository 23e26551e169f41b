"""IAM User Guide, "IAM tutorial: Define permissions to access AWS resources based on tags"
(tutorial_attribute-based-access-control.html), with the AWS CLI, plus the pages it leans on.

Steps 1 and 3 as written: the ``access-assume-role`` policy (``iam:ResourceTag`` of the role against the
user's ``aws:PrincipalTag``), the four tagged test users, the four tagged ``access-*`` roles trusting the account;
step 4's "switch role" outcomes with ``aws sts assume-role``; step 6 (a new user and role need no policy change).
The tutorial's resources are Secrets Manager secrets, which this server does not serve: the same tag checks are
replayed on SQS queues with the SQS Developer Guide's ABAC pages ("Creating IAM users and Amazon SQS queues",
"Testing ABAC": an ``environment=beta`` user creates and uses only ``environment=beta`` queues).
"Pass session tags in AWS STS" (id_session-tags.html): ``--tags`` need ``sts:TagSession`` and become
``aws:PrincipalTag``, overriding the role's own tags; ``--transitive-tag-keys`` survive role chaining.
"""

from __future__ import annotations

import json

import pytest

from docs_cli import BOOT_KEY, Cli

ACCOUNT = "000000000000"
ACCESS_ASSUME_ROLE = {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "TutorialAssumeRole",
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Resource": f"arn:aws:iam::{ACCOUNT}:role/access-*",
        "Condition": {"StringEquals": {
            "iam:ResourceTag/access-project": "${aws:PrincipalTag/access-project}",
            "iam:ResourceTag/access-team": "${aws:PrincipalTag/access-team}",
            "iam:ResourceTag/cost-center": "${aws:PrincipalTag/cost-center}"}}}]}
# Step 3: "Another AWS account", with your own account ID
TRUST_ACCOUNT = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole",
    "Condition": {}}]}
USERS = {
    "access-Arnav-peg-eng": ("peg", "eng", "987654"),
    "access-Mary-peg-qas": ("peg", "qas", "987654"),
    "access-Saanvi-uni-eng": ("uni", "eng", "123456"),
    "access-Carlos-uni-qas": ("uni", "qas", "123456"),
}
ROLES = {
    "access-peg-engineering": ("peg", "eng", "987654"),
    "access-peg-quality-assurance": ("peg", "qas", "987654"),
    "access-uni-engineering": ("uni", "eng", "123456"),
    "access-uni-quality-assurance": ("uni", "qas", "123456"),
}
SQS_BETA_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["sqs:*"], "Resource": "*",
     "Condition": {"StringEquals": {"aws:ResourceTag/environment": "${aws:PrincipalTag/environment}"}}},
    {"Effect": "Allow", "Action": ["sqs:CreateQueue", "sqs:TagQueue"], "Resource": "*",
     "Condition": {"StringEquals": {"aws:RequestTag/environment": "${aws:PrincipalTag/environment}"}}}]}


def _tags(project: str, team: str, cost_center: str) -> list[str]:
    return [f"Key=access-project,Value={project}", f"Key=access-team,Value={team}",
            f"Key=cost-center,Value={cost_center}"]


@pytest.fixture(scope="module")
def admin(server) -> Cli:
    return Cli(server, BOOT_KEY)


@pytest.fixture(scope="module")
def tutorial(server, admin) -> dict[str, Cli]:
    """Steps 1 and 3: the policy, the users (with access keys for the CLI) and the roles."""
    policy_arn = admin.json("iam", "create-policy", "--policy-name", "access-assume-role", "--policy-document",
                            json.dumps(ACCESS_ASSUME_ROLE))["Policy"]["Arn"]
    assert policy_arn == f"arn:aws:iam::{ACCOUNT}:policy/access-assume-role"
    users = {}
    for name, tags in USERS.items():
        admin.json("iam", "create-user", "--user-name", name, "--tags", *_tags(*tags))
        admin.json("iam", "attach-user-policy", "--user-name", name, "--policy-arn", policy_arn)
        users[name] = Cli(server, admin.json("iam", "create-access-key", "--user-name", name)["AccessKey"])
    for name, tags in ROLES.items():
        admin.json("iam", "create-role", "--role-name", name, "--assume-role-policy-document",
                   json.dumps(TRUST_ACCOUNT), "--tags", *_tags(*tags))
    return users


def _switch_role(user: Cli, role: str, session: str) -> Cli:
    credentials = user.json("sts", "assume-role", "--role-arn", f"arn:aws:iam::{ACCOUNT}:role/{role}",
                            "--role-session-name", session)["Credentials"]
    return Cli(user.server, credentials)


def test_users_and_roles_carry_the_tutorial_tags(admin, tutorial):
    tags = admin.json("iam", "list-user-tags", "--user-name", "access-Arnav-peg-eng")["Tags"]
    assert tags == [{"Key": "access-project", "Value": "peg"}, {"Key": "access-team", "Value": "eng"},
                    {"Key": "cost-center", "Value": "987654"}]
    role = admin.json("iam", "get-role", "--role-name", "access-uni-quality-assurance")["Role"]
    assert {tag["Key"]: tag["Value"] for tag in role["Tags"]} == {
        "access-project": "uni", "access-team": "qas", "cost-center": "123456"}
    assert role["AssumeRolePolicyDocument"] == TRUST_ACCOUNT


def test_step4_each_user_switches_only_to_the_role_with_matching_tags(tutorial):
    for user_name, user_tags in USERS.items():
        for role_name, role_tags in ROLES.items():
            if user_tags == role_tags:
                session = _switch_role(tutorial[user_name], role_name, user_name)
                identity = session.json("sts", "get-caller-identity")
                assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/{user_name}"
                continue
            error = tutorial[user_name].error("sts", "assume-role", "--role-arn",
                                              f"arn:aws:iam::{ACCOUNT}:role/{role_name}",
                                              "--role-session-name", user_name)
            assert (error.code, error.message) == ("AccessDenied", (
                f"User: arn:aws:iam::{ACCOUNT}:user/{user_name} is not authorized to perform: sts:AssumeRole on "
                f"resource: arn:aws:iam::{ACCOUNT}:role/{role_name}"))


def test_step6_scalability_new_user_and_role_need_no_policy_change(server, admin, tutorial):
    """A new team member and a new project role only need tags."""
    admin.json("iam", "create-user", "--user-name", "access-Nikhil-peg-eng", "--tags", *_tags("peg", "eng", "987654"))
    admin.json("iam", "attach-user-policy", "--user-name", "access-Nikhil-peg-eng", "--policy-arn",
               f"arn:aws:iam::{ACCOUNT}:policy/access-assume-role")
    nikhil = Cli(server, admin.json("iam", "create-access-key", "--user-name", "access-Nikhil-peg-eng")["AccessKey"])
    assert _switch_role(nikhil, "access-peg-engineering", "Nikhil").json("sts", "get-caller-identity")
    admin.json("iam", "create-role", "--role-name", "access-pan-engineering", "--assume-role-policy-document",
               json.dumps(TRUST_ACCOUNT), "--tags", *_tags("pan", "eng", "987654"))
    assert nikhil.error("sts", "assume-role", "--role-arn", f"arn:aws:iam::{ACCOUNT}:role/access-pan-engineering",
                        "--role-session-name", "Nikhil").code == "AccessDenied"
    admin.json("iam", "tag-user", "--user-name", "access-Nikhil-peg-eng", "--tags",
               "Key=access-project,Value=pan")  # moved to the new project: tags change, policies do not
    assert _switch_role(nikhil, "access-pan-engineering", "Nikhil").json("sts", "get-caller-identity")
    assert nikhil.error("sts", "assume-role", "--role-arn", f"arn:aws:iam::{ACCOUNT}:role/access-peg-engineering",
                        "--role-session-name", "Nikhil").code == "AccessDenied"


@pytest.fixture(scope="module")
def beta(server, admin) -> Cli:
    """SQS "Creating IAM users and Amazon SQS queues": a user tagged environment=beta with the inline policy."""
    admin.json("iam", "create-user", "--user-name", "sqs-abac-beta", "--tags", "Key=environment,Value=beta")
    admin.json("iam", "put-user-policy", "--user-name", "sqs-abac-beta", "--policy-name", "sqs-abac",
               "--policy-document", json.dumps(SQS_BETA_POLICY))
    return Cli(server, admin.json("iam", "create-access-key", "--user-name", "sqs-abac-beta")["AccessKey"])


def test_sqs_testing_abac_create_queue_with_tags(beta, admin):
    error = beta.error("sqs", "create-queue", "--queue-name", "prodQueue", "--region", "us-east-1",
                       "--tags", "environment=prod")
    assert error.code == "AccessDenied" and "perform: sqs:createqueue on resource" in error.message
    assert beta.error("sqs", "create-queue", "--queue-name", "untaggedQueue").code == "AccessDenied"
    url = beta.json("sqs", "create-queue", "--queue-name", "betaQueue", "--region", "us-east-1",
                    "--tags", "environment=beta")["QueueUrl"]
    assert url.endswith(f"/{ACCOUNT}/betaQueue")
    assert beta.json("sqs", "list-queue-tags", "--queue-url", url) == {"Tags": {"environment": "beta"}}
    assert beta.json("sqs", "send-message", "--queue-url", url, "--message-body", "hello")["MessageId"]
    prod = admin.json("sqs", "create-queue", "--queue-name", "prodQueue", "--tags", "environment=prod")["QueueUrl"]
    error = beta.error("sqs", "send-message", "--queue-url", prod, "--message-body", "hello")
    assert error.code == "AccessDenied"
    assert error.message == (f"User: arn:aws:iam::{ACCOUNT}:user/sqs-abac-beta is not authorized to perform: "
                             f"sqs:sendmessage on resource: arn:aws:sqs:us-east-1:{ACCOUNT}:prodQueue because no "
                             "identity-based policy allows the sqs:sendmessage action")


TAGGER_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sqs:TagQueue", "Resource": "*",
     "Condition": {"StringEquals": {"aws:RequestTag/environment": "beta"}}},
    {"Effect": "Allow", "Action": "sqs:UntagQueue", "Resource": "*",
     "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["scratch"]}}}]}


def test_sqs_tag_queue_and_untag_queue_see_request_tags_and_tag_keys(server, admin):
    """SQS ABAC: aws:RequestTag/<key> and aws:TagKeys reach TagQueue's and UntagQueue's conditions.

    (With the page's beta policy itself, retagging a beta queue is allowed by its first statement, sqs:* on
    queues whose aws:ResourceTag matches, exactly as on AWS.)"""
    url = admin.json("sqs", "create-queue", "--queue-name", "taggedByPolicy", "--tags", "environment=beta")["QueueUrl"]
    admin.json("iam", "create-user", "--user-name", "sqs-tagger")
    admin.json("iam", "put-user-policy", "--user-name", "sqs-tagger", "--policy-name", "tagging",
               "--policy-document", json.dumps(TAGGER_POLICY))
    tagger = Cli(server, admin.json("iam", "create-access-key", "--user-name", "sqs-tagger")["AccessKey"])
    assert tagger.error("sqs", "tag-queue", "--queue-url", url, "--tags", "environment=prod").code == "AccessDenied"
    assert tagger.json("sqs", "tag-queue", "--queue-url", url, "--tags", "environment=beta,scratch=1") is None
    assert tagger.error("sqs", "untag-queue", "--queue-url", url, "--tag-keys", "environment").code == "AccessDenied"
    assert tagger.json("sqs", "untag-queue", "--queue-url", url, "--tag-keys", "scratch") is None
    assert admin.json("sqs", "list-queue-tags", "--queue-url", url) == {"Tags": {"environment": "beta"}}


SESSION_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Sid": "AllowTaggedSessions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/tagger"},
    "Action": ["sts:AssumeRole", "sts:TagSession"],
    "Condition": {"StringLike": {"aws:RequestTag/Project": "*"}}}]}
READ_SAME_PROJECT = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
    "Condition": {"StringEquals": {"aws:ResourceTag/Project": "${aws:PrincipalTag/Project}"}}}]}


@pytest.fixture(scope="module")
def tagger(server, admin) -> Cli:
    admin.json("iam", "create-user", "--user-name", "tagger")
    admin.json("iam", "create-user", "--user-name", "automation-bot", "--tags", "Key=Project,Value=Automation")
    for role, trust in (("TaggedSessions", SESSION_TRUST), ("UntaggedSessions", {**SESSION_TRUST, "Statement": [
            {**SESSION_TRUST["Statement"][0], "Action": "sts:AssumeRole", "Condition": {}}]})):
        admin.json("iam", "create-role", "--role-name", role, "--assume-role-policy-document", json.dumps(trust),
                   "--tags", "Key=Project,Value=Unicorn")
        admin.json("iam", "put-role-policy", "--role-name", role, "--policy-name", "read",
                   "--policy-document", json.dumps(READ_SAME_PROJECT))
    return Cli(server, admin.json("iam", "create-access-key", "--user-name", "tagger")["AccessKey"])


def test_session_tags_need_sts_tag_session(tagger):
    error = tagger.error("sts", "assume-role", "--role-arn", f"arn:aws:iam::{ACCOUNT}:role/UntaggedSessions",
                         "--role-session-name", "Mary", "--tags", "Key=Project,Value=Automation")
    assert (error.code, error.message) == ("AccessDenied", (
        f"User: arn:aws:iam::{ACCOUNT}:user/tagger is not authorized to perform: sts:TagSession on resource: "
        f"arn:aws:iam::{ACCOUNT}:role/UntaggedSessions"))
    assert tagger.json("sts", "assume-role", "--role-arn", f"arn:aws:iam::{ACCOUNT}:role/UntaggedSessions",
                       "--role-session-name", "Mary")["Credentials"]
    # the trust policy's aws:RequestTag condition: a tagged-sessions role refuses an untagged request
    assert tagger.error("sts", "assume-role", "--role-arn", f"arn:aws:iam::{ACCOUNT}:role/TaggedSessions",
                        "--role-session-name", "Mary").code == "AccessDenied"


def test_session_tags_become_principal_tags_and_override_role_tags(tagger):
    role_tags_only = _switch_role(tagger, "UntaggedSessions", "Mary")
    assert role_tags_only.error("iam", "get-user", "--user-name", "automation-bot").code == "AccessDenied"
    result = tagger.json("sts", "assume-role", "--role-arn", f"arn:aws:iam::{ACCOUNT}:role/TaggedSessions",
                         "--role-session-name", "Mary", "--tags", "Key=Project,Value=Automation",
                         "Key=CostCenter,Value=12345", "--transitive-tag-keys", "Project")
    assert 0 < result["PackedPolicySize"] <= 100
    session = Cli(tagger.server, result["Credentials"])
    assert session.json("iam", "get-user", "--user-name", "automation-bot")["User"]["UserName"] == "automation-bot"
