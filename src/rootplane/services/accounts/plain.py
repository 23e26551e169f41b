"""Accounts and access keys in plain SQL (no ORM, and on a SQLite file no SQLAlchemy at all): what start-up (the
bootstrap account) and a root key's requests (GetCallerIdentity) need, so that neither loads it (issue #19). The
statements run on a ``PlainSql`` (store/plain_sql.py: ``Store.plain``, or ``EngineSql`` over a transaction's
connection). The rows are tables.py's ``accounts`` and ``access_keys``; tests/unit/test_accounts_plain.py checks
these statements against the mapped model.
"""

from __future__ import annotations

import datetime as _dt
from typing import NamedTuple

from rootplane.store.plain_sql import PlainSql

__all__ = ["ACCOUNT_TABLES", "AccessKeyRow", "find_access_key", "account_exists", "create_account",
           "rename_access_key", "touch_access_key"]

#: The tables ``create_account`` and ``rename_access_key`` write (``Store.plain(writes=...)``).
ACCOUNT_TABLES = ("accounts", "access_keys")

_FIND_ACCESS_KEY = (
    "SELECT k.secret_access_key, k.account_id, k.user_name, k.user_id, k.status, a.status AS account_status "
    "FROM access_keys k LEFT JOIN accounts a ON a.account_id = k.account_id WHERE k.access_key_id = :access_key_id")
_ACCOUNT_EXISTS = "SELECT 1 FROM accounts WHERE account_id = :account_id"
_INSERT_ACCOUNT = (
    "INSERT INTO accounts (account_id, name, email, status, created_at, root_password_hash, root_password_changed_at) "
    "VALUES (:account_id, :name, :email, 'ACTIVE', :created_at, :root_password_hash, :root_password_changed_at)")
_INSERT_ROOT_KEY = (
    "INSERT INTO access_keys (access_key_id, secret_access_key, account_id, user_name, user_id, status, created_at) "
    "VALUES (:access_key_id, :secret_access_key, :account_id, NULL, NULL, 'Active', :created_at)")
_RENAME_ACCESS_KEY = "UPDATE access_keys SET access_key_id = :new WHERE access_key_id = :old"
_TOUCH_ACCESS_KEY = (
    "UPDATE access_keys SET last_used_at = :at, last_used_service = :service, last_used_region = :region "
    "WHERE access_key_id = :access_key_id")


class AccessKeyRow(NamedTuple):
    """A long-term key with its account's status (``account_status``: None when the account is gone)."""

    secret_access_key: str
    account_id: str
    user_name: str | None
    user_id: str | None
    status: str
    account_status: str | None


def find_access_key(sql: PlainSql, access_key_id: str) -> AccessKeyRow | None:
    """A long-term key, or None."""
    row = sql.first(_FIND_ACCESS_KEY, {"access_key_id": access_key_id})
    return None if row is None else AccessKeyRow(*row)


def account_exists(sql: PlainSql, account_id: str) -> bool:
    return sql.first(_ACCOUNT_EXISTS, {"account_id": account_id}) is not None


def create_account(sql: PlainSql, *, account_id: str, name: str, email: str, created_at: _dt.datetime,
                   root_password_hash: str | None, root_key_id: str, root_secret: str) -> None:
    """An ACTIVE account (with its root user's password hash, if any) and one active root access key."""
    sql.run(_INSERT_ACCOUNT, {
        "account_id": account_id, "name": name, "email": email, "created_at": created_at,
        "root_password_hash": root_password_hash,
        "root_password_changed_at": created_at if root_password_hash is not None else None})
    sql.run(_INSERT_ROOT_KEY, {"access_key_id": root_key_id, "secret_access_key": root_secret,
                               "account_id": account_id, "created_at": created_at})


def rename_access_key(sql: PlainSql, old: str, new: str) -> None:
    sql.run(_RENAME_ACCESS_KEY, {"old": old, "new": new})


def touch_access_key(sql: PlainSql, access_key_id: str, at: _dt.datetime, service: str, region: str) -> None:
    """Record last use (GetAccessKeyLastUsed)."""
    sql.run(_TOUCH_ACCESS_KEY, {"access_key_id": access_key_id, "at": at, "service": service, "region": region})
