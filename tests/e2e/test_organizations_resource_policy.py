"""Organizations' resource-based delegation policy (Organizations User Guide, "Delegated administrator for AWS
Organizations", "Resource-based policy examples for AWS Organizations"; API PutResourcePolicy,
DescribeResourcePolicy, DeleteResourcePolicy): the management account writes it, and the member accounts it names
may then call the read-only and policy-management actions it lists, when their own policies allow them too."""

from __future__ import annotations

import json
import re

import pytest

from orgs_helpers import admin_key, all_features_organization, assume_access_role, error_of, policy_text

DENIED = "You don't have permissions to access this resource."


@pytest.fixture(scope="module")
def org(server):
    built = all_features_organization(server, "rp", 2)
    return {"id": built["id"], "members": built["members"],
            "clients": [server.client_for(assume_access_role(server, built["admin"], m, "rp"), "organizations")
                        for m in built["members"]]}


def _delegation(member: str, *actions: str) -> str:
    return policy_text({"Sid": "Delegate", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{member}:root"},
                        "Action": [f"organizations:{a}" for a in actions], "Resource": "*"})


def test_without_a_policy_members_are_refused(server, org):
    orgs = server.client("organizations")
    for call in (orgs.describe_resource_policy, orgs.delete_resource_policy):
        missing = error_of(call)
        assert (missing["Code"], missing["Status"]) == ("ResourcePolicyNotFoundException", 400)
    refused = error_of(org["clients"][0].list_accounts)
    assert (refused["Code"], refused["Message"], refused["Status"]) == ("AccessDeniedException", DENIED, 400)


def test_the_policy_is_validated_and_written_by_the_management_account_only(server, org):
    orgs, member = server.client("organizations"), org["members"][0]
    cases = {
        "INVALID_RESOURCE_POLICY_JSON": "{not json",
        "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY": _delegation(member, "CreateAccount"),
        "INVALID_PRINCIPAL": policy_text({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                          "Action": "organizations:ListAccounts", "Resource": "*"}),
    }
    for reason, content in cases.items():
        invalid = error_of(orgs.put_resource_policy, Content=content)
        assert (invalid["Code"], invalid["Reason"], invalid["Status"]) == ("InvalidInputException", reason, 400)
    refused = error_of(org["clients"][0].put_resource_policy, Content=_delegation(member, "ListAccounts"))
    assert (refused["Code"], refused["Message"]) == ("AccessDeniedException", DENIED)


def test_delegated_member_reads_what_the_policy_lists(server, org):
    orgs = server.client("organizations")
    member, other = org["members"]
    client, other_client = org["clients"]
    content = _delegation(member, "ListAccounts", "ListRoots", "DescribeResourcePolicy", "Describe*")
    put = orgs.put_resource_policy(Content=content, Tags=[{"Key": "team", "Value": "security"}])["ResourcePolicy"]
    summary = put["ResourcePolicySummary"]
    assert re.fullmatch(r"rp-[0-9a-z]{8}", summary["Id"])
    assert summary["Arn"] == f"arn:aws:organizations::000000000000:resourcepolicy/{org['id']}/{summary['Id']}"
    assert put["Content"] == content
    assert orgs.describe_resource_policy()["ResourcePolicy"] == put
    assert orgs.list_tags_for_resource(ResourceId=summary["Id"])["Tags"] == [{"Key": "team", "Value": "security"}]
    retagged = error_of(orgs.put_resource_policy, Content=content, Tags=[{"Key": "a", "Value": "b"}])
    assert (retagged["Code"], retagged["Status"]) == ("InvalidInputException", 400)

    assert sorted(a["Id"] for a in client.list_accounts()["Accounts"]) == sorted(
        ["000000000000", member, other])
    assert client.list_roots()["Roots"][0]["Id"].startswith("r-")
    assert client.describe_resource_policy()["ResourcePolicy"]["ResourcePolicySummary"] == summary
    assert client.describe_account(AccountId=other)["Account"]["Id"] == other
    # Actions the policy does not list, or cannot grant, stay refused.
    unlisted = error_of(client.list_children, ParentId=client.list_roots()["Roots"][0]["Id"],
                        ChildType="ACCOUNT")
    assert (unlisted["Code"], unlisted["Status"]) == ("AccessDeniedException", 400)
    assert "no resource-based policy allows the organizations:ListChildren action" in unlisted["Message"]
    assert error_of(client.delete_resource_policy)["Message"] == DENIED
    # A member the policy does not name is refused.
    assert error_of(other_client.list_accounts)["Code"] == "AccessDeniedException"


