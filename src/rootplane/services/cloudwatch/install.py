"""Wire the alarm evaluator into the server: a background thread on the gateway's store and clock.

The evaluator (evaluator.py: CloudWatch's and SNS's tables, SNS delivery, the ORM) loads when the store first holds
an alarm, not at start (issue #19: first answer and idle memory). Until then each tick only asks the store whether
an alarm exists, in plain SQL; that also finds the alarms of an earlier run and those other processes create.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable

from rootplane.core.clock import Clock
from rootplane.store.engine import Store, StoreUnavailable

__all__ = ["install", "AlarmEvaluator", "ALARMS_TABLE", "TICK_SECONDS"]

log = logging.getLogger("rootplane.cloudwatch")

TICK_SECONDS = 0.5
#: ``tables.AlarmRow``'s table, named here so that the check for alarms maps no table (a unit test keeps them equal).
ALARMS_TABLE = "cloudwatch_alarms"


class AlarmEvaluator:
    """The background thread that evaluates due alarms every ``TICK_SECONDS`` once the store holds any."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self._step: Callable[[Store, Clock], int] | None = None  # evaluator.step, once an alarm exists
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cloudwatch-alarms", daemon=True)

    @property
    def loaded(self) -> bool:
        """Whether the evaluator has been loaded (the store has held an alarm)."""
        return self._step is not None

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def tick(self) -> int:
        """One pass: nothing until an alarm exists, then the evaluator's step; how many alarms were evaluated."""
        if self._step is None:
            if self.store.read_scalar(f"SELECT 1 FROM {ALARMS_TABLE} LIMIT 1") is None:
                return 0
            from rootplane.services.cloudwatch.evaluator import step

            self._step = step
        return self._step(self.store, self.clock)

    def _run(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            try:
                self.tick()
            except StoreUnavailable as error:  # an outage: the next pass retries, no traceback per tick
                log.warning("alarm evaluation waits for the store: %s", error)
            except Exception:  # noqa: BLE001 - one failed pass must not stop the evaluator
                log.exception("alarm evaluation failed")


def install(app) -> AlarmEvaluator:
    """Start the alarm evaluator of ``app.gateway`` (stopped at exit)."""
    evaluator = AlarmEvaluator(app.gateway.store, app.gateway.clock)
    evaluator.start()
    atexit.register(evaluator.close)
    app.alarm_evaluator = evaluator
    return evaluator
