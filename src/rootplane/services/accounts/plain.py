"""Accounts and access keys in plain SQL (SQLAlchemy Core, no ORM): what start-up (the bootstrap account) and a root
key's requests (GetCallerIdentity) need, so that neither loads the model (issue #19). The rows are tables.py's
``accounts`` and ``access_keys``; tests/unit/test_accounts_plain.py checks these statements against the mapped model.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, text

from rootplane.store.types import UtcDateTime

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Row

__all__ = ["ACCOUNT_TABLES", "find_access_key", "account_exists", "create_account", "rename_access_key",
           "touch_access_key"]

#: The tables ``create_account`` and ``rename_access_key`` write (``Store.connection(writes=...)``).
ACCOUNT_TABLES = ("accounts", "access_keys")

_FIND_ACCESS_KEY = text(
    "SELECT k.secret_access_key, k.account_id, k.user_name, k.user_id, k.status, a.status AS account_status "
    "FROM access_keys k LEFT JOIN accounts a ON a.account_id = k.account_id WHERE k.access_key_id = :access_key_id")
_ACCOUNT_EXISTS = text("SELECT 1 FROM accounts WHERE account_id = :account_id")
_INSERT_ACCOUNT = text(
    "INSERT INTO accounts (account_id, name, email, status, created_at, root_password_hash, root_password_changed_at) "
    "VALUES (:account_id, :name, :email, 'ACTIVE', :created_at, :root_password_hash, :root_password_changed_at)"
).bindparams(bindparam("created_at", type_=UtcDateTime()), bindparam("root_password_changed_at", type_=UtcDateTime()))
_INSERT_ROOT_KEY = text(
    "INSERT INTO access_keys (access_key_id, secret_access_key, account_id, user_name, user_id, status, created_at) "
    "VALUES (:access_key_id, :secret_access_key, :account_id, NULL, NULL, 'Active', :created_at)"
).bindparams(bindparam("created_at", type_=UtcDateTime()))
_RENAME_ACCESS_KEY = text("UPDATE access_keys SET access_key_id = :new WHERE access_key_id = :old")
_TOUCH_ACCESS_KEY = text(
    "UPDATE access_keys SET last_used_at = :at, last_used_service = :service, last_used_region = :region "
    "WHERE access_key_id = :access_key_id").bindparams(bindparam("at", type_=UtcDateTime()))


def find_access_key(connection: Connection, access_key_id: str) -> Row | None:
    """A long-term key (secret_access_key, account_id, user_name, user_id, status) with its account's status
    (``account_status``, None when the account is gone)."""
    return connection.execute(_FIND_ACCESS_KEY, {"access_key_id": access_key_id}).first()


def account_exists(connection: Connection, account_id: str) -> bool:
    return connection.execute(_ACCOUNT_EXISTS, {"account_id": account_id}).first() is not None


def create_account(connection: Connection, *, account_id: str, name: str, email: str, created_at: _dt.datetime,
                   root_password_hash: str | None, root_key_id: str, root_secret: str) -> None:
    """An ACTIVE account (with its root user's password hash, if any) and one active root access key."""
    connection.execute(_INSERT_ACCOUNT, {
        "account_id": account_id, "name": name, "email": email, "created_at": created_at,
        "root_password_hash": root_password_hash,
        "root_password_changed_at": created_at if root_password_hash is not None else None})
    connection.execute(_INSERT_ROOT_KEY, {"access_key_id": root_key_id, "secret_access_key": root_secret,
                                          "account_id": account_id, "created_at": created_at})


def rename_access_key(connection: Connection, old: str, new: str) -> None:
    connection.execute(_RENAME_ACCESS_KEY, {"old": old, "new": new})


def touch_access_key(connection: Connection, access_key_id: str, at: _dt.datetime, service: str, region: str) -> None:
    """Record last use (GetAccessKeyLastUsed)."""
    connection.execute(_TOUCH_ACCESS_KEY, {"access_key_id": access_key_id, "at": at, "service": service,
                                           "region": region})
