"""The one rule for "may this root user sign in / recover its password?" under centralized root access.

A member account of an organization whose RootCredentialsManagement is in force (all features, trusted
access for IAM, switch on) may be left without root credentials: accounts the organization creates start with
none, and IAMDeleteRootUserCredentials sessions remove them. Such a root can neither sign in nor start password
recovery until an ``IAMCreateRootUserPassword`` session ran ``CreateLoginProfile`` (no password): that sets
``AccountRow.root_password_recovery_allowed_at``, after which the root-inbox owner may use "Forgot password".
Accounts outside centralized root access keep AWS's ordinary rule: the root user can always recover.
"""

from __future__ import annotations

import datetime as _dt

from sqlalchemy.orm import Session

from rootplane.services.accounts import repo as accounts
from rootplane.services.accounts.tables import AccountRow
from rootplane.services.rootaccess import features

__all__ = ["has_login_profile", "login_profile_created_at", "allow_password_recovery", "may_sign_in",
           "may_recover_password"]

_ACTIVE = "ACTIVE"


def has_login_profile(account: AccountRow) -> bool:
    """The root user has a login profile: a password, or password recovery allowed by a root session."""
    return account.root_password_hash is not None or account.root_password_recovery_allowed_at is not None


def login_profile_created_at(account: AccountRow) -> _dt.datetime | None:
    """``LoginProfile.CreateDate`` of the root user (None without a login profile)."""
    if account.root_password_hash is not None:
        return account.root_password_changed_at or account.created_at
    return account.root_password_recovery_allowed_at


def allow_password_recovery(account: AccountRow, now: _dt.datetime) -> None:
    """``CreateLoginProfile`` without a password in a root session: recovery becomes possible, no password is set."""
    account.root_password_recovery_allowed_at = now


def may_sign_in(session: Session, account_id: str) -> bool:
    """A root user may sign in with a password only when its account is active and it has a password."""
    account = accounts.find_account(session, account_id)
    return account is not None and account.status == _ACTIVE and account.root_password_hash is not None


def may_recover_password(session: Session, account_id: str) -> bool:
    """Whether "Forgot password" may start for this root user (see the module docstring)."""
    account = accounts.find_account(session, account_id)
    if account is None or account.status != _ACTIVE:
        return False
    if has_login_profile(account):
        return True
    return features.ROOT_CREDENTIALS_MANAGEMENT not in features.features_in_force(session, account_id)
