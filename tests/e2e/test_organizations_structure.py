"""Organizations: the organization, OUs, accounts, policies and their errors, driven through boto3 and the CLI."""

from __future__ import annotations

import json

import pytest

from harness import BOOT_ACCOUNT
from orgs_helpers import admin_key, assume_access_role, create_member, error_of, policy_text


@pytest.fixture(scope="module")
def org(server):
    """The bootstrap account creates an organization with all features (through the AWS CLI)."""
    created = server.cli_json("organizations", "create-organization", "--feature-set", "ALL")["Organization"]
    return created


def test_create_and_describe_organization(server, org):
    orgs = server.client("organizations")
    assert org["Id"].startswith("o-") and org["MasterAccountId"] == BOOT_ACCOUNT
    assert org["Arn"] == f"arn:aws:organizations::{BOOT_ACCOUNT}:organization/{org['Id']}"
    assert org["FeatureSet"] == "ALL"
    described = orgs.describe_organization()["Organization"]
    assert described["Id"] == org["Id"] and described["MasterAccountEmail"] == "root@example.com"
    error = error_of(orgs.create_organization)
    assert error["Code"] == "AlreadyInOrganizationException" and error["Status"] == 400


def test_root_has_scps_enabled_with_full_access(server, org):
    orgs = server.client("organizations")
    root = orgs.list_roots()["Roots"][0]
    assert root["Id"].startswith("r-") and root["Name"] == "Root"
    assert root["Arn"] == f"arn:aws:organizations::{BOOT_ACCOUNT}:root/{org['Id']}/{root['Id']}"
    assert root["PolicyTypes"] == [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]
    attached = orgs.list_policies_for_target(TargetId=root["Id"], Filter="SERVICE_CONTROL_POLICY")["Policies"]
    assert [p["Id"] for p in attached] == ["p-FullAWSAccess"] and attached[0]["AwsManaged"] is True


def test_ous_nest_five_levels(server, org):
    orgs = server.client("organizations")
    parent = orgs.list_roots()["Roots"][0]["Id"]
    chain = []
    for level in range(5):
        ou = orgs.create_organizational_unit(ParentId=parent, Name=f"level-{level}")["OrganizationalUnit"]
        assert ou["Id"].startswith("ou-" + parent.split("-")[1] if level == 0 else "ou-")
        chain.append(ou["Id"])
        parent = ou["Id"]
    error = error_of(orgs.create_organizational_unit, ParentId=parent, Name="too-deep")
    assert error["Code"] == "ConstraintViolationException" and error["Reason"] == "OU_DEPTH_LIMIT_EXCEEDED"
    assert orgs.list_parents(ChildId=chain[-1])["Parents"] == [{"Id": chain[-2], "Type": "ORGANIZATIONAL_UNIT"}]
    children = orgs.list_children(ParentId=chain[0], ChildType="ORGANIZATIONAL_UNIT")["Children"]
    assert children == [{"Id": chain[1], "Type": "ORGANIZATIONAL_UNIT"}]
    error = error_of(orgs.create_organizational_unit, ParentId=chain[0], Name="level-1")
    assert error["Code"] == "DuplicateOrganizationalUnitException"
    error = error_of(orgs.delete_organizational_unit, OrganizationalUnitId=chain[3])
    assert error["Code"] == "OrganizationalUnitNotEmptyException"
    renamed = orgs.update_organizational_unit(OrganizationalUnitId=chain[4], Name="leaf")["OrganizationalUnit"]
    assert renamed["Name"] == "leaf" and renamed["Path"].endswith(f"/{chain[4]}/")
    orgs.delete_organizational_unit(OrganizationalUnitId=chain[4])
    error = error_of(orgs.describe_organizational_unit, OrganizationalUnitId=chain[4])
    assert error["Code"] == "OrganizationalUnitNotFoundException"


def test_create_account_is_asynchronous_and_real(server, org):
    orgs = server.client("organizations")
    account_id = create_member(orgs, "member-one")
    account = orgs.describe_account(AccountId=account_id)["Account"]
    assert account["Status"] == "ACTIVE" and account["State"] == "ACTIVE" and account["JoinedMethod"] == "CREATED"
    assert account["Arn"] == f"arn:aws:organizations::{BOOT_ACCOUNT}:account/{org['Id']}/{account_id}"
    assert len(account_id) == 12 and account_id.isdigit()
    email = account["Email"]
    failed = orgs.create_account(Email=email.upper(), AccountName="dup")["CreateAccountStatus"]
    server.advance_clock(2)
    failed = orgs.describe_create_account_status(CreateAccountRequestId=failed["Id"])["CreateAccountStatus"]
    assert failed["State"] == "FAILED" and failed["FailureReason"] == "EMAIL_ALREADY_EXISTS"
    listed = orgs.list_create_account_status(States=["FAILED"])["CreateAccountStatuses"]
    assert [s["Id"] for s in listed] == [failed["Id"]]
    error = error_of(orgs.describe_create_account_status, CreateAccountRequestId="car-" + "a" * 32)
    assert error["Code"] == "CreateAccountStatusNotFoundException"


