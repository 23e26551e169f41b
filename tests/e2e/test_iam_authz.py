"""Authorization through boto3: IAM users with policies are allowed or refused; boundaries; groups; simulator."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def make_user(iam, name: str) -> dict:
    iam.create_user(UserName=name)
    return iam.create_access_key(UserName=name)["AccessKey"]


def test_user_without_policies_is_denied(server, unique):
    iam = server.client("iam")
    key = make_user(iam, f"nobody-{unique}")
    with pytest.raises(ClientError) as excinfo:
        server.client_for(key, "iam").list_users()
    error = excinfo.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == (f"User: arn:aws:iam::000000000000:user/nobody-{unique} is not authorized to perform: "
                                "iam:ListUsers on resource: arn:aws:iam::000000000000:user/ because no "
                                "identity-based policy allows the iam:ListUsers action")


def test_denials_name_existing_users_roles_and_groups_as_iam_does(server, unique):
    """IAM says "on resource: user bob" / "role r" / "group g" for an entity that exists, the ARN for one it would
    create (real AWS messages, e.g. iam:GetUser/GetRole/AttachRolePolicy vs iam:CreateUser)."""
    iam = server.client("iam")
    key = make_user(iam, f"nobody2-{unique}")
    iam.create_role(RoleName=f"Role-{unique}", AssumeRolePolicyDocument=policy(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    iam.create_group(GroupName=f"Group-{unique}")
    caller = server.client_for(key, "iam")
    head = f"User: arn:aws:iam::000000000000:user/nobody2-{unique} is not authorized to perform: "
    calls = [
        (lambda: caller.get_user(UserName=f"NOBODY2-{unique}"), "iam:GetUser", f"user nobody2-{unique}"),
        (lambda: caller.get_role(RoleName=f"Role-{unique}"), "iam:GetRole", f"role Role-{unique}"),
        (lambda: caller.attach_role_policy(RoleName=f"Role-{unique}",
                                           PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"),
         "iam:AttachRolePolicy", f"role Role-{unique}"),
        (lambda: caller.get_group(GroupName=f"Group-{unique}"), "iam:GetGroup", f"group Group-{unique}"),
        (lambda: caller.create_user(UserName=f"new-{unique}"), "iam:CreateUser",
         f"arn:aws:iam::000000000000:user/new-{unique}"),
    ]
    for call, action, resource in calls:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert excinfo.value.response["Error"]["Code"] == "AccessDenied"
        assert excinfo.value.response["Error"]["Message"] == (
            f"{head}{action} on resource: {resource} because no identity-based policy allows the {action} action")


def test_inline_policy_allows_and_explicit_deny_wins(server, unique):
    iam = server.client("iam")
    name = f"reader-{unique}"
    key = make_user(iam, name)
    iam.put_user_policy(UserName=name, PolicyName="read", PolicyDocument=policy(
        {"Effect": "Allow", "Action": ["iam:List*", "iam:Get*"], "Resource": "*"}))
    client = server.client_for(key, "iam")
    assert client.list_users()["Users"]
    assert client.get_user()["User"]["UserName"] == name
    iam.put_user_policy(UserName=name, PolicyName="deny", PolicyDocument=policy(
        {"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"}))
    with pytest.raises(ClientError) as excinfo:
        client.list_users()
    assert excinfo.value.response["Error"]["Code"] == "AccessDenied"
    assert "explicit deny" in excinfo.value.response["Error"]["Message"]
    assert client.list_groups()["Groups"] is not None


def test_group_managed_policy_and_boundary(server, unique):
    iam = server.client("iam")
    name = f"admin-{unique}"
    key = make_user(iam, name)
    iam.create_group(GroupName=f"admins-{unique}")
    iam.attach_group_policy(GroupName=f"admins-{unique}", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.add_user_to_group(GroupName=f"admins-{unique}", UserName=name)
    client = server.client_for(key, "iam")
    client.create_user(UserName=f"made-by-{unique}")
    iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    assert client.list_users()["Users"]
    with pytest.raises(ClientError) as excinfo:
        client.create_user(UserName=f"blocked-{unique}")
    assert excinfo.value.response["Error"]["Code"] == "AccessDenied"
    assert "permissions boundary" in excinfo.value.response["Error"]["Message"]


def test_condition_on_resource_tag(server, unique):
    iam = server.client("iam")
    name = f"tagger-{unique}"
    key = make_user(iam, name)
    iam.create_user(UserName=f"team-a-{unique}", Tags=[{"Key": "team", "Value": "a"}])
    iam.create_user(UserName=f"team-b-{unique}", Tags=[{"Key": "team", "Value": "b"}])
    iam.put_user_policy(UserName=name, PolicyName="team-a", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}}}))
    client = server.client_for(key, "iam")
    assert client.get_user(UserName=f"team-a-{unique}")["User"]["UserName"] == f"team-a-{unique}"
    with pytest.raises(ClientError) as excinfo:
        client.get_user(UserName=f"team-b-{unique}")
    assert excinfo.value.response["Error"]["Code"] == "AccessDenied"


def test_simulate_custom_and_principal_policy(server, unique):
    iam = server.client("iam")
    document = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                      {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::secret/*"})
    results = iam.simulate_custom_policy(PolicyInputList=[document], ActionNames=["s3:GetObject", "s3:PutObject"],
                                         ResourceArns=["arn:aws:s3:::public/x"])["EvaluationResults"]
    assert [r["EvalDecision"] for r in results] == ["allowed", "implicitDeny"]
    assert results[0]["MatchedStatements"][0]["SourcePolicyId"] == "PolicyInputList.1"
    second = policy({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"})
    both = iam.simulate_custom_policy(PolicyInputList=[document, second], ActionNames=["s3:GetObject"],
                                      ResourceArns=["arn:aws:s3:::public/x"])["EvaluationResults"][0]
    assert [m["SourcePolicyId"] for m in both["MatchedStatements"]] == ["PolicyInputList.1", "PolicyInputList.2"]
    name = f"sim-{unique}"
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=document)
    results = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::000000000000:user/{name}", ActionNames=["s3:GetObject"],
        ResourceArns=["arn:aws:s3:::secret/k"])["EvaluationResults"]
    assert results[0]["EvalDecision"] == "explicitDeny"


def test_same_account_simulation_of_all_resources_has_no_eval_decision_details(server):
    """EvalDecisionDetails (IAM API Reference, EvaluationResult): a same-account simulation of a resource ARN has it,
    empty (as recorded in aws-captures/conditions.json); one of all resources (``*``, given or by default) has
    none."""
    iam = server.client("iam")
    document = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})

    def result(**resources) -> dict:
        return iam.simulate_custom_policy(PolicyInputList=[document], ActionNames=["s3:GetObject"],
                                          **resources)["EvaluationResults"][0]

    assert result(ResourceArns=["arn:aws:s3:::b/k"])["EvalDecisionDetails"] == {}
    assert "EvalDecisionDetails" not in result()
    assert "EvalDecisionDetails" not in result(ResourceArns=["*"])


def test_simulation_refuses_what_is_not_an_arn_as_aws_does(server):
    """Resource names must be ARNs (or ``*``) and a PolicySourceArn an IAM user's, group's or role's: AWS answers
    InvalidInput "ResourceNames are not in a valid ARN format: <name>." (aws-containers/amazon-ecs-exec-checker#35)
    and "Invalid Entity Arn: <arn>" for an STS session's ARN (newrelic/newrelic-lambda-cli#96)."""
    iam = server.client("iam")
    document = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    key_id = "14a050d4-021e-4efe-84bb-0871bf6d0fda"
    with pytest.raises(ClientError) as refused:
        iam.simulate_custom_policy(PolicyInputList=[document], ActionNames=["s3:GetObject"], ResourceArns=[key_id])
    assert (refused.value.response["Error"]["Code"], refused.value.response["Error"]["Message"],
            refused.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "InvalidInput", f"ResourceNames are not in a valid ARN format: {key_id}.", 400)
    session_arn = "arn:aws:sts::000000000000:assumed-role/admin/session"
    with pytest.raises(ClientError) as refused:
        iam.simulate_principal_policy(PolicySourceArn=session_arn, ActionNames=["s3:GetObject"])
    assert (refused.value.response["Error"]["Code"], refused.value.response["Error"]["Message"]) == (
        "InvalidInput", f"Invalid Entity Arn: {session_arn}")
    with pytest.raises(ClientError) as missing:
        iam.simulate_principal_policy(PolicySourceArn="arn:aws:iam::000000000000:user/nobody-here",
                                      ActionNames=["s3:GetObject"])
    assert missing.value.response["Error"]["Code"] == "NoSuchEntity"


def test_simulation_names_the_context_values_it_missed(server):
    """MissingContextValues lists the condition keys and policy variables an applying statement needed and the
    simulation was not given (as spelled in the policy); a key given in ContextEntries, one whose absence satisfies
    its test (Null, negated operators: see aws-captures/conditions.json) and a statement of another action are not
    listed."""
    iam = server.client("iam")
    document = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*",
         "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}, "Null": {"aws:TokenIssueTime": "true"},
                       "StringNotEquals": {"aws:PrincipalTag/team": "blocked"}}},
        {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*",
         "Condition": {"StringEquals": {"ec2:Region": "us-east-1"}}}]})
    result = iam.simulate_custom_policy(PolicyInputList=[document], ActionNames=["s3:GetObject"],
                                        ResourceArns=["arn:aws:s3:::b/alice/k"])["EvaluationResults"][0]
    assert (result["EvalDecision"], result["MissingContextValues"]) == (
        "implicitDeny", ["aws:SourceVpc", "aws:username"])
    given = [{"ContextKeyName": "aws:sourcevpc", "ContextKeyValues": ["vpc-1"], "ContextKeyType": "string"},
             {"ContextKeyName": "aws:username", "ContextKeyValues": ["alice"], "ContextKeyType": "string"}]
    result = iam.simulate_custom_policy(PolicyInputList=[document], ActionNames=["s3:GetObject"],
                                        ResourceArns=["arn:aws:s3:::b/alice/k"],
                                        ContextEntries=given)["EvaluationResults"][0]
    assert (result["EvalDecision"], result["MissingContextValues"]) == ("allowed", [])


