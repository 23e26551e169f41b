"""IAM account-level settings end to end: account properties, STS token preferences, GetPolicy tags."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from test_iam_entities import ALLOW_ALL, error_of


def test_account_properties_default_and_put(server):
    iam = server.client("iam")
    assert iam.get_account_properties()["Properties"] == {"RoleManager/Enabled": "false"}
    iam.put_account_properties(Properties={"RoleManager/Enabled": "true"})
    assert iam.get_account_properties()["Properties"] == {"RoleManager/Enabled": "true"}
    iam.put_account_properties(Properties={"RoleManager/Enabled": "false"})
    for bad in ({"RoleManager/Enabled": "yes"}, {"RoleManager": "true"}, {"Nope/Thing": "true"}):
        with pytest.raises(ClientError) as excinfo:
            iam.put_account_properties(Properties=bad)
        assert error_of(excinfo)[:2] == ("InvalidInput", 400)


def test_security_token_service_preferences(server):
    iam = server.client("iam")
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 2
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v1Token")
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 1


def test_get_policy_always_lists_tags(server, unique):
    iam = server.client("iam")
    aws = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")["Policy"]
    assert aws["Tags"] == []
    created = iam.create_policy(PolicyName=f"tagless-{unique}", PolicyDocument=ALLOW_ALL)["Policy"]
    assert "Tags" not in created
    assert iam.get_policy(PolicyArn=created["Arn"])["Policy"]["Tags"] == []
    iam.tag_policy(PolicyArn=created["Arn"], Tags=[{"Key": "k", "Value": "v"}])
    assert iam.get_policy(PolicyArn=created["Arn"])["Policy"]["Tags"] == [{"Key": "k", "Value": "v"}]
    iam.delete_policy(PolicyArn=created["Arn"])


def test_root_mfa_calls_without_user_name_act_on_root(server, unique):
    iam = server.client("iam")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"root-{unique}")["VirtualMFADevice"]
    assert iam.list_mfa_devices()["MFADevices"] == []
    with pytest.raises(ClientError) as excinfo:
        iam.deactivate_mfa_device(SerialNumber=device["SerialNumber"])
    assert error_of(excinfo) == ("NoSuchEntity", 404, "MFA Device invalid for user.")
    iam.delete_virtual_mfa_device(SerialNumber=device["SerialNumber"])
