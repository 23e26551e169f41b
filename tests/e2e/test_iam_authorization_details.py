"""GetAccountAuthorizationDetails, ListPolicies/ListEntitiesForPolicy filters and context-key listing end to end."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from test_iam_entities import ALLOW_ALL, TRUST_ACCOUNT, error_of

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
CONDITIONAL = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/${aws:username}/*",
    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "a"}, "Bool": {"aws:MultiFactorAuthPresent": "true"}}}]})


@pytest.fixture(scope="module")
def world(server):
    """A fresh account state: a user in a group, a role in an instance profile, a customer policy used both ways."""
    iam = server.client("iam")
    policy = iam.create_policy(PolicyName="details-policy", PolicyDocument=ALLOW_ALL, Path="/team/")["Policy"]
    iam.create_policy_version(PolicyArn=policy["Arn"], PolicyDocument=ALLOW_ALL, SetAsDefault=True)
    iam.create_group(GroupName="details-group")
    iam.attach_group_policy(GroupName="details-group", PolicyArn=READ_ONLY)
    iam.create_user(UserName="details-user", Path="/people/", PermissionsBoundary=policy["Arn"],
                    Tags=[{"Key": "team", "Value": "a"}])
    iam.add_user_to_group(GroupName="details-group", UserName="details-user")
    iam.put_user_policy(UserName="details-user", PolicyName="inline", PolicyDocument=CONDITIONAL)
    iam.attach_user_policy(UserName="details-user", PolicyArn=policy["Arn"])
    iam.create_role(RoleName="details-role", AssumeRolePolicyDocument=TRUST_ACCOUNT)
    iam.create_instance_profile(InstanceProfileName="details-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="details-profile", RoleName="details-role")
    iam.attach_role_policy(RoleName="details-role", PolicyArn=policy["Arn"])
    return {"policy_arn": policy["Arn"]}


def test_authorization_details_full_shape(server, world):
    details = server.client("iam").get_account_authorization_details()
    assert details["IsTruncated"] is False
    user = next(item for item in details["UserDetailList"] if item["UserName"] == "details-user")
    assert user["GroupList"] == ["details-group"] and user["Path"] == "/people/"
    assert user["UserPolicyList"] == [{"PolicyName": "inline", "PolicyDocument": json.loads(CONDITIONAL)}]
    assert user["AttachedManagedPolicies"] == [{"PolicyName": "details-policy", "PolicyArn": world["policy_arn"]}]
    assert user["PermissionsBoundary"]["PermissionsBoundaryArn"] == world["policy_arn"]
    assert user["Tags"] == [{"Key": "team", "Value": "a"}]
    group = next(item for item in details["GroupDetailList"] if item["GroupName"] == "details-group")
    assert group["AttachedManagedPolicies"] == [{"PolicyName": "ReadOnlyAccess", "PolicyArn": READ_ONLY}]
    role = next(item for item in details["RoleDetailList"] if item["RoleName"] == "details-role")
    assert role["AssumeRolePolicyDocument"] == json.loads(TRUST_ACCOUNT)
    assert [p["InstanceProfileName"] for p in role["InstanceProfileList"]] == ["details-profile"]
    policies = {item["Arn"]: item for item in details["Policies"]}
    local = policies[world["policy_arn"]]
    assert (local["AttachmentCount"], local["PermissionsBoundaryUsageCount"], local["DefaultVersionId"]) == (2, 1, "v2")
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in local["PolicyVersionList"]] == [("v2", True), ("v1", False)]
    assert local["PolicyVersionList"][0]["Document"] == json.loads(ALLOW_ALL)
    assert policies[READ_ONLY]["AttachmentCount"] == 1
    assert "arn:aws:iam::aws:policy/AdministratorAccess" not in policies  # only AWS policies in use


def test_authorization_details_filter_and_pages(server, world):
    iam = server.client("iam")
    only_roles = iam.get_account_authorization_details(Filter=["Role", "AWSManagedPolicy"])
    assert only_roles["UserDetailList"] == [] and only_roles["GroupDetailList"] == []
    assert [p["Arn"] for p in only_roles["Policies"]] == [READ_ONLY]
    seen, marker = [], None
    while True:
        page = iam.get_account_authorization_details(MaxItems=1, **({"Marker": marker} if marker else {}))
        items = page["UserDetailList"] + page["GroupDetailList"] + page["RoleDetailList"] + page["Policies"]
        assert len(items) <= 1
        seen += [item.get("Arn") for item in items]
        if not page["IsTruncated"]:
            break
        marker = page["Marker"]
    full = iam.get_account_authorization_details()
    everything = full["UserDetailList"] + full["GroupDetailList"] + full["RoleDetailList"] + full["Policies"]
    assert seen == [item["Arn"] for item in everything]
    cli = server.cli_json("iam", "get-account-authorization-details", "--filter", "User")
    assert [u["UserName"] for u in cli["UserDetailList"]] == ["details-user"]


def test_list_policies_usage_filters(server, world):
    iam = server.client("iam")
    attached = iam.list_policies(OnlyAttached=True, Scope="Local")["Policies"]
    assert [p["Arn"] for p in attached] == [world["policy_arn"]]
    boundaries = iam.list_policies(PolicyUsageFilter="PermissionsBoundary")["Policies"]
    assert [p["Arn"] for p in boundaries] == [world["policy_arn"]]
    aws_attached = iam.list_policies(Scope="AWS", OnlyAttached=True, PolicyUsageFilter="PermissionsPolicy")
    assert [p["Arn"] for p in aws_attached["Policies"]] == [READ_ONLY]
    assert iam.list_policies(Scope="Local", PathPrefix="/other/")["Policies"] == []


def test_list_entities_for_policy_filters(server, world):
    iam = server.client("iam")
    arn = world["policy_arn"]
    everything = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in everything["PolicyUsers"]] == ["details-user"]
    assert [r["RoleName"] for r in everything["PolicyRoles"]] == ["details-role"]
    bounded = iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsBoundary")
    assert ([u["UserName"] for u in bounded["PolicyUsers"]], bounded["PolicyRoles"]) == (["details-user"], [])
    by_path = iam.list_entities_for_policy(PolicyArn=arn, PathPrefix="/people/", PolicyUsageFilter="PermissionsPolicy")
    assert ([u["UserName"] for u in by_path["PolicyUsers"]], by_path["PolicyRoles"]) == (["details-user"], [])
    roles = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
    assert (roles["PolicyUsers"], [r["RoleName"] for r in roles["PolicyRoles"]]) == ([], ["details-role"])
    first = iam.list_entities_for_policy(PolicyArn=arn, MaxItems=1)
    second = iam.list_entities_for_policy(PolicyArn=arn, MaxItems=1, Marker=first["Marker"])
    assert first["IsTruncated"] and len(first["PolicyRoles"] + first["PolicyUsers"]) == 1
    assert len(second["PolicyRoles"] + second["PolicyUsers"]) == 1


def test_context_keys(server, world):
    iam = server.client("iam")
    custom = iam.get_context_keys_for_custom_policy(PolicyInputList=[CONDITIONAL])["ContextKeyNames"]
    assert sorted(custom) == ["aws:MultiFactorAuthPresent", "aws:PrincipalTag/team", "aws:username"]
    principal = iam.get_context_keys_for_principal_policy(
        PolicySourceArn="arn:aws:iam::000000000000:user/people/details-user")["ContextKeyNames"]
    # the user's groups attach the published ReadOnlyAccess, whose S3 Express statement is conditioned
    assert sorted(principal) == sorted(custom + ["s3express:SessionMode"])
    with pytest.raises(ClientError) as excinfo:
        iam.get_context_keys_for_custom_policy(PolicyInputList=["{"])
    assert error_of(excinfo)[:2] == ("InvalidInput", 400)
