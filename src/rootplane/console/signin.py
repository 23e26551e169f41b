"""Who may sign in, with which password, and the console session credentials a successful sign-in gets.

This is the sign-in service's own work (AWS's sign-in is not an API): it reads password hashes and MFA devices,
and it issues a temporary session for the person (``from_console``), which every page then calls the API with.
Checks run the same work whether or not the account or user exists, so timing tells nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from rootplane.auth.principal import IAM_USER, ROOT, Principal
from rootplane.console.mfa_check import mfa_serials
from rootplane.core import ids
from rootplane.core.arn import root_arn
from rootplane.gateway.credentials import user_principal
from rootplane.services.accounts import repo as accounts, session_tokens
from rootplane.services.accounts.tables import TemporarySessionRow
from rootplane.services.iam import passwords, repo as iam_repo, root_access
from rootplane.services.signin import repo as signin_repo

__all__ = ["Identity", "Attempt", "check_root", "check_user", "resolve_account", "issue", "revoke", "mark_used",
           "principal_of", "principal_of_root", "mfa_serials_of", "root_mfa_serials", "set_root_password",
           "set_root_email"]

_ACTIVE = "ACTIVE"
_DUMMY_HASH = passwords.hash_password("rootplane-timing-equaliser")
HIDDEN_USER = "HIDDEN_DUE_TO_SECURITY_REASONS"


@dataclass(frozen=True)
class Identity:
    """A person who may be signing in: the root user of an account, or an IAM user."""

    account_id: str
    kind: str                      # ROOT | IAM_USER
    owner_id: str                  # account id (root) or user id
    user_name: str | None = None
    email: str = ""
    mfa_serials: tuple[str, ...] = ()

    @property
    def is_root(self) -> bool:
        return self.kind == ROOT

    @property
    def arn(self) -> str:
        return root_arn(self.account_id) if self.is_root else f"arn:aws:iam::{self.account_id}:user/{self.user_name}"

    @property
    def display_name(self) -> str:
        return self.email if self.is_root else f"{self.user_name} @ {self.account_id}"


@dataclass(frozen=True)
class Attempt:
    """The outcome of a password check: ``identity`` when right; ``account_id`` of whom to record it against."""

    identity: Identity | None
    account_id: str | None
    principal: Principal | None  # the principal the ConsoleLogin record names (None: no account to record in)


def principal_of_root(account_id: str) -> Principal:
    return Principal(kind=ROOT, account_id=account_id, arn=root_arn(account_id), user_id=account_id)


def check_root(session: Session, email: str, password: str) -> Attempt:
    """Root sign-in: the account with this root e-mail, an active account and a usable password that matches."""
    account = accounts.find_account_by_email(session, email) if email else None
    usable = account is not None and root_access.may_sign_in(session, account.account_id)
    ok = passwords.verify_password(account.root_password_hash if usable else _DUMMY_HASH, password) and usable
    if account is None:
        return Attempt(None, None, None)
    principal = principal_of_root(account.account_id)
    if not ok:
        return Attempt(None, account.account_id, principal)
    identity = Identity(account.account_id, ROOT, account.account_id, None, account.email,
                        tuple(root_mfa_serials(session, account.account_id)))
    return Attempt(identity, account.account_id, principal)


def resolve_account(session: Session, account: str) -> str | None:
    """An account id from what a person typed: a 12-digit id or the account's alias."""
    account = account.strip()
    if len(account) == 12 and account.isdigit():
        return account if accounts.find_account(session, account) is not None else None
    alias = iam_repo.find_alias(session, account.lower()) if account else None
    return alias.account_id if alias is not None else None


