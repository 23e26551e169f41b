"""sts:AssumeRole end to end: trust policies, identity side, root refusal, durations, session policies and tags."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust(principal: str, **condition) -> str:
    statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": ["sts:AssumeRole", "sts:TagSession"]}
    if condition:
        statement["Condition"] = condition
    return document(statement)


def user_with_key(iam, name: str, policy: str | None = None) -> dict:
    iam.create_user(UserName=name)
    if policy:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    return iam.create_access_key(UserName=name)["AccessKey"]


def error(excinfo) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def test_root_may_not_assume_roles(server, unique):
    iam = server.client("iam")
    role = iam.create_role(RoleName=f"r-{unique}", AssumeRolePolicyDocument=trust("arn:aws:iam::000000000000:root"))
    with pytest.raises(ClientError) as excinfo:
        server.client("sts").assume_role(RoleArn=role["Role"]["Arn"], RoleSessionName="s1")
    assert error(excinfo) == ("AccessDenied", "Roles may not be assumed by root accounts.")


def test_trust_naming_user_is_enough_in_same_account(server, unique):
    iam = server.client("iam")
    name = f"caller-{unique}"
    key = user_with_key(iam, name)
    user_arn = f"arn:aws:iam::000000000000:user/{name}"
    role = iam.create_role(RoleName=f"direct-{unique}", AssumeRolePolicyDocument=trust(user_arn),
                           Tags=[{"Key": "env", "Value": "test"}])["Role"]
    iam.attach_role_policy(RoleName=f"direct-{unique}", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    sts = server.client_for(key, "sts")
    result = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="sess-1")
    assert result["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role['RoleId']}:sess-1",
        "Arn": f"arn:aws:sts::000000000000:assumed-role/direct-{unique}/sess-1",
    }
    session = server.client_for(result["Credentials"], "sts")
    identity = session.get_caller_identity()
    assert identity["Arn"] == result["AssumedRoleUser"]["Arn"] and identity["UserId"] == f"{role['RoleId']}:sess-1"
    role_iam = server.client_for(result["Credentials"], "iam")
    assert role_iam.list_roles()["Roles"]
    with pytest.raises(ClientError) as excinfo:
        role_iam.create_user(UserName=f"nope-{unique}")
    assert error(excinfo)[0] == "AccessDenied"


def test_account_trust_needs_identity_permission(server, unique):
    iam = server.client("iam")
    role = iam.create_role(RoleName=f"acct-{unique}",
                           AssumeRolePolicyDocument=trust("arn:aws:iam::000000000000:root"))["Role"]
    denied = user_with_key(iam, f"plain-{unique}")
    with pytest.raises(ClientError) as excinfo:
        server.client_for(denied, "sts").assume_role(RoleArn=role["Arn"], RoleSessionName="x1")
    assert error(excinfo) == ("AccessDenied", f"User: arn:aws:iam::000000000000:user/plain-{unique} is not authorized "
                              f"to perform: sts:AssumeRole on resource: {role['Arn']}")
    allowed = user_with_key(iam, f"allowed-{unique}", document(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role["Arn"]}))
    credentials = server.client_for(allowed, "sts").assume_role(RoleArn=role["Arn"], RoleSessionName="x2")
    assert credentials["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_duration_external_id_and_session_policy(server, unique):
    iam = server.client("iam")
    name = f"ext-{unique}"
    key = user_with_key(iam, name)
    role = iam.create_role(
        RoleName=f"ext-{unique}", MaxSessionDuration=3600,
        AssumeRolePolicyDocument=trust(f"arn:aws:iam::000000000000:user/{name}",
                                       StringEquals={"sts:ExternalId": "secret-42"}))["Role"]
    iam.attach_role_policy(RoleName=role["RoleName"], PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    sts = server.client_for(key, "sts")
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="e1")
    assert error(excinfo)[0] == "AccessDenied"
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="e1", ExternalId="secret-42", DurationSeconds=7200)
    assert error(excinfo) == ("ValidationError",
                              "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    session_policy = document({"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"})
    result = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="e1", ExternalId="secret-42", Policy=session_policy,
                             Tags=[{"Key": "project", "Value": "x"}])
    assert 0 < result["PackedPolicySize"] <= 100
    role_iam = server.client_for(result["Credentials"], "iam")
    assert role_iam.list_users()["Users"]
    with pytest.raises(ClientError) as excinfo:
        role_iam.list_roles()
    assert error(excinfo)[0] == "AccessDenied"
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=f"arn:aws:iam::000000000000:role/missing-{unique}", RoleSessionName="m1")
    assert error(excinfo)[0] == "AccessDenied"


def _role_chain(iam, name: str) -> tuple[dict, dict, dict]:
    """A user ``name`` with a key, a role it may assume, and a second role the first may assume and tag sessions
    for: (the user's key, the first role, the second role)."""
    key = user_with_key(iam, name)
    first = iam.create_role(RoleName=f"{name}-1",
                            AssumeRolePolicyDocument=trust(f"arn:aws:iam::000000000000:user/{name}"))["Role"]
    second = iam.create_role(RoleName=f"{name}-2", AssumeRolePolicyDocument=trust(first["Arn"]))["Role"]
    iam.put_role_policy(RoleName=first["RoleName"], PolicyName="chain", PolicyDocument=document(
        {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": second["Arn"]}))
    return key, first, second


def test_chained_session_may_not_override_an_inherited_transitive_tag(server, unique):
    """IAM User Guide, "Chaining roles with session tags": passing a session tag with the key of an inherited
    transitive tag fails (InvalidParameterValue, whatever the key's case); a new key is accepted."""
    key, first, second = _role_chain(server.client("iam"), f"chainer-{unique}")
    session = server.client_for(key, "sts").assume_role(
        RoleArn=first["Arn"], RoleSessionName="hop-1", Tags=[{"Key": "Heart", "Value": "1"}],
        TransitiveTagKeys=["Heart"])["Credentials"]
    chained = server.client_for(session, "sts")
    for override in ("Heart", "heart"):
        with pytest.raises(ClientError) as excinfo:
            chained.assume_role(RoleArn=second["Arn"], RoleSessionName="hop-2", Tags=[{"Key": override, "Value": "3"}])
        assert error(excinfo) == ("InvalidParameterValue", "One of the specified transitive tag keys can't be set "
                                  "because it conflicts with a transitive tag key from the calling session.")
    assert chained.assume_role(RoleArn=second["Arn"], RoleSessionName="hop-2",
                               Tags=[{"Key": "Sun", "Value": "2"}])["Credentials"]


def test_session_tag_keys_are_case_insensitive(server, unique):
    """AssumeRole's Tags and TransitiveTagKeys (AWS's answers as recorded): a key twice in any case, or a transitive
    key naming no tag passed, is InvalidParameterValue; a transitive key in another case names its tag, which the
    chained session then carries as a principal tag."""
    iam = server.client("iam")
    key, first, second = _role_chain(iam, f"cased-{unique}")
    iam.put_role_policy(RoleName=second["RoleName"], PolicyName="tagged", PolicyDocument=document(
        {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/SessionTag1": "SessionValue1"}}}))
    sts = server.client_for(key, "sts")
    tag = {"Key": "SessionTag1", "Value": "SessionValue1"}
    for tags, transitive, message in (
            ([tag, {"Key": "sessiontag1", "Value": "SessionValue2"}], ["sessiontag1"],
             "Duplicate tag keys found. Please note that Tag keys are case insensitive."),
            ([tag], ["InvalidKey"], "The specified transitive tag key must be included in the requested tags.")):
        with pytest.raises(ClientError) as excinfo:
            sts.assume_role(RoleArn=first["Arn"], RoleSessionName="s1", Tags=tags, TransitiveTagKeys=transitive)
        assert error(excinfo) == ("InvalidParameterValue", message)
    session = sts.assume_role(RoleArn=first["Arn"], RoleSessionName="s1", Tags=[tag],
                              TransitiveTagKeys=["sessiontag1"])["Credentials"]
    chained = server.client_for(session, "sts").assume_role(RoleArn=second["Arn"], RoleSessionName="s2")
    assert server.client_for(chained["Credentials"], "iam").list_users()["Users"] is not None

