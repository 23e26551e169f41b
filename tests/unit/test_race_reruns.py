"""A write that loses a race to another process on PostgreSQL runs again, in a fresh transaction, even when it loses
several times in a row (a name other servers create and delete in turn); anything else is not run again."""

import types

import pytest
from sqlalchemy.orm.exc import StaleDataError

from rootplane.audit.call import ApiCall
from rootplane.gateway.pipeline import RACE_RERUNS, Gateway


def _gateway(losses: int, kind: str = "postgresql", failure: Exception | None = None):
    """A gateway whose transactions lose ``losses`` races (or fail with ``failure``) before one succeeds."""
    attempts: list[int] = []

    def run_once(_handler, *_args, poll_deadline=None):
        attempts.append(len(attempts))
        if len(attempts) <= losses:
            raise failure or StaleDataError("UPDATE statement on table 't' expected to update 1 row(s); 0 matched.")
        return "answer"

    gateway = types.SimpleNamespace(store=types.SimpleNamespace(kind=kind), _run_once=run_once)
    return gateway, attempts


def _call() -> ApiCall:
    return ApiCall("request", "cloudwatch", "PutMetricAlarm", "us-east-1", None, None, "127.0.0.1", "", {})


def test_a_write_that_loses_three_times_in_a_row_still_answers():
    gateway, attempts = _gateway(losses=3)
    assert Gateway._run(gateway, None, _call()) == "answer"
    assert len(attempts) == 4


def test_the_reruns_are_bounded_and_other_failures_are_not_run_again():
    gateway, attempts = _gateway(losses=RACE_RERUNS + 1)
    with pytest.raises(StaleDataError):
        Gateway._run(gateway, None, _call())
    assert len(attempts) == RACE_RERUNS + 1
    gateway, attempts = _gateway(losses=1, failure=ValueError("a bug"))
    with pytest.raises(ValueError):
        Gateway._run(gateway, None, _call())
    gateway, attempts = _gateway(losses=1, kind="sqlite")  # SQLite's writers take turns: no race to lose
    with pytest.raises(StaleDataError):
        Gateway._run(gateway, None, _call())
    assert len(attempts) == 1
