"""Background work on the store: a daemon thread that runs a step every ``TICK_SECONDS`` of real time.

The step's module (often the ORM and a service's tables) loads only once a plain-SQL probe first finds something to
do (issue #19: first answer and idle memory); the probe also finds what an earlier run or another process stored.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from rootplane.core.clock import Clock
from rootplane.store.engine import Store, StoreUnavailable

__all__ = ["StoreTicker", "TICK_SECONDS"]

log = logging.getLogger("rootplane")

TICK_SECONDS = 0.5
Step = Callable[[Store, Clock], int]


class StoreTicker:
    """Runs ``load()``'s step on ``store`` at ``clock``'s now every tick, once ``probe`` (plain SQL) finds a row."""

    def __init__(self, store: Store, clock: Clock, *, name: str, probe: str, load: Callable[[], Step]) -> None:
        self.store = store
        self.clock = clock
        self._probe = probe
        self._load = load
        self._step: Step | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    @property
    def loaded(self) -> bool:
        """Whether the step has been loaded (the probe has found a row)."""
        return self._step is not None

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def tick(self) -> int:
        """One pass: nothing until the probe finds a row, then the step; what the step returns."""
        if self._step is None:
            if self.store.read_scalar(self._probe) is None:
                return 0
            self._step = self._load()
        return self._step(self.store, self.clock)

    def _run(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            try:
                self.tick()
            except StoreUnavailable as error:  # an outage: the next pass retries, no traceback per tick
                log.warning("%s waits for the store: %s", self._thread.name, error)
            except Exception:  # noqa: BLE001 - one failed pass must not stop the thread
                log.exception("%s failed", self._thread.name)
