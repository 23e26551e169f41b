"""The store: answered writes survive kill -9, restarts keep state, SIGTERM shuts down cleanly; SQLite and PostgreSQL."""

from __future__ import annotations

import signal
import threading
import uuid

import botocore.exceptions
from botocore.config import Config

from harness import BOOT_ACCOUNT


def test_answered_writes_survive_kill_9_and_restart(store_server):
    issued = [store_server.client("sts").get_session_token(DurationSeconds=3600)["Credentials"] for _ in range(5)]
    store_server.restart(kill=True)
    for credentials in issued:
        identity = store_server.client_for(credentials, "sts").get_caller_identity()
        assert identity["Account"] == BOOT_ACCOUNT


def test_concurrent_answered_writes_survive_kill_9_mid_load(store_server):
    """Group commit: writers of 8 threads share fsyncs; every CreateUser answered 200 before the kill is stored."""
    prefix = f"gc{uuid.uuid4().hex[:6]}"
    answered: list[str] = []
    stop = threading.Event()

    def writer(number: int) -> None:
        iam = store_server.client("iam", config=Config(retries={"max_attempts": 0}, connect_timeout=2, read_timeout=5))
        for index in range(10_000):
            if stop.is_set():
                return
            name = f"{prefix}-{number}-{index}"
            try:
                iam.create_user(UserName=name)
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
                return  # the server is gone: this write was never acknowledged
            answered.append(name)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    while len(answered) < 80 and all(thread.is_alive() for thread in threads):
        threading.Event().wait(0.05)
    store_server.restart(kill=True)
    stop.set()
    for thread in threads:
        thread.join(30)
    assert len(answered) >= 80
    iam = store_server.client("iam")
    stored = {user["UserName"] for page in iam.get_paginator("list_users").paginate() for user in page["Users"]}
    assert set(answered) <= stored


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

