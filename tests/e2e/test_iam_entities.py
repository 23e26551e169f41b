"""IAM entities end to end: users, groups, roles, managed/inline policies, pagination, errors."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
TRUST_ACCOUNT = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": "sts:AssumeRole"}]})


def error_of(excinfo) -> tuple[str, int, str]:
    err = excinfo.value.response
    return err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"], err["Error"]["Message"]


def test_user_lifecycle(server, unique):
    iam = server.client("iam")
    name = f"alice-{unique}"
    user = iam.create_user(UserName=name, Path="/team/", Tags=[{"Key": "dept", "Value": "eng"}])["User"]
    assert user["Arn"] == f"arn:aws:iam::000000000000:user/team/{name}"
    assert user["UserId"].startswith("AIDA") and len(user["UserId"]) == 21
    with pytest.raises(ClientError) as excinfo:
        iam.create_user(UserName=name.upper())
    assert error_of(excinfo) == ("EntityAlreadyExists", 409, f"User with name {name.upper()} already exists.")
    got = iam.get_user(UserName=name)["User"]
    assert got["Tags"] == [{"Key": "dept", "Value": "eng"}] and got["Path"] == "/team/"
    iam.update_user(UserName=name, NewUserName=f"{name}-2")
    iam.delete_user(UserName=f"{name}-2")
    with pytest.raises(ClientError) as excinfo:
        iam.get_user(UserName=name)
    assert error_of(excinfo) == ("NoSuchEntity", 404, f"The user with name {name} cannot be found.")


def test_list_users_paginates_with_marker(server, unique):
    iam = server.client("iam")
    names = [f"page-{unique}-{i:02d}" for i in range(7)]
    for name in names:
        iam.create_user(UserName=name, Path=f"/p{unique}/")
    seen, marker = [], None
    while True:
        kwargs = {"PathPrefix": f"/p{unique}/", "MaxItems": 3, **({"Marker": marker} if marker else {})}
        page = iam.list_users(**kwargs)
        seen += [u["UserName"] for u in page["Users"]]
        if not page["IsTruncated"]:
            break
        marker = page["Marker"]
    assert seen == names
    paginated = [u["UserName"] for p in iam.get_paginator("list_users").paginate(PathPrefix=f"/p{unique}/",
                                                                                PaginationConfig={"PageSize": 2})
                 for u in p["Users"]]
    assert paginated == names


def test_groups_and_membership(server, unique):
    iam = server.client("iam")
    iam.create_user(UserName=f"gu-{unique}")
    iam.create_group(GroupName=f"g-{unique}")
    iam.add_user_to_group(GroupName=f"g-{unique}", UserName=f"gu-{unique}")
    group = iam.get_group(GroupName=f"g-{unique}")
    assert [u["UserName"] for u in group["Users"]] == [f"gu-{unique}"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=f"gu-{unique}")["Groups"]] == [f"g-{unique}"]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_group(GroupName=f"g-{unique}")
    assert error_of(excinfo)[:2] == ("DeleteConflict", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName=f"gu-{unique}")
    assert error_of(excinfo)[:2] == ("DeleteConflict", 409)
    iam.remove_user_from_group(GroupName=f"g-{unique}", UserName=f"gu-{unique}")
    iam.delete_group(GroupName=f"g-{unique}")
    iam.delete_user(UserName=f"gu-{unique}")


def test_role_with_trust_policy_and_policies(server, unique):
    iam = server.client("iam")
    name = f"role-{unique}"
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_ACCOUNT, MaxSessionDuration=7200,
                           Description="test")["Role"]
    assert role["RoleId"].startswith("AROA")
    got = iam.get_role(RoleName=name)["Role"]
    assert got["AssumeRolePolicyDocument"] == json.loads(TRUST_ACCOUNT)
    assert got["MaxSessionDuration"] == 7200
    iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=ALLOW_ALL)
    assert iam.get_role_policy(RoleName=name, PolicyName="inline")["PolicyDocument"] == json.loads(ALLOW_ALL)
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert attached == [{"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]
    with pytest.raises(ClientError) as excinfo:
        iam.delete_role(RoleName=name)
    assert error_of(excinfo)[:2] == ("DeleteConflict", 409)
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName=f"bad-{unique}", AssumeRolePolicyDocument=ALLOW_ALL)
    assert error_of(excinfo) == ("MalformedPolicyDocument", 400, "Missing required field Principal")
    with pytest.raises(ClientError) as excinfo:
        iam.attach_role_policy(RoleName=name,
                               PolicyArn="arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")
    assert error_of(excinfo)[:2] == ("PolicyNotAttachable", 400)


def test_a_service_role_policy_is_not_attachable_to_a_customer_role(server, unique):
    """An AWS managed policy under /aws-service-role/ belongs to its service's service-linked role: AttachRolePolicy
    on a customer role is PolicyNotAttachable, 400, "Cannot attach a Service Role Policy to a Customer Role." (IAM API
    reference, PolicyNotAttachable: "service role policies can only be attached to the service-linked role for that
    service"; the message AWS answers, recorded in aws/aws-cdk#6131)."""
    iam = server.client("iam")
    name = f"customer-{unique}"
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_ACCOUNT)
    arn = "arn:aws:iam::aws:policy/aws-service-role/AccessAnalyzerServiceRolePolicy"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Path"] == "/aws-service-role/"
    with pytest.raises(ClientError) as excinfo:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    assert error_of(excinfo) == ("PolicyNotAttachable", 400, "Cannot attach a Service Role Policy to a Customer Role.")
    assert iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"] == []
    iam.delete_role(RoleName=name)