def test_member_role_is_assumable_and_scp_inherits_full_access(server, org):
    orgs = server.client("organizations")
    account_id = create_member(orgs, "member-role")
    policies = orgs.list_policies_for_target(TargetId=account_id, Filter="SERVICE_CONTROL_POLICY")["Policies"]
    assert [p["Id"] for p in policies] == ["p-FullAWSAccess"]
    credentials = assume_access_role(server, admin_key(server), account_id)
    identity = server.client_for(credentials, "sts").get_caller_identity()
    assert identity["Account"] == account_id


def test_list_accounts_pages_and_move(server, org):
    orgs = server.client("organizations")
    create_member(orgs, "member-page")
    seen, token = [], None
    while True:
        page = orgs.list_accounts(MaxResults=1, **({"NextToken": token} if token else {}))
        assert len(page["Accounts"]) <= 1
        seen += [a["Id"] for a in page["Accounts"]]
        token = page.get("NextToken")
        if not token:
            break
    assert BOOT_ACCOUNT in seen and len(seen) == len(set(seen)) >= 3
    everything = server.cli_json("organizations", "list-accounts")["Accounts"]
    assert sorted(a["Id"] for a in everything) == sorted(seen)
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    ou = orgs.create_organizational_unit(ParentId=root_id, Name="moved-here")["OrganizationalUnit"]
    member = next(i for i in seen if i != BOOT_ACCOUNT)
    orgs.move_account(AccountId=member, SourceParentId=root_id, DestinationParentId=ou["Id"])
    assert [a["Id"] for a in orgs.list_accounts_for_parent(ParentId=ou["Id"])["Accounts"]] == [member]
    assert orgs.list_parents(ChildId=member)["Parents"] == [{"Id": ou["Id"], "Type": "ORGANIZATIONAL_UNIT"}]
    error = error_of(orgs.move_account, AccountId=member, SourceParentId=root_id, DestinationParentId=ou["Id"])
    assert error["Code"] == "AccountNotFoundException"
    error = error_of(orgs.list_accounts, NextToken="garbage")
    assert error["Code"] == "InvalidInputException" and error["Reason"] == "INVALID_NEXT_TOKEN"


def test_policy_lifecycle_and_errors(server, org):
    orgs = server.client("organizations")
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    content = policy_text({"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"})
    created = orgs.create_policy(Content=content, Description="no deletes", Name="NoDeletes",
                                 Type="SERVICE_CONTROL_POLICY")["Policy"]
    summary = created["PolicySummary"]
    assert summary["Arn"] == (f"arn:aws:organizations::{BOOT_ACCOUNT}:policy/{org['Id']}/service_control_policy/"
                              f"{summary['Id']}")
    assert error_of(orgs.create_policy, Content=content, Description="", Name="NoDeletes",
                    Type="SERVICE_CONTROL_POLICY")["Code"] == "DuplicatePolicyException"
    bad = error_of(orgs.create_policy, Content='{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}',
                   Description="", Name="Bad", Type="SERVICE_CONTROL_POLICY")
    assert bad["Code"] == "MalformedPolicyDocumentException"
    big = policy_text(*[{"Effect": "Deny", "Action": f"s3:Get{i}", "Resource": "*"} for i in range(200)])
    error = error_of(orgs.create_policy, Content=big, Description="", Name="Big", Type="SERVICE_CONTROL_POLICY")
    assert error["Code"] == "ConstraintViolationException" and error["Reason"] == "POLICY_CONTENT_LIMIT_EXCEEDED"
    orgs.attach_policy(PolicyId=summary["Id"], TargetId=root_id)
    assert error_of(orgs.attach_policy, PolicyId=summary["Id"], TargetId=root_id)["Code"] == \
        "DuplicatePolicyAttachmentException"
    targets = orgs.list_targets_for_policy(PolicyId=summary["Id"])["Targets"]
    assert targets == [{"TargetId": root_id, "Arn": f"arn:aws:organizations::{BOOT_ACCOUNT}:root/{org['Id']}/{root_id}",
                        "Name": "Root", "Type": "ROOT"}]
    assert error_of(orgs.delete_policy, PolicyId=summary["Id"])["Code"] == "PolicyInUseException"
    error = error_of(orgs.update_policy, PolicyId="p-FullAWSAccess", Name="Mine")
    assert error["Code"] == "InvalidInputException" and error["Reason"] == "IMMUTABLE_POLICY"
    orgs.detach_policy(PolicyId=summary["Id"], TargetId=root_id)
    error = error_of(orgs.detach_policy, PolicyId="p-FullAWSAccess", TargetId=root_id)
    assert error["Code"] == "ConstraintViolationException" and error["Reason"] == "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
    updated = orgs.update_policy(PolicyId=summary["Id"], Description="changed")["Policy"]
    assert updated["PolicySummary"]["Description"] == "changed" and json.loads(updated["Content"])
    listed = [p["Id"] for p in orgs.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]]
    assert "p-FullAWSAccess" in listed and summary["Id"] in listed
    orgs.delete_policy(PolicyId=summary["Id"])
    assert error_of(orgs.describe_policy, PolicyId=summary["Id"])["Code"] == "PolicyNotFoundException"