def check_user(session: Session, account: str, user_name: str, password: str) -> Attempt:
    """IAM user sign-in: the account (id or alias), the user's login profile, the password."""
    account_id = resolve_account(session, account)
    row = accounts.find_account(session, account_id) if account_id else None
    user = iam_repo.find_user(session, account_id, user_name) if row is not None and user_name else None
    profile = iam_repo.find_login_profile(session, user.user_id) if user is not None else None
    usable = profile is not None and row.status == _ACTIVE
    ok = passwords.verify_password(profile.password_hash if usable else _DUMMY_HASH, password) and usable
    if row is None:
        return Attempt(None, None, None)
    if user is None:
        hidden = Principal(kind=IAM_USER, account_id=row.account_id, arn="", user_id="", name=HIDDEN_USER)
        return Attempt(None, row.account_id, hidden)
    principal = user_principal(session, row.account_id, user.user_name, user.user_id, "")
    principal = dataclasses.replace(principal, access_key_id=None)
    if not ok:
        return Attempt(None, row.account_id, principal)
    serials = tuple(mfa_serials(session, row.account_id, user.user_id))
    return Attempt(Identity(row.account_id, IAM_USER, user.user_id, user.user_name, "", serials), row.account_id,
                   principal)


def principal_of(session: Session, identity: Identity) -> Principal:
    """The long-term principal of ``identity`` (what its ConsoleLogin records name)."""
    if identity.is_root:
        return principal_of_root(identity.account_id)
    return user_principal(session, identity.account_id, identity.user_name or "", identity.owner_id, "")


def issue(session: Session, identity: Identity, now: _dt.datetime, duration: _dt.timedelta,
          mfa: bool) -> dict[str, str]:
    """Temporary credentials for a console session of ``identity`` (``sessionCredentialFromConsole``)."""
    access_key_id = ids.access_key_id(temporary=True)
    expires = (now + duration).replace(microsecond=0)
    principal = dataclasses.replace(
        principal_of(session, identity), access_key_id=access_key_id, from_console=True,
        mfa_authenticated=mfa, mfa_authenticated_at=now if mfa else None,
        session_issued_at=now, session_expires_at=expires,
    )
    secret, token = ids.secret_access_key(), ids.session_token()
    accounts.put_temporary_session(session, TemporarySessionRow(
        access_key_id=access_key_id, secret_access_key=secret, session_token_sha256=session_tokens.digest(token),
        account_id=identity.account_id, principal=principal.to_json(), source_access_key_id=None, created_at=now, expires_at=expires, revoked=False,
    ))
    return {"AccessKeyId": access_key_id, "SecretAccessKey": secret, "SessionToken": token}


def revoke(session: Session, access_key_id: str) -> None:
    """End a console session's credentials (sign-out, expiry)."""
    row = accounts.find_temporary_session(session, access_key_id)
    if row is not None:
        row.revoked = True


def root_mfa_serials(session: Session, account_id: str) -> list[str]:
    """A root user's MFA devices: virtual (TOTP) devices, then passkeys."""
    passkeys = [row.serial_number for row in signin_repo.list_passkeys(session, account_id)]
    return mfa_serials(session, account_id, account_id) + passkeys


def mfa_serials_of(session: Session, identity: Identity) -> list[str]:
    if identity.is_root:
        return root_mfa_serials(session, identity.account_id)
    return mfa_serials(session, identity.account_id, identity.owner_id)


def set_root_password(session: Session, account_id: str, password: str, now: _dt.datetime) -> str:
    """Set the root user's password if it meets AWS's root rules: "" on success, else the reason."""
    account = accounts.find_account(session, account_id)
    if account is None:
        return "The account does not exist."
    problem = passwords.root_password_problem(password, account.name, account.email)
    if problem:
        return problem
    account.root_password_hash = passwords.hash_password(password)
    account.root_password_changed_at = now
    return ""


def set_root_email(session: Session, account_id: str, email: str) -> str:
    """Change the root user's e-mail address: "" on success, else the reason (another root uses it)."""
    other = accounts.find_account_by_email(session, email)
    if other is not None and other.account_id != account_id:
        return "That email address is already used by another AWS account."
    account = accounts.find_account(session, account_id)
    if account is None:
        return "The account does not exist."
    account.email = email
    return ""


def mark_used(session: Session, identity: Identity, now: _dt.datetime) -> None:
    """A password sign-in happened: GetUser's PasswordLastUsed and the credential report's password_last_used."""
    if identity.is_root:
        account = accounts.find_account(session, identity.account_id)
        if account is not None:
            account.root_last_used_at = now
        return
    user = iam_repo.user_by_id(session, identity.owner_id)
    if user is not None:
        user.password_last_used = now