@pytest.mark.parametrize("arn", [
    "arn:aws:iam::aws:policy/arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess",
    "arn:aws:iam:aws:policy/AdministratorAccess",
    "arn:aws:iam:us-east-1:aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/ReadOnlyAccess ",
])
def test_a_malformed_policy_arn_is_invalid_input(server, unique, arn):
    """A policy ARN that is not an IAM ARN (service iam, no region, an account or "aws", a resource path and name,
    no trailing space) is InvalidInput, 400, "ARN <arn> is not valid.", as IAM answers AttachRolePolicy and
    AttachGroupPolicy (recorded in aws-samples/aws-cdk-examples#287, davidtucker/ps-serverless-app#19 and
    landing-zone-accelerator-on-aws#1019); a well-formed ARN of no policy stays NoSuchEntity."""
    iam = server.client("iam")
    name = f"arn-{unique}"
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_ACCOUNT)
    iam.create_group(GroupName=name)
    for call, params in ((iam.attach_role_policy, {"RoleName": name}), (iam.attach_group_policy, {"GroupName": name}),
                         (iam.get_policy, {}), (iam.list_policy_versions, {})):
        with pytest.raises(ClientError) as excinfo:
            call(PolicyArn=arn, **params)
        assert error_of(excinfo) == ("InvalidInput", 400, f"ARN {arn} is not valid.")
    with pytest.raises(ClientError) as excinfo:
        iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicy")
    assert error_of(excinfo) == (
        "NoSuchEntity", 404, "Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.")
    iam.delete_group(GroupName=name)
    iam.delete_role(RoleName=name)


