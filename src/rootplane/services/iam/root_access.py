"""The one rule for "may this root user sign in / recover its password?" under centralized root access.

A member account of an organization whose RootCredentialsManagement is in force (all features, trusted
access for IAM, switch on) may be left without root credentials: accounts the organization creates start with
none, and IAMDeleteRootUserCredentials sessions remove them. Such a root can neither sign in nor start password
recovery until an ``IAMCreateRootUserPassword`` session ran ``CreateLoginProfile`` (no password): that creates a
login profile without a usable password (``passwords.UNUSABLE``, see ``login_profiles``), after which the
root-inbox owner may use "Forgot password". Accounts outside centralized root access keep AWS's ordinary rule:
the root user can always recover its password.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from rootplane.services.accounts import repo as accounts
from rootplane.services.accounts.tables import AccountRow
from rootplane.services.iam import passwords
from rootplane.services.rootaccess import features

__all__ = ["has_login_profile", "may_sign_in", "may_recover_password"]

_ACTIVE = "ACTIVE"


def _active_account(session: Session, account_id: str) -> AccountRow | None:
    account = accounts.find_account(session, account_id)
    return account if account is not None and account.status == _ACTIVE else None


def has_login_profile(account: AccountRow) -> bool:
    """The root user has a login profile: a password, or one created to allow password recovery."""
    return bool(account.root_password_hash) or account.root_password_recovery_allowed_at is not None


def may_sign_in(session: Session, account_id: str) -> bool:
    """A root user signs in with a password only when its account is active and it has a usable password."""
    account = _active_account(session, account_id)
    return account is not None and account.root_password_hash not in (None, "", passwords.UNUSABLE)


def may_recover_password(session: Session, account_id: str) -> bool:
    """Whether "Forgot password" may start for this root user (see the module docstring)."""
    account = _active_account(session, account_id)
    if account is None:
        return False
    if has_login_profile(account):
        return True
    return features.ROOT_CREDENTIALS_MANAGEMENT not in features.features_in_force(session, account_id)
