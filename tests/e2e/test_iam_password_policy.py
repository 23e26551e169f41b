"""Password policy end to end: AllowUsersToChangePassword, PasswordReusePrevention, MaxPasswordAge/HardExpiry,
and the credential report's password and key columns (own module: it moves the server clock)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from botocore.exceptions import ClientError

from test_iam_entities import error_of

FIRST, SECOND, THIRD = "First-pass-123!", "Second-pass-456!", "Third-pass-789!"


def _user_with_password(iam, name: str) -> dict:
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password=FIRST)
    return iam.create_access_key(UserName=name)["AccessKey"]


def _report(iam) -> dict[str, dict[str, str]]:
    iam.generate_credential_report()
    content = iam.get_credential_report()["Content"].decode()
    return {row["user"]: row for row in csv.DictReader(io.StringIO(content))}


def test_change_password_rules(server):
    iam = server.client("iam")
    key = _user_with_password(iam, "walter")
    walter = server.client_for(key, "iam")
    iam.update_account_password_policy(MinimumPasswordLength=8, AllowUsersToChangePassword=True,
                                       PasswordReusePrevention=2, MaxPasswordAge=30, HardExpiry=True)
    assert walter.get_account_password_policy()["PasswordPolicy"]["ExpirePasswords"] is True
    walter.change_password(OldPassword=FIRST, NewPassword=SECOND)
    for reused in (SECOND, FIRST):
        with pytest.raises(ClientError) as excinfo:
            walter.change_password(OldPassword=SECOND, NewPassword=reused)
        assert error_of(excinfo)[:2] == ("PasswordPolicyViolation", 400)
    walter.change_password(OldPassword=SECOND, NewPassword=THIRD)
    walter.change_password(OldPassword=THIRD, NewPassword=FIRST)  # two back: allowed again
    iam.update_account_password_policy(MinimumPasswordLength=8, AllowUsersToChangePassword=False)
    with pytest.raises(ClientError) as excinfo:
        walter.change_password(OldPassword=FIRST, NewPassword=SECOND)
    assert error_of(excinfo)[:2] == ("AccessDenied", 403)


def test_hard_expiry_and_credential_report(server):
    iam = server.client("iam")
    key = _user_with_password(iam, "expiring")
    iam.create_user(UserName="nopassword")
    iam.update_account_password_policy(AllowUsersToChangePassword=True, MaxPasswordAge=1, HardExpiry=True)
    rows = _report(iam)
    root, user, bare = rows["<root_account>"], rows["expiring"], rows["nopassword"]
    assert root["password_next_rotation"] == "not_supported" and root["password_enabled"] in ("true", "false")
    assert root["access_key_1_active"] == "true" and root["user_creation_time"].endswith("+00:00")
    changed = dt.datetime.fromisoformat(user["password_last_changed"])
    assert user["password_enabled"] == "true" and user["password_last_used"] == "no_information"
    rotation = dt.datetime.fromisoformat(user["password_next_rotation"])
    assert rotation == changed + dt.timedelta(days=1)
    assert (user["access_key_1_active"], user["access_key_1_last_used_date"], user["access_key_2_active"]) == \
        ("true", "N/A", "false")
    assert [bare[c] for c in ("password_enabled", "password_last_used", "password_last_changed",
                              "password_next_rotation", "mfa_active")] == ["false", "N/A", "N/A", "N/A", "false"]
    server.advance_clock(2 * 86400)
    with pytest.raises(ClientError) as excinfo:
        server.client_for(key, "iam").change_password(OldPassword=FIRST, NewPassword=SECOND)
    assert error_of(excinfo)[:2] == ("EntityTemporarilyUnmodifiable", 409)
    iam.update_account_password_policy(AllowUsersToChangePassword=True, MaxPasswordAge=1, HardExpiry=False)
    server.client_for(key, "iam").change_password(OldPassword=FIRST, NewPassword=SECOND)
