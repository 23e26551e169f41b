"""Load: 2 servers x 8 client threads of mixed reads and writes on one PostgreSQL database, for a bounded time;
afterwards every acknowledged write is present and every invariant holds (tests/loadmix.py)."""

from __future__ import annotations

import pytest
from harness import drop_postgres_database, required_postgres_database, start_server
from loadmix import prepare, run_load, verify

SECONDS = 10


@pytest.fixture
def servers():
    url = required_postgres_database()
    first = start_server(database_url=url)
    second = start_server(database_url=url)
    yield [first, second]
    first.close()
    second.close()
    drop_postgres_database(url)


def test_two_servers_under_mixed_load_lose_nothing_and_keep_every_invariant(servers):
    world = prepare(servers)
    ledger = run_load(servers, world, SECONDS)
    assert ledger.operations > 50 and ledger.users and ledger.objects and ledger.messages, ledger
    assert ledger.root_sessions > 0 and ledger.unavailable == 0
    verify(servers[1], world, ledger)
    for server in servers:
        log = server.log()
        assert "Traceback" not in log, log[log.find("Traceback") - 300:][:3000]
