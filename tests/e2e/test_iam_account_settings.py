"""IAM account-level settings end to end: account properties, STS token preferences, GetPolicy tags."""

from __future__ import annotations

import json

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


def test_root_mfa_deactivation_needs_a_root_session_to_omit_the_user_name(server, unique):
    """Long-term root credentials list the root user's MFA devices without a user name, but deactivating one that
    way takes an AssumeRoot session (IAM API reference, DeactivateMFADevice's UserName)."""
    iam = server.client("iam")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"root-{unique}")["VirtualMFADevice"]
    assert iam.list_mfa_devices()["MFADevices"] == []
    with pytest.raises(ClientError) as excinfo:
        iam.deactivate_mfa_device(SerialNumber=device["SerialNumber"])
    assert error_of(excinfo) == ("ValidationError", 400, "Must specify userName when calling with non-User credentials")
    iam.delete_virtual_mfa_device(SerialNumber=device["SerialNumber"])


def test_account_summary_counts_what_the_account_holds(server, unique):
    """Each count of GetAccountSummary moves with what is created (one statement answers them all: a column
    mixed up with another would show here)."""
    from test_iam_credentials import _codes
    from test_iam_more_credentials import SAML_METADATA

    iam = server.client("iam")
    before = iam.get_account_summary()["SummaryMap"]
    for n in range(3):
        iam.create_user(UserName=f"sum-{unique}-{n}")
    for n in range(2):
        iam.create_group(GroupName=f"sum-{unique}-{n}")
    iam.create_role(RoleName=f"sum-{unique}", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))
    arn = iam.create_policy(PolicyName=f"sum-{unique}", PolicyDocument=ALLOW_ALL)["Policy"]["Arn"]
    for n in range(3):
        iam.attach_user_policy(UserName=f"sum-{unique}-{n}", PolicyArn=arn)
    for n in range(4):
        iam.create_instance_profile(InstanceProfileName=f"sum-{unique}-{n}")
    devices = [iam.create_virtual_mfa_device(VirtualMFADeviceName=f"sum-{unique}-{n}")["VirtualMFADevice"]
               for n in range(2)]
    iam.enable_mfa_device(UserName=f"sum-{unique}-0", SerialNumber=devices[0]["SerialNumber"],
                          **dict(zip(("AuthenticationCode1", "AuthenticationCode2"),
                                     _codes(devices[0]["Base32StringSeed"].decode()))))
    iam.create_saml_provider(Name=f"sum-{unique}", SAMLMetadataDocument=SAML_METADATA)
    after = iam.get_account_summary()["SummaryMap"]
    moved = {name: after[name] - before[name] for name in (
        "Users", "Groups", "Roles", "Policies", "PolicyVersionsInUse", "InstanceProfiles", "MFADevices",
        "MFADevicesInUse", "Providers", "ServerCertificates", "AccountMFAEnabled", "AccountAccessKeysPresent")}
    assert moved == {"Users": 3, "Groups": 2, "Roles": 1, "Policies": 1, "PolicyVersionsInUse": 3,
                     "InstanceProfiles": 4, "MFADevices": 2, "MFADevicesInUse": 1, "Providers": 1,
                     "ServerCertificates": 0, "AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0}
    assert after["AccountAccessKeysPresent"] == 1  # the bootstrap root key
