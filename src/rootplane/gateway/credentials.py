"""Access key -> (secret, principal): looked up in the store, cached briefly in memory."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rootplane.auth.principal import IAM_USER, ROOT, Principal
from rootplane.core.arn import root_arn
from rootplane.services.accounts import plain
from rootplane.store.plain_sql import EngineSql

if TYPE_CHECKING:  # annotations only: the ORM loads with the first session (issue #19)
    from sqlalchemy.orm import Session

    from rootplane.store.engine import Store

__all__ = ["ResolvedCredential", "CredentialCache", "resolve_access_key", "user_principal"]


@dataclass(frozen=True)
class ResolvedCredential:
    """A known access key: its secret, whom it authenticates, and its session token's SHA-256 for temporary keys."""

    access_key_id: str
    secret_access_key: str
    principal: Principal
    session_token_sha256: str | None = None
    active: bool = True
    account_status: str = "ACTIVE"


def user_principal(session: Session, account_id: str, user_name: str, user_id: str | None, key_id: str) -> Principal:
    """An IAM user's principal; IAM's repo supplies path and tags when it is installed."""
    try:
        from rootplane.services.iam import repo as iam_repo  # imported lazily: IAM is optional at this layer
    except ModuleNotFoundError:
        iam_repo = None
    user = iam_repo.find_user(session, account_id, user_name) if iam_repo and hasattr(iam_repo, "find_user") else None
    path = getattr(user, "path", "/") if user is not None else "/"
    tags = tuple(sorted((getattr(user, "tags", None) or {}).items())) if user is not None else ()
    return Principal(
        kind=IAM_USER,
        account_id=account_id,
        arn=f"arn:aws:iam::{account_id}:user{path}{user_name}",
        user_id=getattr(user, "user_id", None) or user_id or user_name,
        name=user_name,
        path=path,
        access_key_id=key_id,
        tags=tags,
    )


def resolve_access_key(store: Store, access_key_id: str) -> ResolvedCredential | None:
    """Find a long-term key or a temporary session by access key id. A root user's key is read in plain SQL
    (services/accounts/plain.py: the first GetCallerIdentity loads no model, and on a SQLite file no SQLAlchemy:
    issue #19); an IAM user's key and a temporary session also read the ORM's rows."""
    with store.plain(write=False) as sql:
        key = plain.find_access_key(sql, access_key_id)
    if key is not None and key.user_name is None:
        principal = Principal(kind=ROOT, account_id=key.account_id, arn=root_arn(key.account_id),
                              user_id=key.account_id, access_key_id=access_key_id)
        return _long_term(access_key_id, key, principal)
    from rootplane.services.accounts import repo as accounts

    with store.transaction(write=False) as session:
        if key is not None:  # read again in the snapshot its user is read in (not a user deleted meanwhile)
            key = plain.find_access_key(EngineSql(session.connection()), access_key_id)
        if key is not None:
            principal = user_principal(session, key.account_id, key.user_name, key.user_id, access_key_id)
            return _long_term(access_key_id, key, principal)
        temporary = accounts.find_temporary_session(session, access_key_id)
        if temporary is None or temporary.revoked:
            return None
        account = accounts.find_account(session, temporary.account_id)
        return ResolvedCredential(
            access_key_id, temporary.secret_access_key, Principal.from_json(temporary.principal),
            temporary.session_token_sha256, True, account.status if account is not None else "SUSPENDED",
        )


def _long_term(access_key_id: str, key: plain.AccessKeyRow, principal: Principal) -> ResolvedCredential:
    """A long-term key (a ``plain.find_access_key`` row) of ``principal``."""
    return ResolvedCredential(access_key_id, key.secret_access_key, principal, None, key.status == "Active",
                              key.account_status or "SUSPENDED")


class CredentialCache:
    """A small TTL cache in front of ``resolve_access_key``.

    Same-process changes invalidate entries at once (``forget``); other replicas see changes within ``ttl``.
    """

    def __init__(self, ttl: float = 2.0, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, ResolvedCredential | None]] = {}
        self._lock = threading.Lock()

    def get(self, access_key_id: str, load) -> ResolvedCredential | None:
        now = time.monotonic()
        entry = self._entries.get(access_key_id)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = load()
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[access_key_id] = (now + self.ttl, value)
        return value

    def forget(self, access_key_id: str | None = None) -> None:
        """Drop one key, or everything."""
        with self._lock:
            if access_key_id is None:
                self._entries.clear()
            else:
                self._entries.pop(access_key_id, None)
