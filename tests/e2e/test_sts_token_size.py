"""MinimumSessionTokenSize: STS pads the session token it issues to at least that many bytes (botocore's STS model,
GetSessionToken, AssumeRole and GetFederationToken: "STS increases the session token to at least this size,
regardless of its actual content"), and the padded token still signs requests."""

from __future__ import annotations

from harness import BOOT_ACCOUNT, iam_user_key, policy_document


def test_get_session_token_pads_the_token_to_the_minimum_size(server):
    credentials = server.client("sts").get_session_token(MinimumSessionTokenSize=4096)["Credentials"]
    assert len(credentials["SessionToken"].encode()) >= 4096
    identity = server.client_for(credentials, "sts").get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{BOOT_ACCOUNT}:root"


def test_zero_or_a_small_minimum_leaves_the_token_as_it_is(server):
    sts = server.client("sts")
    usual = len(sts.get_session_token()["Credentials"]["SessionToken"])
    assert len(sts.get_session_token(MinimumSessionTokenSize=0)["Credentials"]["SessionToken"]) == usual
    assert len(sts.get_session_token(MinimumSessionTokenSize=16)["Credentials"]["SessionToken"]) == usual


def test_assume_role_and_get_federation_token_pad_the_token(server, unique):
    iam = server.client("iam")
    user = f"caller-{unique}"
    key = iam_user_key(server, user)
    iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:GetFederationToken"], "Resource": "*"}))
    role = iam.create_role(RoleName=f"r-{unique}", AssumeRolePolicyDocument=policy_document(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{BOOT_ACCOUNT}:root"}, "Action": "sts:AssumeRole"}),
    )["Role"]
    sts = server.client_for(key, "sts")
    assumed = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="big", MinimumSessionTokenSize=3000)
    assert len(assumed["Credentials"]["SessionToken"].encode()) >= 3000
    assert server.client_for(assumed["Credentials"], "sts").get_caller_identity()["Arn"] == (
        assumed["AssumedRoleUser"]["Arn"])
    federated = sts.get_federation_token(Name="big", MinimumSessionTokenSize=2500)
    assert len(federated["Credentials"]["SessionToken"].encode()) >= 2500
