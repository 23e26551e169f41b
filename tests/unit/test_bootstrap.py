"""gateway/bootstrap.py: the bootstrap key's real id, its alias, and that only a new account gets a key."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from rootplane.core.clock import FixedClock
from rootplane.core.config import ServerConfig
from rootplane.gateway.bootstrap import bootstrap, bootstrap_access_key_id, key_aliases
from rootplane.services.accounts import repo as accounts
from rootplane.schema import metadata
from rootplane.store.engine import Store

CLOCK = FixedClock(datetime(2026, 1, 1, tzinfo=timezone.utc))


@pytest.fixture
def store(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/bootstrap.db", metadata())
    store.migrate()
    yield store
    store.dispose()


def test_the_default_key_gets_a_real_stable_id_and_test_is_its_alias():
    config = ServerConfig()
    real = bootstrap_access_key_id(config)
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", real) and real == bootstrap_access_key_id(ServerConfig())
    assert key_aliases(config) == {"test": real}
    assert bootstrap_access_key_id(ServerConfig(bootstrap_account_id="111111111111")) != real
    configured = ServerConfig(bootstrap_access_key="AKIAIOSFODNN7EXAMPLE")
    assert bootstrap_access_key_id(configured) == "AKIAIOSFODNN7EXAMPLE" and key_aliases(configured) == {}


def _root_keys(store: Store) -> list[str]:
    with store.transaction(write=False) as session:
        return [key.access_key_id for key in accounts.list_access_keys(session, "000000000000", None)]


def test_only_a_new_account_gets_the_key(store):
    config = ServerConfig()
    assert bootstrap(store, config, CLOCK) is True
    assert _root_keys(store) == [bootstrap_access_key_id(config)]
    with store.transaction() as session:
        session.delete(accounts.find_access_key(session, bootstrap_access_key_id(config)))
    assert bootstrap(store, config, CLOCK) is False
    assert _root_keys(store) == []


def test_a_store_bootstrapped_with_the_alias_as_id_is_renamed_once(store):
    config = ServerConfig()
    bootstrap(store, config, CLOCK)
    with store.transaction() as session:  # how stores bootstrapped before real ids look
        accounts.find_access_key(session, bootstrap_access_key_id(config)).access_key_id = "test"
    assert _root_keys(store) == ["test"]
    assert bootstrap(store, config, CLOCK) is False
    assert _root_keys(store) == [bootstrap_access_key_id(config)]


def test_the_root_password_is_given_to_a_new_root_user_and_to_one_without_a_password_only(store):
    from rootplane.services.iam import passwords

    assert bootstrap(store, ServerConfig(root_password="First-Passw0rd!"), CLOCK) is True
    with store.transaction() as session:
        account = accounts.find_account(session, "000000000000")
        assert passwords.verify_password(account.root_password_hash, "First-Passw0rd!")
        assert account.root_password_changed_at == CLOCK.now()
    assert bootstrap(store, ServerConfig(root_password="Second-Passw0rd!"), CLOCK) is False  # has one: kept
    with store.transaction() as session:
        account = accounts.find_account(session, "000000000000")
        assert passwords.verify_password(account.root_password_hash, "First-Passw0rd!")
        account.root_password_hash = None  # a root user without a password (as before --root-password was used)
    assert bootstrap(store, ServerConfig(root_password="Second-Passw0rd!"), CLOCK) is False
    with store.transaction(write=False) as session:
        assert passwords.verify_password(accounts.find_account(session, "000000000000").root_password_hash,
                                         "Second-Passw0rd!")
