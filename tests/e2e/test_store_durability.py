"""The store: answered writes survive kill -9, restarts keep state, SIGTERM shuts down cleanly; SQLite and PostgreSQL."""

from __future__ import annotations

import signal

from harness import BOOT_ACCOUNT


def test_answered_writes_survive_kill_9_and_restart(store_server):
    issued = [store_server.client("sts").get_session_token(DurationSeconds=3600)["Credentials"] for _ in range(5)]
    store_server.restart(kill=True)
    for credentials in issued:
        identity = store_server.client_for(credentials, "sts").get_caller_identity()
        assert identity["Account"] == BOOT_ACCOUNT


def test_bootstrap_happens_once_and_state_persists_across_clean_restarts(store_server):
    credentials = store_server.client("sts").get_session_token()["Credentials"]
    store_server.restart()
    assert store_server.client_for(credentials, "sts").get_caller_identity()["Account"] == BOOT_ACCOUNT
    assert store_server.client("sts").get_caller_identity()["Account"] == BOOT_ACCOUNT


def test_health_names_the_store_kind(store_server, request):
    expected = "postgresql" if "postgresql" in request.node.name else "sqlite"
    assert store_server.get_json("/_rootplane/health")["store"] == expected


def test_sigterm_shuts_down_cleanly(store_server):
    store_server.process.send_signal(signal.SIGTERM)
    assert store_server.process.wait(timeout=15) == 0

