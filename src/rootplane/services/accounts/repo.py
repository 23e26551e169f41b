"""Queries over accounts, access keys and temporary sessions."""

from __future__ import annotations

import datetime as _dt
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from rootplane.services.accounts.tables import AccessKeyRow, AccountRow, TemporarySessionRow
from rootplane.store.engine import get_row
from rootplane.store.lazy import statements
from rootplane.store.prepared import PreparedStatement
from rootplane.store.rows import insert_object

__all__ = [
    "find_account", "find_account_by_email", "lock_account", "put_account", "find_access_key", "list_access_keys",
    "KeyMetadata", "access_key_metadata", "count_access_keys",
    "put_access_key", "find_temporary_session", "put_temporary_session",
]


def find_account(session: Session, account_id: str) -> AccountRow | None:
    return session.get(AccountRow, account_id)


def lock_account(session: Session, account_id: str) -> None:
    """Where the store needs it (``locks_rows``), lock the account's row until commit: the root user's credentials
    (access keys, MFA) are counted and created one request at a time across servers."""
    get_row(session, AccountRow, account_id, lock="update")


def find_account_by_email(session: Session, email: str) -> AccountRow | None:
    """The account whose root user has this e-mail address (case-insensitive)."""
    query = select(AccountRow).where(func.lower(AccountRow.email) == email.strip().lower()).limit(1)
    return session.scalars(query).first()


def put_account(session: Session, row: AccountRow) -> AccountRow:
    session.add(row)
    return row


def find_access_key(session: Session, access_key_id: str) -> AccessKeyRow | None:
    return session.get(AccessKeyRow, access_key_id)


def list_access_keys(session: Session, account_id: str, user_name: str | None) -> list[AccessKeyRow]:
    """Keys of the root user (``user_name`` None) or of one IAM user, oldest first."""
    owner = AccessKeyRow.user_name.is_(None) if user_name is None else AccessKeyRow.user_name == user_name
    query = select(AccessKeyRow).where(AccessKeyRow.account_id == account_id, owner).order_by(AccessKeyRow.created_at)
    return list(session.scalars(query))


class KeyMetadata(NamedTuple):
    """What ListAccessKeys shows of a key."""

    access_key_id: str
    status: str
    created_at: _dt.datetime
    user_name: str | None


@lru_cache(maxsize=None)
def _key_metadata(of_root: bool) -> PreparedStatement:
    """A user's keys (the root user's: ``of_root``), oldest first, on a prepared statement (issue #19)."""
    owner = AccessKeyRow.user_name.is_(None) if of_root else AccessKeyRow.user_name == bindparam("user_name")
    return PreparedStatement(select(
        AccessKeyRow.access_key_id, AccessKeyRow.status, AccessKeyRow.created_at, AccessKeyRow.user_name,
    ).where(AccessKeyRow.account_id == bindparam("account_id"), owner).order_by(AccessKeyRow.created_at))


def access_key_metadata(session: Session, account_id: str, user_name: str | None) -> list[KeyMetadata]:
    """``list_access_keys`` to read: what ListAccessKeys shows of each key, oldest first."""
    params = {"account_id": account_id} if user_name is None else {"account_id": account_id, "user_name": user_name}
    return [KeyMetadata(*row) for row in _key_metadata(user_name is None).typed_all(statements(session), params)]


def count_access_keys(session: Session, account_id: str, user_name: str | None) -> int:
    owner = AccessKeyRow.user_name.is_(None) if user_name is None else AccessKeyRow.user_name == user_name
    query = select(func.count()).select_from(AccessKeyRow).where(AccessKeyRow.account_id == account_id, owner)
    return int(session.scalar(query) or 0)


def put_access_key(session: Session, row: AccessKeyRow) -> AccessKeyRow:
    session.add(row)
    return row


def find_temporary_session(session: Session, access_key_id: str) -> TemporarySessionRow | None:
    return session.get(TemporarySessionRow, access_key_id)


def put_temporary_session(session: Session, row: TemporarySessionRow) -> TemporarySessionRow:
    """Insert issued credentials now, without the ORM's flush (store/rows.py: ``row`` stays outside the session)."""
    insert_object(session, row)
    return row
