"""Pure parts of console sign-in: the throttle's back-off and AWS's root password rules."""

from __future__ import annotations

import datetime as _dt

import pytest
from harness import sqlite_store

from rootplane.console.throttle import Throttle
from rootplane.services.iam.passwords import root_password_problem
from rootplane.schema import metadata

T0 = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)


@pytest.fixture
def store(tmp_path):
    """The throttle's counters live in the store (services/signin): a SQLite store with every table."""
    with sqlite_store(tmp_path, metadata()) as store:
        yield store


class _InStore:
    """The throttle's calls, each in its own transaction (as the console makes them)."""

    def __init__(self, store, throttle: Throttle) -> None:
        self.store, self.throttle = store, throttle

    def failed(self, key: str, now: _dt.datetime) -> None:
        with self.store.transaction() as session:
            self.throttle.failed(session, key, now)

    def locked(self, key: str, now: _dt.datetime) -> bool:
        with self.store.transaction(write=False) as session:
            return self.throttle.locked(session, key, now)

    def succeeded(self, key: str) -> None:
        with self.store.transaction() as session:
            self.throttle.succeeded(session, key)


def test_throttle_locks_after_free_failures_and_doubles(store):
    throttle = _InStore(store, Throttle(free_failures=3, base_seconds=60))
    for _ in range(2):
        throttle.failed("k", T0)
    assert not throttle.locked("k", T0)
    throttle.failed("k", T0)
    assert throttle.locked("k", T0 + _dt.timedelta(seconds=59))
    assert not throttle.locked("k", T0 + _dt.timedelta(seconds=60))
    throttle.failed("k", T0 + _dt.timedelta(seconds=61))  # the next failure doubles the wait
    assert throttle.locked("k", T0 + _dt.timedelta(seconds=61 + 119))
    assert not throttle.locked("other", T0)


def test_throttle_success_and_quiet_window_clear_the_count(store):
    throttle = _InStore(store, Throttle(free_failures=2, base_seconds=60, window=_dt.timedelta(minutes=15)))
    throttle.failed("k", T0)
    throttle.succeeded("k")
    throttle.failed("k", T0)
    assert not throttle.locked("k", T0)
    throttle.failed("k", T0 + _dt.timedelta(minutes=16))  # the earlier failure is forgotten
    assert not throttle.locked("k", T0 + _dt.timedelta(minutes=16))


def test_throttle_keeps_a_lock_longer_than_the_quiet_window(store):
    throttle = _InStore(store, Throttle(free_failures=1, base_seconds=3600, window=_dt.timedelta(minutes=15)))
    throttle.failed("k", T0)
    throttle.failed("other", T0 + _dt.timedelta(minutes=20))  # prunes quiet keys, never a locked one
    assert throttle.locked("k", T0 + _dt.timedelta(minutes=30))


@pytest.mark.parametrize("password, problem", [
    ("Short1!", "8 to 128"),
    ("a" * 120 + "B1!" + "c" * 6, "8 to 128"),
    ("alllowercase1", "at least three"),
    ("ALLUPPER!!", "at least three"),
    ("Name-0f-Account", "account name or email"),
    ("Good-Passw0rd", None),
    ("lower+UPPER=", None),
])
def test_root_password_rules(password, problem):
    found = root_password_problem(password, "name-0f-account", "root@example.com")
    assert (found is None) if problem is None else (problem in found)
