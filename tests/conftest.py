"""Shared fixtures: a live server per test module (isolated state), PostgreSQL URL when available."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import Server, start_server  # noqa: E402

POSTGRES_URL = os.environ.get("ROOTPLANE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


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


def postgres_database() -> str | None:
    """Create a fresh PostgreSQL database for one test and return its URL; None when PostgreSQL is unreachable."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover
        return None
    admin_url = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    name = f"rootplane_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return None
    base = POSTGRES_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def drop_postgres_database(url: str) -> None:
    import psycopg

    admin_url = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_server(request) -> Server:
    """A fresh server on SQLite and on PostgreSQL (CI runs both; PostgreSQL must be reachable in CI)."""
    if request.param == "sqlite":
        running = start_server()
        yield running
        running.close()
        return
    url = postgres_database()
    if url is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not reachable at 127.0.0.1:5432 but CI must run the PostgreSQL store tests")
        pytest.skip("PostgreSQL not reachable")
    running = start_server(database_url=url)
    yield running
    running.close()
    drop_postgres_database(url)
