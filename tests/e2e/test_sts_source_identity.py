"""sts:AssumeRole's source identity (IAM User Guide, "Monitor and control actions taken with assumed roles",
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html): setting one takes
sts:SetSourceIdentity; once set it persists across chained role sessions, where it is in both aws:SourceIdentity and
sts:SourceIdentity, chaining needs sts:SetSourceIdentity again, and a different value is denied."""

from __future__ import annotations

from harness import BOOT_ACCOUNT, error_of, iam_user_key, policy_document

ALLOW_ALL = policy_document({"Effect": "Allow", "Action": "*", "Resource": "*"})


def _role(iam, name: str, principal: str, actions: list[str], condition: dict | None = None) -> str:
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions}
    if condition:
        statement["Condition"] = condition
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=policy_document(statement))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="all", PolicyDocument=ALLOW_ALL)
    return arn


def _first_session(server, unique: str) -> tuple[dict, str]:
    """A role session that set the source identity ``alice``, and its role's ARN."""
    iam = server.client("iam")
    name = f"caller-{unique}"
    key = iam_user_key(server, name)
    iam.put_user_policy(UserName=name, PolicyName="all", PolicyDocument=ALLOW_ALL)
    first = _role(iam, f"first-{unique}", f"arn:aws:iam::{BOOT_ACCOUNT}:root",
                  ["sts:AssumeRole", "sts:SetSourceIdentity"])
    session = server.client_for(key, "sts").assume_role(RoleArn=first, RoleSessionName="s1", SourceIdentity="alice")
    assert session["SourceIdentity"] == "alice"
    return session["Credentials"], first


def test_setting_a_source_identity_needs_sts_set_source_identity_in_the_trust_policy(server, unique):
    iam = server.client("iam")
    name = f"setter-{unique}"
    key = iam_user_key(server, name)
    iam.put_user_policy(UserName=name, PolicyName="all", PolicyDocument=ALLOW_ALL)
    role = _role(iam, f"plain-{unique}", f"arn:aws:iam::{BOOT_ACCOUNT}:root", ["sts:AssumeRole"])
    assert error_of(server.client_for(key, "sts").assume_role, RoleArn=role, RoleSessionName="s0",
                    SourceIdentity="alice") == (
        "AccessDenied", f"User: arn:aws:iam::{BOOT_ACCOUNT}:user/{name} is not authorized to perform: "
        f"sts:SetSourceIdentity on resource: {role}", 403)


def test_a_chained_session_keeps_the_source_identity_in_both_keys(server, unique):
    credentials, first = _first_session(server, unique)
    second = _role(server.client("iam"), f"second-{unique}", first, ["sts:AssumeRole", "sts:SetSourceIdentity"],
                   {"StringEquals": {"sts:SourceIdentity": "alice", "aws:SourceIdentity": "alice"}})
    chained = server.client_for(credentials, "sts").assume_role(RoleArn=second, RoleSessionName="s2")
    assert chained["SourceIdentity"] == "alice"


def test_chaining_with_a_source_identity_needs_sts_set_source_identity(server, unique):
    credentials, first = _first_session(server, unique)
    third = _role(server.client("iam"), f"third-{unique}", first, ["sts:AssumeRole"])
    assert error_of(server.client_for(credentials, "sts").assume_role, RoleArn=third, RoleSessionName="s3") == (
        "AccessDenied", f"User: arn:aws:sts::{BOOT_ACCOUNT}:assumed-role/first-{unique}/s1 is not authorized to "
        f"perform: sts:SetSourceIdentity on resource: {third}", 403)


def test_a_chained_session_may_not_change_the_source_identity(server, unique):
    credentials, first = _first_session(server, unique)
    fourth = _role(server.client("iam"), f"fourth-{unique}", first, ["sts:AssumeRole", "sts:SetSourceIdentity"])
    sts = server.client_for(credentials, "sts")
    assert error_of(sts.assume_role, RoleArn=fourth, RoleSessionName="s4", SourceIdentity="bob") == (
        "AccessDenied", f"User: arn:aws:sts::{BOOT_ACCOUNT}:assumed-role/first-{unique}/s1 is not authorized to "
        f"perform: sts:AssumeRole on resource: {fourth}", 403)
    assert sts.assume_role(RoleArn=fourth, RoleSessionName="s4", SourceIdentity="alice")["SourceIdentity"] == "alice"
