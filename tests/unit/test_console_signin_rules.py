"""Pure parts of console sign-in: the throttle's back-off and AWS's root password rules."""

from __future__ import annotations

import datetime as _dt

import pytest

from rootplane.console.throttle import Throttle
from rootplane.services.iam.passwords import root_password_problem

T0 = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)


def test_throttle_locks_after_free_failures_and_doubles():
    throttle = Throttle(free_failures=3, base_seconds=60)
    for _ in range(2):
        throttle.failed("k", T0)
    assert not throttle.locked("k", T0)
    throttle.failed("k", T0)
    assert throttle.locked("k", T0 + _dt.timedelta(seconds=59))
    assert not throttle.locked("k", T0 + _dt.timedelta(seconds=60))
    throttle.failed("k", T0 + _dt.timedelta(seconds=61))  # the next failure doubles the wait
    assert throttle.locked("k", T0 + _dt.timedelta(seconds=61 + 119))
    assert not throttle.locked("other", T0)


def test_throttle_success_and_quiet_window_clear_the_count():
    throttle = Throttle(free_failures=2, base_seconds=60, window=_dt.timedelta(minutes=15))
    throttle.failed("k", T0)
    throttle.succeeded("k")
    throttle.failed("k", T0)
    assert not throttle.locked("k", T0)
    throttle.failed("k", T0 + _dt.timedelta(minutes=16))  # the earlier failure is forgotten
    assert not throttle.locked("k", T0 + _dt.timedelta(minutes=16))


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