def test_managed_policy_versions(server, unique):
    iam = server.client("iam")
    arn = iam.create_policy(PolicyName=f"pol-{unique}", PolicyDocument=ALLOW_ALL)["Policy"]["Arn"]
    assert arn == f"arn:aws:iam::000000000000:policy/pol-{unique}"
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=ALLOW_ALL, SetAsDefault=True)
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=ALLOW_ALL)
    assert error_of(excinfo)[:2] == ("LimitExceeded", 409)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v5"
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
    with pytest.raises(ClientError) as excinfo:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    assert error_of(excinfo)[:2] == ("DeleteConflict", 409)
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert version["IsDefaultVersion"] and version["Document"] == json.loads(ALLOW_ALL)
    iam.create_user(UserName=f"pu-{unique}")
    iam.attach_user_policy(UserName=f"pu-{unique}", PolicyArn=arn)
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in entities["PolicyUsers"]] == [f"pu-{unique}"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy(PolicyName=f"bad-{unique}", PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3","Resource":"*"}]}')
    assert error_of(excinfo)[:2] == ("MalformedPolicyDocument", 400)


def test_policy_update_date_is_its_newest_version_creation(server, unique):
    """A policy's UpdateDate is its creation date while it has one version, then "the date and time when the most
    recent policy version was created" (IAM API reference, Policy and ManagedPolicyDetail): a version that is not
    made the default counts, choosing another default version does not."""
    iam = server.client("iam")
    created = iam.create_policy(PolicyName=f"dated-{unique}", PolicyDocument=ALLOW_ALL)["Policy"]
    arn = created["Arn"]
    assert created["UpdateDate"] == created["CreateDate"]
    server.advance_clock(5)
    newest = iam.create_policy_version(PolicyArn=arn, PolicyDocument=ALLOW_ALL)["PolicyVersion"]
    assert newest["CreateDate"] > created["CreateDate"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["UpdateDate"] == newest["CreateDate"]
    server.advance_clock(5)
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["UpdateDate"] == newest["CreateDate"]
    details = iam.get_account_authorization_details(Filter=["LocalManagedPolicy"])["Policies"]
    assert [policy["UpdateDate"] for policy in details if policy["Arn"] == arn] == [newest["CreateDate"]]
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    iam.delete_policy(PolicyArn=arn)


def test_an_arn_with_no_valid_account_fails_legacy_parsing(server, unique):
    """IAM's ARN parser refuses a resource ARN whose account is not one, or that has five parts:
    MalformedPolicyDocument "The policy failed legacy parsing" (CreatePolicy in aws-samples/torchserve-eks#3,
    PutRolePolicy in Graylog2/graylog-plugin-aws#172)."""
    iam = server.client("iam")
    template = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:*"], "Resource": [
        "arn:aws:iam::{$ACCOUNT}:instance-profile/eksctl-*", "arn:aws:iam::{$ACCOUNT}:role/eksctl-*"]}]})
    with pytest.raises(ClientError) as excinfo:
        iam.create_policy(PolicyName=f"legacy-{unique}", PolicyDocument=template)
    assert error_of(excinfo) == ("MalformedPolicyDocument", 400, "The policy failed legacy parsing")
    iam.create_role(RoleName=f"legacy-{unique}", AssumeRolePolicyDocument=TRUST_ACCOUNT)
    five_parts = json.dumps({"Statement": [{"Effect": "Allow", "Action": "iam:PassRole",
                                            "Resource": "arn:aws:iam:791234567834:user/deployer"}]})
    with pytest.raises(ClientError) as excinfo:
        iam.put_role_policy(RoleName=f"legacy-{unique}", PolicyName="pass", PolicyDocument=five_parts)
    assert error_of(excinfo) == ("MalformedPolicyDocument", 400, "The policy failed legacy parsing")
    iam.put_role_policy(RoleName=f"legacy-{unique}", PolicyName="pass", PolicyDocument=five_parts.replace(
        "iam:791234567834:", "iam::791234567834:"))
    iam.delete_role_policy(RoleName=f"legacy-{unique}", PolicyName="pass")
    iam.delete_role(RoleName=f"legacy-{unique}")


def test_a_service_principal_naming_no_service_is_invalid(server, unique):
    """A trust policy's service principal must name a service ("<service>.amazonaws.com"): CreateRole with
    "amazonaws.com" is MalformedPolicyDocument 'Invalid principal in policy: "SERVICE":"amazonaws.com"' (AWS's answer
    recorded in aws-samples/aws-cdk-examples#801 and hashicorp/terraform#35086)."""
    iam = server.client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "Service": "amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName=f"nosvc-{unique}", AssumeRolePolicyDocument=trust)
    assert error_of(excinfo) == ("MalformedPolicyDocument", 400,
                                 'Invalid principal in policy: "SERVICE":"amazonaws.com"')
    iam.create_role(RoleName=f"nosvc-{unique}", AssumeRolePolicyDocument=trust.replace('"amazonaws', '"ec2.amazonaws'))
    with pytest.raises(ClientError) as excinfo:
        iam.update_assume_role_policy(RoleName=f"nosvc-{unique}", PolicyDocument=trust)
    assert error_of(excinfo)[2] == 'Invalid principal in policy: "SERVICE":"amazonaws.com"'
    iam.delete_role(RoleName=f"nosvc-{unique}")


def test_a_bad_path_or_name_is_worded_as_iam_words_it(server, unique):
    """IAM checks paths and names itself: CreateRole with Path "/root" and ListPolicies with PathPrefix "/foo" are
    ValidationError, 400, with IAM's wording (aws-cloudformation/cfn-lint#3020, aws/aws-cli#5860)."""
    iam = server.client("iam")
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName=f"path-{unique}", AssumeRolePolicyDocument=TRUST_ACCOUNT, Path="/root")
    assert error_of(excinfo) == ("ValidationError", 400, "The specified value for path is invalid. It must begin and "
                                 "end with / and contain only alphanumeric characters and/or / characters.")
    with pytest.raises(ClientError) as excinfo:
        iam.list_policies(PathPrefix="/foo")
    assert error_of(excinfo) == ("ValidationError", 400, "The specified value for pathPrefix is invalid. It must "
                                 "begin with the / character and contain only alphanumeric characters and/or / "
                                 "characters.")
    with pytest.raises(ClientError) as excinfo:  # names too (aws-amplify/amplify-cli#9120)
        iam.create_role(RoleName=f"my role {unique}", AssumeRolePolicyDocument=TRUST_ACCOUNT)
    assert error_of(excinfo) == ("ValidationError", 400, "The specified value for roleName is invalid. It must "
                                 "contain only alphanumeric characters and/or the following: +=,.@_-")