def test_the_members_own_policies_must_allow_it_too(server, org):
    member = org["members"][0]
    iam = server.client_for(assume_access_role(server, admin_key(server), member, "rp-iam"), "iam")
    iam.create_user(UserName="reader")
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    no_rights = error_of(server.client_for(key, "organizations").list_accounts)
    assert (no_rights["Code"], no_rights["Status"]) == ("AccessDeniedException", 400)
    iam.put_user_policy(UserName="reader", PolicyName="orgs", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "organizations:List*",
                                                "Resource": "*"}]}))
    assert len(server.client_for(key, "organizations").list_accounts()["Accounts"]) == 3


def test_policy_management_by_type(server, org):
    """The guide's example: delegate creating, updating, attaching and deleting policies of one type
    (condition key organizations:PolicyType)."""
    orgs = server.client("organizations")
    member, other = org["members"]
    client = org["clients"][0]
    by_type = {"StringEquals": {"organizations:PolicyType": "SERVICE_CONTROL_POLICY"}}
    orgs.put_resource_policy(Content=policy_text(
        {"Effect": "Allow", "Principal": {"AWS": member}, "Action": "organizations:List*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": member}, "Resource": "*", "Condition": by_type,
         "Action": ["organizations:CreatePolicy", "organizations:UpdatePolicy", "organizations:DeletePolicy",
                    "organizations:AttachPolicy", "organizations:DetachPolicy"]}))
    scp = policy_text({"Effect": "Deny", "Action": "ec2:*", "Resource": "*"})
    created = client.create_policy(Name="no-ec2", Description="", Type="SERVICE_CONTROL_POLICY",
                                   Content=scp)["Policy"]["PolicySummary"]
    client.attach_policy(PolicyId=created["Id"], TargetId=other)
    assert created["Id"] in [p["Id"] for p in client.list_policies_for_target(
        TargetId=other, Filter="SERVICE_CONTROL_POLICY")["Policies"]]
    client.detach_policy(PolicyId=created["Id"], TargetId=other)
    client.update_policy(PolicyId=created["Id"], Name="no-ec2-at-all")
    client.delete_policy(PolicyId=created["Id"])
    other_type = error_of(client.create_policy, Name="tags", Description="", Type="TAG_POLICY",
                          Content=json.dumps({"tags": {}}))
    assert (other_type["Code"], other_type["Status"]) == ("AccessDeniedException", 400)
    assert "organizations:CreatePolicy" in other_type["Message"]
    # Moving accounts cannot be delegated: refused as before.
    assert error_of(client.create_account, Email="x@example.com", AccountName="x")["Message"] == DENIED


def test_deleting_the_policy_withdraws_the_delegation(server, org):
    orgs = server.client("organizations")
    orgs.delete_resource_policy()
    assert error_of(orgs.describe_resource_policy)["Code"] == "ResourcePolicyNotFoundException"
    assert error_of(org["clients"][0].list_accounts)["Message"] == DENIED


def test_resource_policy_with_the_aws_cli(server, org):
    member = org["members"][1]
    content = _delegation(member, "ListAccounts")
    put = server.cli_json("organizations", "put-resource-policy", "--content", content)["ResourcePolicy"]
    assert put["Content"] == content
    assert server.cli_json("organizations", "describe-resource-policy")["ResourcePolicy"] == put
    assert len(org["clients"][1].list_accounts()["Accounts"]) == 3
    assert server.cli_json("organizations", "delete-resource-policy") == {}
    failed = server.cli("organizations", "describe-resource-policy", check=False)
    assert failed.returncode == 255 and "(ResourcePolicyNotFoundException)" in failed.stderr
