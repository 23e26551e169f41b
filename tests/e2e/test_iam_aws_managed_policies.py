"""Every AWS managed policy AWS publishes is served: listed in pages, read, attached, and enforced (issue #13 B.3)."""

from __future__ import annotations

from harness import error_of, iam_user_key

SECURITY_AUDIT = "arn:aws:iam::aws:policy/SecurityAudit"
SUPPORT_ACCESS = "arn:aws:iam::aws:policy/AWSSupportAccess"
SERVICE_ROLE = "arn:aws:iam::aws:policy/service-role/AWSConfigRole"


def test_all_published_policies_are_listed_in_sorted_pages(server):
    iam = server.client("iam")
    pages = iam.get_paginator("list_policies").paginate(Scope="AWS", PaginationConfig={"PageSize": 200})
    policies = [policy for page in pages for policy in page["Policies"]]
    names = [policy["PolicyName"] for policy in policies]
    assert len(names) >= 1560 and len(set(names)) == len(names)
    assert names == sorted(names, key=str.lower)
    assert {"SecurityAudit", "AWSSupportAccess", "ReadOnlyAccess", "AdministratorAccess",
            "IAMAuditRootUserCredentials"} <= set(names)
    by_arn = {policy["Arn"]: policy for policy in policies}
    assert by_arn[SERVICE_ROLE]["Path"] == "/service-role/"
    assert by_arn[SECURITY_AUDIT]["PolicyId"].startswith("ANPA") and len(by_arn[SECURITY_AUDIT]["PolicyId"]) == 21


def test_path_prefix_selects_service_role_policies(server):
    iam = server.client("iam")
    policies = iam.list_policies(Scope="AWS", PathPrefix="/service-role/", MaxItems=1000)["Policies"]
    assert policies and all(policy["Path"] == "/service-role/" for policy in policies)
    assert SERVICE_ROLE in {policy["Arn"] for policy in policies}


def test_published_policy_reads_as_on_aws(server):
    iam = server.client("iam")
    policy = iam.get_policy(PolicyArn=SUPPORT_ACCESS)["Policy"]
    assert policy["PolicyName"] == "AWSSupportAccess" and policy["IsAttachable"] is True
    version = iam.get_policy_version(PolicyArn=SUPPORT_ACCESS, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    assert version["IsDefaultVersion"] is True
    assert "support:*" in version["Document"]["Statement"][0]["Action"]
    read_only = iam.get_policy_version(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess",
                                       VersionId=iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
                                       ["Policy"]["DefaultVersionId"])["PolicyVersion"]["Document"]
    actions = {action for statement in read_only["Statement"] for action in statement["Action"]}
    assert "ec2:Describe*" in actions  # the whole published document, not a trimmed one


def test_security_audit_attached_is_enforced_and_listed(server, unique):
    iam = server.client("iam")
    name = f"auditor-{unique}"
    key = iam_user_key(server, name, SECURITY_AUDIT)
    auditor = server.client("iam", access_key=key["AccessKeyId"], secret_key=key["SecretAccessKey"])
    assert any(user["UserName"] == name for user in auditor.list_users(MaxItems=1000)["Users"])
    assert auditor.get_account_summary()["SummaryMap"]
    code, message, status = error_of(auditor.create_user, UserName=f"x-{unique}")
    assert (code, status) == ("AccessDenied", 403)
    assert f"user/{name} is not authorized to perform: iam:CreateUser" in message
    entities = iam.list_entities_for_policy(PolicyArn=SECURITY_AUDIT)["PolicyUsers"]
    assert [user["UserName"] for user in entities] == [name]
    assert iam.get_policy(PolicyArn=SECURITY_AUDIT)["Policy"]["AttachmentCount"] == 1
    attached = iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]
    assert [policy["Arn"] for policy in attached] == [SECURITY_AUDIT]


def test_unknown_aws_policy_is_no_such_entity(server, unique):
    iam = server.client("iam")
    iam.create_user(UserName=f"u-{unique}")
    arn = "arn:aws:iam::aws:policy/NoSuchPolicyEver"
    assert error_of(iam.attach_user_policy, UserName=f"u-{unique}", PolicyArn=arn) == (
        "NoSuchEntity", f"Policy {arn} does not exist or is not attachable.", 404)


def test_an_unknown_permissions_boundary_is_a_scope_arn_that_does_not_exist(server, unique):
    """IAM calls a permissions boundary the "Scope ARN" when it names no policy (AWS's answer, as rosa and SAM
    deployments log it), on CreateUser, CreateRole and Put{User,Role}PermissionsBoundary."""
    iam = server.client("iam")
    arn = "arn:aws:iam::000000000000:policy/no-such-boundary"
    expected = ("NoSuchEntity", f"Scope ARN: {arn} does not exist or is not attachable.", 404)
    assert error_of(iam.create_user, UserName=f"b-{unique}", PermissionsBoundary=arn) == expected
    trust = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},'
             '"Action":"sts:AssumeRole"}]}')
    assert error_of(iam.create_role, RoleName=f"b-{unique}", AssumeRolePolicyDocument=trust,
                    PermissionsBoundary=arn) == expected
    iam.create_user(UserName=f"b-{unique}")
    assert error_of(iam.put_user_permissions_boundary, UserName=f"b-{unique}", PermissionsBoundary=arn) == expected
    iam.delete_user(UserName=f"b-{unique}")