def test_a_cross_account_simulation_needs_both_the_identity_and_the_resource_policy(server):
    """The caller's account is its ARN's: a caller of another account than the resource owner needs both its identity
    policy and the resource policy to allow (a same-account caller needs either)."""
    iam = server.client("iam")
    identity = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]})
    bucket = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/x"}, "Action": "s3:GetObject",
         "Resource": "*"}]})

    def decision(caller: str, owner: str) -> str:
        return iam.simulate_custom_policy(
            PolicyInputList=[identity], ActionNames=["s3:GetObject"], ResourceArns=["arn:aws:s3:::b/k"],
            ResourcePolicy=bucket, CallerArn=caller, ResourceOwner=owner,
        )["EvaluationResults"][0]["EvalDecision"]

    caller = "arn:aws:iam::111122223333:user/x"
    assert decision(caller, "arn:aws:iam::000000000000:root") == "implicitDeny"
    assert decision(caller, "arn:aws:iam::111122223333:root") == "allowed"
    # ResourceOwner is "an Amazon Web Services account ID" (its documentation): the ID alone names the owner too.
    assert decision(caller, "000000000000") == "implicitDeny"
    assert decision(caller, "111122223333") == "allowed"
    with pytest.raises(ClientError) as refused:
        decision(caller, "owner")
    assert (refused.value.response["Error"]["Code"], refused.value.response["Error"]["Message"]) == (
        "InvalidInput", "'owner' is not a valid as a Resource Owner.")
