"""Shared fixtures: a live server per test module (isolated state), PostgreSQL URL when available."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import Server, drop_postgres_database, required_postgres_database, start_server  # noqa: E402


_DEV_NULL_MODE = os.stat(os.devnull).st_mode


@pytest.fixture(autouse=True)
def _machine_left_intact():
    """Fail the test that changes /dev/null's mode: tests run as root, and a client told to write a secret file
    there (the AWS CLI's --outfile does fchmod 0600) locks every other user out of it, RabbitMQ's monitors included,
    whose failing retries then spin on the CPU for the rest of the run."""
    yield
    mode = os.stat(os.devnull).st_mode
    assert mode == _DEV_NULL_MODE, f"this test changed {os.devnull}'s mode to {oct(mode)}: write to tmp_path instead"


@pytest.fixture(scope="module")
def server() -> Server:
    """A fresh server (own SQLite store) for each test module, started with --time-travel."""
    running = start_server(args=("--time-travel",))
    yield running
    running.close()


@pytest.fixture
def unique() -> str:
    """A short unique suffix for names in shared-server tests."""
    return uuid.uuid4().hex[:10]


@pytest.fixture(params=["sqlite", "postgresql"])
def store_server(request) -> Server:
    """A fresh server on SQLite and on PostgreSQL (CI runs both; PostgreSQL must be reachable in CI)."""
    if request.param == "sqlite":
        running = start_server()
        yield running
        running.close()
        return
    url = required_postgres_database()
    running = start_server(database_url=url)
    yield running
    running.close()
    drop_postgres_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store(request, tmp_path):
    """An empty, unmigrated Store on SQLite and on PostgreSQL (migration tests upgrade it step by step)."""
    from rootplane.schema import metadata
    from rootplane.store.engine import Store

    url = f"sqlite:///{tmp_path / 'db.sqlite'}" if request.param == "sqlite" else required_postgres_database()
    opened = Store(url, metadata())
    yield opened
    opened.dispose()
    if request.param == "postgresql":
        drop_postgres_database(url)


@pytest.fixture
def migrated_store(empty_store):
    """``empty_store`` migrated to the head revision."""
    empty_store.migrate()
    return empty_store
