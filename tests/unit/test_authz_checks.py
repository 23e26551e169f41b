"""AuthzCheck keeps a frozen dataclass's behaviour with its faster constructor."""

from __future__ import annotations

import dataclasses

import pytest

from rootplane.authz.checks import AuthzCheck


def test_authz_check_is_a_frozen_dataclass_with_its_defaults() -> None:
    check = AuthzCheck("iam:GetUser")
    assert (check.resource, check.resource_account, check.resource_policy, check.context, check.resource_tags,
            check.resource_owner_exempt, check.denial_resource) == ("*", None, None, {}, None, False, None)
    assert AuthzCheck("iam:GetUser").context is not check.context  # each check its own context
    with pytest.raises(dataclasses.FrozenInstanceError):
        check.action = "iam:DeleteUser"  # type: ignore[misc]
    named = AuthzCheck("iam:GetUser", "arn:aws:iam::111111111111:user/bob", "111111111111", None, {"k": "v"},
                       {"team": "blue"}, True, "user bob")
    assert named == AuthzCheck(action="iam:GetUser", resource="arn:aws:iam::111111111111:user/bob",
                               resource_account="111111111111", context={"k": "v"}, resource_tags={"team": "blue"},
                               resource_owner_exempt=True, denial_resource="user bob")
    moved = dataclasses.replace(named, action="iam:DeleteUser")
    assert (moved.action, moved.resource, moved.context, moved.denial_resource) == (
        "iam:DeleteUser", named.resource, {"k": "v"}, "user bob")
