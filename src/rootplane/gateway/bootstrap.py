"""First start: create the standalone bootstrap account whose root user owns the configured access key.

``--root-password`` gives that root user a console password when it has none (a password set later through the
console or recovery is never overwritten).
"""

from __future__ import annotations

from rootplane.core.clock import Clock
from rootplane.core.config import ServerConfig
from rootplane.services.accounts import repo as accounts
from rootplane.services.accounts.tables import AccessKeyRow, AccountRow
from rootplane.services.iam import passwords
from rootplane.store.engine import Store

__all__ = ["bootstrap"]


def bootstrap(store: Store, config: ServerConfig, clock: Clock) -> bool:
    """Create the bootstrap account and root key when the store has neither. Returns True if it created them."""
    with store.transaction() as session:
        created = False
        if accounts.find_account(session, config.bootstrap_account_id) is None:
            accounts.put_account(session, AccountRow(
                account_id=config.bootstrap_account_id, name="rootplane", email=config.root_email,
                status="ACTIVE", created_at=clock.now(),
            ))
            created = True
        account = accounts.find_account(session, config.bootstrap_account_id) if config.root_password else None
        if account is not None and not account.root_password_hash:
            account.root_password_hash = passwords.hash_password(config.root_password)
            account.root_password_changed_at = clock.now()
        if accounts.find_access_key(session, config.bootstrap_access_key) is None:
            session.flush()
            accounts.put_access_key(session, AccessKeyRow(
                access_key_id=config.bootstrap_access_key, secret_access_key=config.bootstrap_secret_key,
                account_id=config.bootstrap_account_id, user_name=None, status="Active", created_at=clock.now(),
            ))
            created = True
        return created
