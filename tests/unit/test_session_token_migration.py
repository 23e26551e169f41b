"""Revision 0002: temporary sessions keep a SHA-256 of their token; sessions stored in clear are dropped."""

import datetime as dt

from alembic import command
from sqlalchemy import inspect, text

from rootplane.store.engine import Store
from rootplane.store.migrate import alembic_config

_SESSION = {"k": "ASIAEXAMPLE000000001", "s": "secret", "t": "FQoGZXIvYXdzE-clear-token", "a": "000000000000",
            "p": "{}", "c": dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
            "e": dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc)}


def _columns(empty_store: Store) -> list[str]:
    return [column["name"] for column in inspect(empty_store.engine).get_columns("temporary_sessions")]


def test_upgrade_drops_clear_tokens_and_keeps_digests_only(empty_store):
    config = alembic_config(empty_store.engine)
    command.upgrade(config, "0001")
    with empty_store.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO temporary_sessions (access_key_id, secret_access_key, session_token, account_id, principal, "
            "created_at, expires_at, revoked) VALUES (:k, :s, :t, :a, :p, :c, :e, false)"), _SESSION)
    command.upgrade(config, "0002")
    assert "session_token" not in _columns(empty_store) and "session_token_sha256" in _columns(empty_store)
    with empty_store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM temporary_sessions")).scalar() == 0
    command.downgrade(config, "0001")
    assert "session_token" in _columns(empty_store) and "session_token_sha256" not in _columns(empty_store)
