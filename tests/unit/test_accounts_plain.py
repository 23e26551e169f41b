"""The plain-SQL statements of services/accounts/plain.py (start-up and a root key's requests, without the ORM) write
and read the rows the mapped model (services/accounts/tables.py) reads and writes: on SQLite's own driver
(``Store.plain`` on a file, no SQLAlchemy), on a SQLAlchemy connection to SQLite, and on PostgreSQL."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest

from harness import drop_postgres_database, required_postgres_database, sqlite_store
from rootplane.schema import metadata
from rootplane.services.accounts import plain
from rootplane.services.accounts.tables import AccessKeyRow, AccountRow, TemporarySessionRow
from rootplane.store.engine import Store
from rootplane.store.plain_sql import DriverSql, EngineSql

AT = dt.datetime(2026, 12, 5, 6, 43, 1, 250000, tzinfo=dt.timezone.utc)


@pytest.fixture(params=["sqlite driver", "sqlite engine", "postgresql"])
def store_and_sql(request, tmp_path):
    """A store with every table, and how its tests open a plain-SQL unit of work."""
    if request.param == "postgresql":
        url = required_postgres_database()
        store = Store(url, metadata())
        metadata().create_all(store.engine)
        try:
            yield store, store.plain
        finally:
            store.dispose()
            drop_postgres_database(url)
        return
    with sqlite_store(tmp_path, metadata()) as store:
        if request.param == "sqlite driver":
            yield store, store.plain
        else:
            @contextlib.contextmanager
            def on_engine():
                with store.connection() as connection:
                    yield EngineSql(connection)
            yield store, on_engine


def test_plain_sql_on_a_sqlite_file_runs_on_the_driver(tmp_path):
    with sqlite_store(tmp_path, metadata()) as store:
        with store.plain() as sql:
            assert isinstance(sql, DriverSql)


def test_an_account_created_in_plain_sql_is_the_models_row(store_and_sql):
    store, plain_sql = store_and_sql
    with plain_sql() as sql:
        assert not plain.account_exists(sql, "111111111111")
        plain.create_account(sql, account_id="111111111111", name="n", email="root@example.com",
                             created_at=AT, root_password_hash="hash", root_key_id="AKIAEXAMPLEEXAMPLE01",
                             root_secret="secret")
        assert plain.account_exists(sql, "111111111111")
    with store.transaction(write=False) as session:
        account = session.get(AccountRow, "111111111111")
        assert (account.name, account.email, account.status) == ("n", "root@example.com", "ACTIVE")
        assert account.created_at == AT and account.root_password_changed_at == AT
        assert account.root_password_hash == "hash" and account.closed_at is None
        key = session.get(AccessKeyRow, "AKIAEXAMPLEEXAMPLE01")
        assert (key.secret_access_key, key.account_id, key.user_name, key.user_id, key.status) == (
            "secret", "111111111111", None, None, "Active")
        assert key.created_at == AT and key.last_used_at is None


def test_plain_sql_reads_renames_and_touches_the_models_keys(store_and_sql):
    store, plain_sql = store_and_sql
    with store.transaction() as session:
        session.add(AccountRow(account_id="111111111111", name="n", email="e", status="SUSPENDED", created_at=AT))
        session.flush()
        session.add(AccessKeyRow(access_key_id="test", secret_access_key="s", account_id="111111111111",
                                 user_name=None, status="Inactive", created_at=AT))
        session.add(TemporarySessionRow(access_key_id="ASIATEMPORARY", secret_access_key="t",
                                        session_token_sha256="0" * 64, account_id="111111111111", principal="{}",
                                        created_at=AT, expires_at=AT))
    with plain_sql() as sql:
        key = plain.find_access_key(sql, "test")
        assert (key.secret_access_key, key.account_id, key.user_name, key.status, key.account_status) == (
            "s", "111111111111", None, "Inactive", "SUSPENDED")
        assert plain.find_access_key(sql, "ASIATEMPORARY") is None  # long-term keys only
        plain.rename_access_key(sql, "test", "AKIAEXAMPLEEXAMPLE02")
        plain.touch_access_key(sql, "AKIAEXAMPLEEXAMPLE02", AT, "sts", "eu-west-1")
    with store.transaction(write=False) as session:
        assert session.get(AccessKeyRow, "test") is None
        key = session.get(AccessKeyRow, "AKIAEXAMPLEEXAMPLE02")
        assert (key.last_used_at, key.last_used_service, key.last_used_region) == (AT, "sts", "eu-west-1")


def test_the_tables_named_for_cache_invalidation_are_the_ones_written():
    assert set(plain.ACCOUNT_TABLES) == {AccountRow.__tablename__, AccessKeyRow.__tablename__}