def test_aws_managed_policies_are_listed(server):
    iam = server.client("iam")
    pages = iam.get_paginator("list_policies").paginate(Scope="AWS")
    names = {p["PolicyName"] for page in pages for p in page["Policies"]}
    assert {"AdministratorAccess", "IAMAuditRootUserCredentials", "AmazonSQSFullAccess"} <= names
    task = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")["Policy"]
    assert task["Path"] == "/root-task/" and task["IsAttachable"] is True
    version = iam.get_policy_version(PolicyArn=task["Arn"], VersionId="v1")["PolicyVersion"]
    assert version["Document"]["Statement"][0]["Sid"] == "DenyAllOtherActionsOnAnyResource"


def test_cli_lists_users(server, unique):
    server.client("iam").create_user(UserName=f"cli-{unique}")
    out = server.cli_json("iam", "list-users")
    assert f"cli-{unique}" in [u["UserName"] for u in out["Users"]]


def test_a_trust_policy_names_no_resource(server, unique):
    """A role's trust policy with Resource is MalformedPolicyDocument "Has prohibited field Resource", on CreateRole
    and UpdateAssumeRolePolicy (AWS's answer, as the AWS CLI shows it)."""
    iam = server.client("iam")
    allow = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": "sts:AssumeRole"}
    trust = json.dumps({"Version": "2012-10-17", "Statement": [allow]})
    with_resource = json.dumps({"Version": "2012-10-17", "Statement": [{**allow, "Resource": "*"}]})
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName=f"t-{unique}", AssumeRolePolicyDocument=with_resource)
    assert error_of(excinfo) == ("MalformedPolicyDocument", 400, "Has prohibited field Resource")
    iam.create_role(RoleName=f"t-{unique}", AssumeRolePolicyDocument=trust)
    with pytest.raises(ClientError) as excinfo:
        iam.update_assume_role_policy(RoleName=f"t-{unique}", PolicyDocument=with_resource)
    assert error_of(excinfo)[0] == "MalformedPolicyDocument"
    iam.delete_role(RoleName=f"t-{unique}")


def test_a_trust_policy_names_existing_users_and_roles(server, unique):
    """A trust policy naming a user or role that does not exist is MalformedPolicyDocument 'Invalid principal in
    policy: "AWS":"<arn>"' on CreateRole and UpdateAssumeRolePolicy (AWS answers so for nonexistent principals, as
    its console shows it); account roots, services and accounts this server does not hold stay valid."""
    iam = server.client("iam")
    iam.create_user(UserName=f"truster-{unique}")

    def trust(principal: dict) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]})

    nobody = f"arn:aws:iam::000000000000:user/nobody-{unique}"
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName=f"n-{unique}", AssumeRolePolicyDocument=trust({"AWS": nobody}))
    assert error_of(excinfo) == ("MalformedPolicyDocument", 400, f'Invalid principal in policy: "AWS":"{nobody}"')
    # the role being created does not exist yet either
    itself = f"arn:aws:iam::000000000000:role/n-{unique}"
    with pytest.raises(ClientError) as excinfo:
        iam.create_role(RoleName=f"n-{unique}", AssumeRolePolicyDocument=trust({"AWS": [itself]}))
    assert error_of(excinfo) == ("MalformedPolicyDocument", 400, f'Invalid principal in policy: "AWS":"{itself}"')
    iam.create_role(RoleName=f"n-{unique}", AssumeRolePolicyDocument=trust(
        {"AWS": [f"arn:aws:iam::000000000000:user/truster-{unique}", "arn:aws:iam::111122223333:role/far"]}))
    for principal in ({"AWS": itself}, {"AWS": "000000000000"}, {"Service": "ec2.amazonaws.com"}):
        iam.update_assume_role_policy(RoleName=f"n-{unique}", PolicyDocument=trust(principal))
    with pytest.raises(ClientError) as excinfo:
        iam.update_assume_role_policy(RoleName=f"n-{unique}", PolicyDocument=trust({"AWS": nobody}))
    assert error_of(excinfo) == ("MalformedPolicyDocument", 400, f'Invalid principal in policy: "AWS":"{nobody}"')
    iam.delete_role(RoleName=f"n-{unique}")
