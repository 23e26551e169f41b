"""The bootstrap account: created once, on the first start, with a root access key.

From then on that key is an ordinary root access key: ``ListAccessKeys`` (as root) lists it, ``UpdateAccessKey``
and ``DeleteAccessKey`` revoke it, and a later start never brings it back (bootstrap runs only when the account
is created). It has a real 20-character id (``AKIA…``, as the AWS CLI's and boto3's parameter validation
wants); when the configured access key id (``--bootstrap-access-key``, default ``test``, the LocalStack
convention) is not a valid id itself, the real one is derived from it and the account id, and the configured
one is accepted as an alias of it for signing: while the real key is active, ``test``/``test`` works out of the
box; once it is deactivated or deleted, ``test`` is refused like any unknown key. Requests signed with the
alias are recorded under the real id (CloudTrail ``accessKeyId``, access key last used): one key, one id.

``--root-password`` gives that root user a console password when it has none (a password set later through the
console or recovery is never overwritten).
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import TYPE_CHECKING

from rootplane.core.clock import Clock
from rootplane.core.config import ServerConfig
from rootplane.services.accounts import plain
from rootplane.store.plain_sql import EngineSql, PlainSql

if TYPE_CHECKING:
    from rootplane.store.engine import Store

__all__ = ["bootstrap", "bootstrap_in", "bootstrap_access_key_id", "key_aliases"]

#: IAM's AccessKeyId shape (min 16, max 128, pattern ``[\w]+``).
_ACCESS_KEY_ID = re.compile(r"\w{16,128}")


def bootstrap_access_key_id(config: ServerConfig) -> str:
    """The real id of the bootstrap root key: the configured one when it is a valid access key id, else
    ``AKIA`` + 16 base-32 characters derived from the account id and the configured id (stable across starts)."""
    configured = config.bootstrap_access_key
    if _ACCESS_KEY_ID.fullmatch(configured):
        return configured
    digest = hashlib.sha256(f"rootplane-bootstrap:{config.bootstrap_account_id}:{configured}".encode()).digest()
    return "AKIA" + base64.b32encode(digest).decode("ascii")[:16]


def key_aliases(config: ServerConfig) -> dict[str, str]:
    """Access key ids accepted for signing in place of a real one: ``{configured id: real id}`` (or nothing)."""
    real = bootstrap_access_key_id(config)
    return {} if real == config.bootstrap_access_key else {config.bootstrap_access_key: real}


def bootstrap(store: Store, config: ServerConfig, clock: Clock) -> bool:
    """Create the bootstrap account and its root key when the account does not exist yet. Returns True if it
    created them. An existing account is left alone: a revoked bootstrap key stays revoked. Plain SQL (a start loads
    no model, and on a SQLite file no SQLAlchemy: issue #19), but for giving ``--root-password`` to an existing root
    user that has none."""
    with store.plain(writes=plain.ACCOUNT_TABLES) as sql:  # other servers' caches learn it
        created = _create(sql, config, clock)
    if not created and config.root_password:
        with store.transaction() as session:
            _set_root_password(session, config, clock)
    return created


def bootstrap_in(session, config: ServerConfig, clock: Clock) -> bool:
    """``bootstrap`` inside the caller's transaction (a reset wipes the store and bootstraps in one)."""
    created = _create(EngineSql(session.connection()), config, clock)
    if not created and config.root_password:
        _set_root_password(session, config, clock)
    return created


def _create(sql: PlainSql, config: ServerConfig, clock: Clock) -> bool:
    """Create the account and its root key unless the account exists (whose legacy key then gets its real id)."""
    if plain.account_exists(sql, config.bootstrap_account_id):
        _give_legacy_key_its_real_id(sql, config)
        return False
    plain.create_account(
        sql, account_id=config.bootstrap_account_id, name="rootplane", email=config.root_email,
        created_at=clock.now(), root_password_hash=_password_hash(config) if config.root_password else None,
        root_key_id=bootstrap_access_key_id(config), root_secret=config.bootstrap_secret_key)
    return True


def _set_root_password(session, config: ServerConfig, clock: Clock) -> None:
    """``--root-password`` for an existing root user that has no password yet."""
    from rootplane.services.accounts import repo as accounts

    account = accounts.find_account(session, config.bootstrap_account_id)
    if account is not None and not account.root_password_hash:
        account.root_password_hash = _password_hash(config)
        account.root_password_changed_at = clock.now()


def _give_legacy_key_its_real_id(sql: PlainSql, config: ServerConfig) -> None:
    """Stores bootstrapped before real ids kept the configured id (``test``) as the key's id, which IAM's
    clients cannot name; such a key is renamed to its real id once (the alias keeps signing working)."""
    for alias, real in key_aliases(config).items():
        legacy = plain.find_access_key(sql, alias)
        if legacy is not None and legacy.user_name is None and plain.find_access_key(sql, real) is None:
            plain.rename_access_key(sql, alias, real)


def _password_hash(config: ServerConfig) -> str:
    """The hash of ``--root-password`` (IAM's password module loads only for it)."""
    from rootplane.services.iam import passwords

    return passwords.hash_password(config.root_password)
