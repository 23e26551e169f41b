"""Cross-account AssumeRole into OrganizationAccountAccessRole of a member account created by Organizations."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from orgs_helpers import create_member


def test_management_admin_assumes_member_access_role(server, unique):
    orgs = server.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    member = create_member(orgs, f"member-{unique}")
    iam = server.client("iam")
    iam.create_user(UserName=f"admin-{unique}")
    iam.attach_user_policy(UserName=f"admin-{unique}", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName=f"admin-{unique}")["AccessKey"]
    outsider = iam.create_user(UserName=f"outsider-{unique}") and iam.create_access_key(
        UserName=f"outsider-{unique}")["AccessKey"]
    role_arn = f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    result = server.client_for(key, "sts").assume_role(RoleArn=role_arn, RoleSessionName="admin")
    assert result["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{member}:assumed-role/OrganizationAccountAccessRole/admin"
    member_iam = server.client_for(result["Credentials"], "iam")
    member_iam.create_user(UserName="inside-member")
    assert [u["UserName"] for u in member_iam.list_users()["Users"]] == ["inside-member"]
    attached = member_iam.list_attached_role_policies(RoleName="OrganizationAccountAccessRole")["AttachedPolicies"]
    assert attached[0]["PolicyName"] == "AdministratorAccess"
    with pytest.raises(ClientError) as excinfo:
        server.client_for(outsider, "sts").assume_role(RoleArn=role_arn, RoleSessionName="outsider")
    assert excinfo.value.response["Error"]["Code"] == "AccessDenied"
