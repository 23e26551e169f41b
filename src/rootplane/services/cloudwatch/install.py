"""Wire the alarm evaluator into the server: a background thread on the gateway's store and clock.

The evaluator (evaluator.py: CloudWatch's and SNS's tables, SNS delivery, the ORM) loads when the store first holds
an alarm, not at start (issue #19: first answer and idle memory). Until then each tick only asks the store whether
an alarm exists, in plain SQL; that also finds the alarms of an earlier run and those other processes create.
"""

from __future__ import annotations

import atexit

from rootplane.core.clock import Clock
from rootplane.store.engine import Store
from rootplane.store.ticker import TICK_SECONDS, StoreTicker, Step

__all__ = ["install", "AlarmEvaluator", "ALARMS_TABLE", "TICK_SECONDS"]

#: ``tables.AlarmRow``'s table, named here so that the check for alarms maps no table (a unit test keeps them equal).
ALARMS_TABLE = "cloudwatch_alarms"


def _load() -> Step:
    from rootplane.services.cloudwatch.evaluator import step

    return step


class AlarmEvaluator(StoreTicker):
    """The background thread that evaluates due alarms every ``TICK_SECONDS`` once the store holds any."""

    def __init__(self, store: Store, clock: Clock) -> None:
        super().__init__(store, clock, name="cloudwatch-alarms", probe=f"SELECT 1 FROM {ALARMS_TABLE} LIMIT 1",
                         load=_load)


def install(app) -> AlarmEvaluator:
    """Start the alarm evaluator of ``app.gateway`` (stopped at exit)."""
    evaluator = AlarmEvaluator(app.gateway.store, app.gateway.clock)
    evaluator.start()
    atexit.register(evaluator.close)
    app.alarm_evaluator = evaluator
    return evaluator
