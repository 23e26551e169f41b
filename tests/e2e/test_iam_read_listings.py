"""IAM's reads that audit tools repeat for every user (ListMFADevices, ListAccessKeys, ListAttached*Policies,
List*Policies, Get*Policy, GetLoginProfile) and account (GetAccountPasswordPolicy), on SQLite and PostgreSQL: paging by MaxItems and
Marker, AWS's errors, and every change showing in the very next read (they read cached user views and prepared
statements, issue #19)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from test_iam_credentials import _codes
from test_iam_entities import error_of

ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
MANAGED = ("arn:aws:iam::aws:policy/IAMReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess",
           "arn:aws:iam::aws:policy/SecurityAudit")


def _pages(call, key: str, **kwargs) -> list[list]:
    """Every page of a listing with MaxItems 1 or 2, following the markers."""
    pages, marker = [], None
    while True:
        page = call(**kwargs, **({"Marker": marker} if marker else {}))
        pages.append(page[key])
        if not page["IsTruncated"]:
            assert "Marker" not in page
            return pages
        marker = page["Marker"]


def _missing(call, **kwargs) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return error_of(excinfo)


def test_per_user_reads_page_fail_as_aws_and_follow_every_change(store_server):
    iam = store_server.client("iam")
    iam.create_user(UserName="alice")
    iam.create_role(RoleName="ops", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": "sts:AssumeRole"}]}))

    serials = []
    for name in ("alice-b", "alice-a"):
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
        code1, code2 = _codes(device["Base32StringSeed"].decode())
        iam.enable_mfa_device(UserName="alice", SerialNumber=device["SerialNumber"], AuthenticationCode1=code1,
                              AuthenticationCode2=code2)
        serials.append(device["SerialNumber"])
    pages = _pages(iam.list_mfa_devices, "MFADevices", UserName="alice", MaxItems=1)
    assert [[item["SerialNumber"] for item in page] for page in pages] == [[serial] for serial in sorted(serials)]
    assert all(item["UserName"] == "alice" and item["EnableDate"].tzinfo for page in pages for item in page)
    assert iam.list_mfa_devices()["MFADevices"] == []  # the root user's: none
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=serials[0])
    assert [item["SerialNumber"] for item in iam.list_mfa_devices(UserName="alice")["MFADevices"]] == [serials[1]]

    for arn in MANAGED:
        iam.attach_user_policy(UserName="alice", PolicyArn=arn)
        iam.attach_role_policy(RoleName="ops", PolicyArn=arn)
    for call, name in ((iam.list_attached_user_policies, {"UserName": "alice"}),
                       (iam.list_attached_role_policies, {"RoleName": "ops"})):
        pages = _pages(call, "AttachedPolicies", **name, MaxItems=2)
        assert [[item["PolicyArn"] for item in page] for page in pages] == [list(MANAGED[:2]), [MANAGED[2]]]
        assert [item["PolicyName"] for page in pages for item in page] == [arn.rpartition("/")[2] for arn in MANAGED]
        assert len(call(**name, PathPrefix="/")["AttachedPolicies"]) == 3
    iam.detach_user_policy(UserName="alice", PolicyArn=MANAGED[1])
    assert [item["PolicyArn"] for item in iam.list_attached_user_policies(UserName="alice")["AttachedPolicies"]] == \
        [MANAGED[0], MANAGED[2]]

    for policy in ("zeta", "alpha", "mid"):
        iam.put_user_policy(UserName="alice", PolicyName=policy, PolicyDocument=ALLOW_ALL)
    assert _pages(iam.list_user_policies, "PolicyNames", UserName="alice", MaxItems=2) == [["alpha", "mid"], ["zeta"]]
    got = iam.get_user_policy(UserName="alice", PolicyName="mid")
    assert (got["UserName"], got["PolicyName"], got["PolicyDocument"]) == ("alice", "mid", json.loads(ALLOW_ALL))
    narrower = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    iam.put_user_policy(UserName="alice", PolicyName="mid", PolicyDocument=json.dumps(narrower))
    assert iam.get_user_policy(UserName="alice", PolicyName="mid")["PolicyDocument"] == narrower
    iam.put_role_policy(RoleName="ops", PolicyName="inline", PolicyDocument=ALLOW_ALL)
    assert iam.get_role_policy(RoleName="ops", PolicyName="inline")["RoleName"] == "ops"
    assert _missing(iam.get_user_policy, UserName="alice", PolicyName="nope") == (
        "NoSuchEntity", 404, "The user policy with name nope cannot be found.")
    assert _missing(iam.get_role_policy, RoleName="ops", PolicyName="nope") == (
        "NoSuchEntity", 404, "The role policy with name nope cannot be found.")

    first = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    second = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="alice", AccessKeyId=first, Status="Inactive")
    keys = iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
    assert [(key["AccessKeyId"], key["Status"], key["UserName"]) for key in keys] == [
        (first, "Inactive", "alice"), (second, "Active", "alice")]
    assert keys[0]["CreateDate"] <= keys[1]["CreateDate"]
    root_keys = iam.list_access_keys()["AccessKeyMetadata"]
    assert root_keys and all("UserName" not in key for key in root_keys)

    assert _missing(iam.get_login_profile, UserName="alice") == (
        "NoSuchEntity", 404, "Login Profile for User alice cannot be found.")
    iam.create_login_profile(UserName="alice", Password="Correct-Horse-9-battery")
    assert iam.get_login_profile(UserName="alice")["LoginProfile"]["UserName"] == "alice"

    iam.update_user(UserName="alice", NewUserName="alicia")  # the cached view of alice is gone with the name
    for call in (iam.list_mfa_devices, iam.list_access_keys, iam.list_attached_user_policies,
                 iam.list_user_policies, iam.get_login_profile):
        assert _missing(call, UserName="alice") == ("NoSuchEntity", 404, "The user with name alice cannot be found.")
    assert len(iam.list_access_keys(UserName="alicia")["AccessKeyMetadata"]) == 2
    assert iam.list_attached_user_policies(UserName="ALICIA")["AttachedPolicies"][0]["PolicyArn"] == MANAGED[0]


def test_the_password_policy_read_follows_its_changes(store_server):
    iam = store_server.client("iam")
    assert _missing(iam.get_account_password_policy)[:2] == ("NoSuchEntity", 404)
    iam.update_account_password_policy(MinimumPasswordLength=17, RequireSymbols=True)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert (policy["MinimumPasswordLength"], policy["RequireSymbols"], policy["RequireNumbers"]) == (17, True, False)
    iam.update_account_password_policy(MinimumPasswordLength=9)
    assert iam.get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"] == 9
    iam.create_user(UserName="bob")
    assert _missing(iam.create_login_profile, UserName="bob", Password="short")[:2] == ("PasswordPolicyViolation", 400)
    iam.delete_account_password_policy()
    assert _missing(iam.get_account_password_policy)[:2] == ("NoSuchEntity", 404)


def test_list_users_pages_by_name_under_a_path(store_server):
    iam = store_server.client("iam")
    for name in ("u-b", "U-a", "u-c"):
        iam.create_user(UserName=name, Path="/team/", Tags=[{"Key": "k", "Value": name}])
    iam.create_user(UserName="elsewhere")
    pages = _pages(iam.list_users, "Users", PathPrefix="/team/", MaxItems=2)
    assert [[user["UserName"] for user in page] for page in pages] == [["U-a", "u-b"], ["u-c"]]
    user = pages[0][0]
    assert user["Arn"] == "arn:aws:iam::000000000000:user/team/U-a" and user["Path"] == "/team/"
    assert user["UserId"].startswith("AIDA") and user["CreateDate"].tzinfo and "Tags" not in user
    assert len(iam.list_users()["Users"]) == 4


def test_access_keys_certificates_and_aliases_page_by_max_items(store_server):
    """ListAccessKeys, ListSigningCertificates and ListAccountAliases honour MaxItems and Marker as every IAM listing
    does: with two keys and MaxItems 1, one key per page (they answered every item, IsTruncated false), and a marker
    they did not issue is ValidationError."""
    iam = store_server.client("iam")
    iam.create_user(UserName="paged")
    created = [iam.create_access_key(UserName="paged")["AccessKey"]["AccessKeyId"] for _ in range(2)]
    pages = _pages(iam.list_access_keys, "AccessKeyMetadata", UserName="paged", MaxItems=1)
    assert [[key["AccessKeyId"] for key in page] for page in pages] == [[created[0]], [created[1]]] or \
        [[key["AccessKeyId"] for key in page] for page in pages] == [[created[1]], [created[0]]]
    iam.create_account_alias(AccountAlias="paged-alias")
    assert _pages(iam.list_account_aliases, "AccountAliases", MaxItems=1) == [["paged-alias"]]
    assert _pages(iam.list_signing_certificates, "Certificates", UserName="paged", MaxItems=1) == [[]]
    for call, kwargs in ((iam.list_access_keys, {"UserName": "paged"}), (iam.list_account_aliases, {}),
                         (iam.list_signing_certificates, {"UserName": "paged"})):
        with pytest.raises(ClientError) as caught:
            call(Marker="dG9waWM=", **kwargs)
        assert error_of(caught)[:2] == ("ValidationError", 400), call


def test_listings_held_whole_page_by_max_items(store_server):
    """ListInstanceProfilesForRole, ListPolicyVersions, ListServiceSpecificCredentials and the policy simulator's
    EvaluationResults page by MaxItems and Marker (each answered every item with IsTruncated false); the AWS CLI's
    paginator walks the simulator's pages back into one answer."""
    iam = store_server.client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    iam.create_role(RoleName="held", AssumeRolePolicyDocument=trust)
    for name in ("held-a", "held-b"):
        iam.create_instance_profile(InstanceProfileName=name)
        iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName="held")
    pages = _pages(iam.list_instance_profiles_for_role, "InstanceProfiles", RoleName="held", MaxItems=1)
    assert sorted(page[0]["InstanceProfileName"] for page in pages) == ["held-a", "held-b"] and len(pages) == 2
    arn = iam.create_policy(PolicyName="held", PolicyDocument=ALLOW_ALL)["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=ALLOW_ALL)
    pages = _pages(iam.list_policy_versions, "Versions", PolicyArn=arn, MaxItems=1)
    assert [[version["VersionId"] for version in page] for page in pages] == [["v2"], ["v1"]]
    iam.create_user(UserName="held")
    for service in ("codecommit.amazonaws.com", "cassandra.amazonaws.com"):
        iam.create_service_specific_credential(UserName="held", ServiceName=service)
    pages = _pages(iam.list_service_specific_credentials, "ServiceSpecificCredentials", UserName="held", MaxItems=1)
    assert sorted(page[0]["ServiceName"] for page in pages) == ["cassandra.amazonaws.com", "codecommit.amazonaws.com"]
    actions = ["s3:GetObject", "s3:PutObject", "iam:ListUsers"]
    pages = _pages(iam.simulate_custom_policy, "EvaluationResults", PolicyInputList=[ALLOW_ALL], ActionNames=actions,
                   MaxItems=2)
    assert [[result["EvalActionName"] for result in page] for page in pages] == [actions[:2], actions[2:]]
    walked = store_server.cli_json("iam", "simulate-custom-policy", "--policy-input-list", ALLOW_ALL,
                                   "--action-names", *actions, "--page-size", "1")
    assert [result["EvalActionName"] for result in walked["EvaluationResults"]] == actions


def test_listings_of_two_segments_go_on_when_the_first_fills_a_page(store_server):
    """ListPolicies lists AWS's policies, then the account's; ListEntitiesForPolicy the entities a policy is attached
    to, then those it bounds. When the first segment ended exactly at a page's end, the answer said IsTruncated
    false and the second segment was never listed (MaxItems 1 or 2 lost every customer policy)."""
    iam = store_server.client("iam")
    arn = iam.create_policy(PolicyName="segments", PolicyDocument=ALLOW_ALL)["Policy"]["Arn"]
    aws_count = sum(len(page) for page in _pages(iam.list_policies, "Policies", Scope="AWS", MaxItems=1000))
    fill = next(size for size in range(1000, 0, -1) if aws_count % size == 0)  # AWS's policies fill whole pages
    listed = [policy["Arn"] for page in _pages(iam.list_policies, "Policies", MaxItems=fill) for policy in page]
    assert len(listed) == aws_count + len(_pages(iam.list_policies, "Policies", Scope="Local", MaxItems=1000)[0])
    assert arn in listed
    iam.create_user(UserName="segment-user")
    iam.attach_user_policy(UserName="segment-user", PolicyArn=arn)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    iam.create_role(RoleName="segment-role", AssumeRolePolicyDocument=trust, PermissionsBoundary=arn)
    pages = []
    marker = None
    while True:
        page = iam.list_entities_for_policy(PolicyArn=arn, MaxItems=1, **({"Marker": marker} if marker else {}))
        pages.append([user["UserName"] for user in page["PolicyUsers"]] + [role["RoleName"] for role in page["PolicyRoles"]])
        if not page["IsTruncated"]:
            break
        marker = page["Marker"]
    assert pages == [["segment-user"], ["segment-role"]]