def test_rcp_type_enable_disable(server, org):
    orgs = server.client("organizations")
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    root = orgs.enable_policy_type(RootId=root_id, PolicyType="RESOURCE_CONTROL_POLICY")["Root"]
    assert {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"} in root["PolicyTypes"]
    assert error_of(orgs.enable_policy_type, RootId=root_id, PolicyType="RESOURCE_CONTROL_POLICY")["Code"] == \
        "PolicyTypeAlreadyEnabledException"
    attached = orgs.list_policies_for_target(TargetId=BOOT_ACCOUNT, Filter="RESOURCE_CONTROL_POLICY")["Policies"]
    assert [p["Id"] for p in attached] == ["p-RCPFullAWSAccess"]
    allow = policy_text({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"})
    error = error_of(orgs.create_policy, Content=allow, Description="", Name="RcpAllow", Type="RESOURCE_CONTROL_POLICY")
    assert error["Code"] == "MalformedPolicyDocumentException"
    orgs.disable_policy_type(RootId=root_id, PolicyType="RESOURCE_CONTROL_POLICY")
    assert error_of(orgs.disable_policy_type, RootId=root_id, PolicyType="RESOURCE_CONTROL_POLICY")["Code"] == \
        "PolicyTypeNotEnabledException"
    assert error_of(orgs.enable_policy_type, RootId="r-zzzz", PolicyType="TAG_POLICY")["Code"] == "RootNotFoundException"


def test_trusted_access_and_delegated_admins(server, org):
    orgs = server.client("organizations")
    member = create_member(orgs, "delegate")
    error = error_of(orgs.register_delegated_administrator, AccountId=member, ServicePrincipal="iam.amazonaws.com")
    assert error["Code"] == "ConstraintViolationException" and error["Reason"] == "SERVICE_ACCESS_NOT_ENABLED"
    server.cli("organizations", "enable-aws-service-access", "--service-principal", "iam.amazonaws.com")
    enabled = orgs.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert [e["ServicePrincipal"] for e in enabled] == ["iam.amazonaws.com"]
    error = error_of(orgs.enable_aws_service_access, ServicePrincipal="nope.amazonaws.com")
    assert error["Code"] == "InvalidInputException" and error["Reason"] == "UNRECOGNIZED_SERVICE_PRINCIPAL"
    error = error_of(orgs.register_delegated_administrator, AccountId=BOOT_ACCOUNT, ServicePrincipal="iam.amazonaws.com")
    assert error["Reason"] == "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR"
    orgs.register_delegated_administrator(AccountId=member, ServicePrincipal="iam.amazonaws.com")
    assert error_of(orgs.register_delegated_administrator, AccountId=member,
                    ServicePrincipal="iam.amazonaws.com")["Code"] == "AccountAlreadyRegisteredException"
    admins = orgs.list_delegated_administrators(ServicePrincipal="iam.amazonaws.com")["DelegatedAdministrators"]
    assert [a["Id"] for a in admins] == [member] and "DelegationEnabledDate" in admins[0]
    services = orgs.list_delegated_services_for_account(AccountId=member)["DelegatedServices"]
    assert [s["ServicePrincipal"] for s in services] == ["iam.amazonaws.com"]
    error = error_of(orgs.disable_aws_service_access, ServicePrincipal="iam.amazonaws.com")
    assert error["Reason"] == "DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE"
    assert error["Message"] == ("You have delegated administrator/s for this service. De-register them in order to "
                                "disable service access.")
    error = error_of(orgs.remove_account_from_organization, AccountId=member)
    assert error["Reason"] == "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG"
    orgs.deregister_delegated_administrator(AccountId=member, ServicePrincipal="iam.amazonaws.com")
    assert error_of(orgs.list_delegated_services_for_account, AccountId=member)["Code"] == \
        "AccountNotRegisteredException"
    orgs.disable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    assert orgs.list_aws_service_access_for_organization()["EnabledServicePrincipals"] == []


def test_member_cannot_manage_and_standalone_is_not_in_use(server, org):
    orgs = server.client("organizations")
    member = create_member(orgs, "plain-member")
    member_orgs = server.client_for(assume_access_role(server, admin_key(server), member), "organizations")
    assert member_orgs.describe_organization()["Organization"]["Id"] == org["Id"]
    error = error_of(member_orgs.list_accounts)
    assert error["Code"] == "AccessDeniedException" and error["Status"] == 400
    assert error_of(member_orgs.create_account, Email="x@example.com", AccountName="x")["Code"] == "AccessDeniedException"
    error = error_of(member_orgs.leave_organization)
    assert error["Code"] == "ConstraintViolationException" and error["Reason"] == "WAIT_PERIOD_ACTIVE"
