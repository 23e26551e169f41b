"""Root sign-in / password-recovery rule (services/iam/root_access.py) and AssumeRoot input validation."""

from __future__ import annotations

import datetime as _dt
from types import SimpleNamespace

import pytest
from harness import sqlite_store

from rootplane.core.errors import AwsError
from rootplane.services.accounts.tables import AccountRow
from rootplane.services.iam import passwords, root_access
from rootplane.services.rootaccess import features
from rootplane.services.sts import assume_root
from rootplane.schema import metadata

NOW = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)
AUDIT = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"


@pytest.fixture
def store(tmp_path):
    with sqlite_store(tmp_path, metadata()) as store:
        yield store


@pytest.fixture
def centrally_managed(monkeypatch):
    """Pretend every account is a member whose organization has RootCredentialsManagement in force."""
    in_force = {"value": frozenset({features.ROOT_CREDENTIALS_MANAGEMENT})}
    monkeypatch.setattr(features, "features_in_force", lambda session, account_id: in_force["value"])
    return in_force


def _account(store, **columns) -> None:
    with store.transaction() as session:
        session.add(AccountRow(account_id="333333333333", name="t", email="t@example.com", created_at=NOW, **columns))


def test_credential_less_member_blocked_until_recovery_allowed(store, centrally_managed):
    _account(store)
    with store.transaction() as session:
        assert not root_access.may_sign_in(session, "333333333333")
        assert not root_access.may_recover_password(session, "333333333333")
        account = session.get(AccountRow, "333333333333")
        account.root_password_hash, account.root_password_recovery_allowed_at = passwords.UNUSABLE, NOW
        assert root_access.has_login_profile(account)
    with store.transaction() as session:
        assert root_access.may_recover_password(session, "333333333333")
        assert not root_access.may_sign_in(session, "333333333333")


def test_outside_central_management_recovery_always_possible(store, centrally_managed):
    centrally_managed["value"] = frozenset({features.ROOT_SESSIONS})
    _account(store)
    with store.transaction() as session:
        assert root_access.may_recover_password(session, "333333333333")


def test_password_holder_signs_in_inactive_account_does_not(store, centrally_managed):
    _account(store, root_password_hash="hash", root_password_changed_at=NOW)
    with store.transaction() as session:
        assert root_access.may_sign_in(session, "333333333333")
        assert root_access.may_recover_password(session, "333333333333")
        session.get(AccountRow, "333333333333").status = "SUSPENDED"
    with store.transaction() as session:
        assert not root_access.may_sign_in(session, "333333333333")
        assert not root_access.may_recover_password(session, "333333333333")
        assert not root_access.may_recover_password(session, "999999999999")


def _ctx(host: str = "127.0.0.1:4566") -> SimpleNamespace:
    return SimpleNamespace(host=host)


@pytest.mark.parametrize("target", ["333333333333", "arn:aws:iam::333333333333:root"])
def test_target_forms(target):
    request = assume_root.read_request(_ctx(), {"TargetPrincipal": target, "TaskPolicyArn": {"arn": AUDIT}})
    assert (request.target_account_id, request.duration_seconds) == ("333333333333", 900)
    assert request.resource == "arn:aws:iam::333333333333:root"


@pytest.mark.parametrize("params, message", [
    ({"TargetPrincipal": "333333333333", "TaskPolicyArn": {}},
     "1 validation error detected: Value null at 'taskPolicyArn' failed to satisfy constraint: Member must not be null"),
    ({"TargetPrincipal": "arn:aws:iam::333333333333:user/bob", "TaskPolicyArn": {"arn": AUDIT}},
     "Request must contain a valid target principal"),
    ({"TargetPrincipal": "3333333333334", "TaskPolicyArn": {"arn": AUDIT}},
     "Request must contain a valid target principal"),
    ({"TargetPrincipal": "333333333333", "TaskPolicyArn": {"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
     "Request must contain valid AWS managed task policy ARN"),
])
def test_validation_messages(params, message):
    with pytest.raises(AwsError) as raised:
        assume_root.read_request(_ctx(), params)
    assert (raised.value.code, raised.value.message, raised.value.status) == ("ValidationError", message, 400)


def test_global_endpoint_host():
    with pytest.raises(AwsError) as raised:
        assume_root.read_request(_ctx("STS.amazonaws.com:443"), {"TargetPrincipal": "x" * 12, "TaskPolicyArn": {}})
    assert (raised.value.code, raised.value.message) == ("InvalidAction", "Unknown Operation")
    assert assume_root.read_request(_ctx("sts.us-east-1.amazonaws.com"), {
        "TargetPrincipal": "333333333333", "TaskPolicyArn": {"arn": AUDIT}, "DurationSeconds": 0}).duration_seconds == 0
