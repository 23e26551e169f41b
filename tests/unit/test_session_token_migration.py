"""Revision 0002: temporary sessions keep a SHA-256 of their token; sessions stored in clear are dropped."""

import datetime as dt
import os

import pytest
from alembic import command
from harness import drop_postgres_database, postgres_database
from sqlalchemy import inspect, text

from rootplane.store.engine import Store
from rootplane.store.migrate import alembic_config

_SESSION = {"k": "ASIAEXAMPLE000000001", "s": "secret", "t": "FQoGZXIvYXdzE-clear-token", "a": "000000000000",
            "p": "{}", "c": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
            "e": dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc)}


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}" if request.param == "sqlite" else postgres_database()
    if url is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL must be reachable in CI")
        pytest.skip("PostgreSQL not reachable")
    opened = Store(url)
    yield opened
    opened.dispose()
    if request.param == "postgresql":
        drop_postgres_database(url)


def _columns(store: Store) -> list[str]:
    return [column["name"] for column in inspect(store.engine).get_columns("temporary_sessions")]


def test_upgrade_drops_clear_tokens_and_keeps_digests_only(store):
    config = alembic_config(store.engine)
    command.upgrade(config, "0001")
    with store.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO temporary_sessions (access_key_id, secret_access_key, session_token, account_id, principal, "
            "created_at, expires_at, revoked) VALUES (:k, :s, :t, :a, :p, :c, :e, false)"), _SESSION)
    command.upgrade(config, "0002")
    assert "session_token" not in _columns(store) and "session_token_sha256" in _columns(store)
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM temporary_sessions")).scalar() == 0
    command.downgrade(config, "0001")
    assert "session_token" in _columns(store) and "session_token_sha256" not in _columns(store)
