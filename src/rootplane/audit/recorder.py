"""The background writer: ApiCalls in (bounded deque), CloudTrail rows and deliveries out, in batches.

The request thread only appends the call to a deque (no lock, no wake-up per call). One daemon thread drains it, turns calls into records
(:mod:`rootplane.audit.record`), inserts a batch with two executemany statements of plain rows in one transaction and
hands the whole batch to each consumer (EventBridge rules, trail log files) in the same transaction, each inside a
savepoint so a failing consumer never loses records. ``flush()`` waits until everything submitted is committed.
"""

from __future__ import annotations

import datetime as _dt
import collections
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from rootplane.audit.call import ApiCall
from rootplane.audit.record import Recorded, records_for
from rootplane.core.clock import Clock
from rootplane.services.cloudtrail import repo
from rootplane.store.engine import Store

__all__ = ["Recorder"]

log = logging.getLogger("rootplane.audit")

_PRUNE_EVERY = 600.0  # seconds of wall time between retention sweeps
_STOP = object()
_COMPACT = json.JSONEncoder(separators=(",", ":"))  # json.dumps(..., separators=...) builds one per call

Consumer = Callable[[Session, list[Recorded]], None]


def _new_event(recorded: Recorded) -> repo.NewEvent:
    record = recorded.record
    resources = tuple((r["type"], r["name"]) for r in recorded.resources)
    deciding = recorded.deciding_statement
    return repo.NewEvent(
        record["eventID"], recorded.account_id, recorded.region, recorded.event_time, record["eventName"],
        record["eventSource"], record["readOnly"], recorded.username, record["userIdentity"].get("accessKeyId") or "",
        json.dumps(resources) if resources else "[]", _COMPACT.encode(record),
        json.dumps(deciding) if deciding else None, resources)


class Recorder:
    """Owns the writer thread. ``submit`` is the gateway's audit sink (cheap: one deque append)."""

    def __init__(self, store: Store, clock: Clock, consumers: Sequence[Consumer] = (), *,
                 capacity: int = 10000, batch_size: int = 500, linger: float = 0.05,
                 retention: _dt.timedelta = _dt.timedelta(days=90)) -> None:
        self.store = store
        self.retention = retention
        self.linger = linger
        self.clock = clock
        self.consumers = list(consumers)
        self.batch_size = batch_size
        self.capacity = capacity
        self._pending: collections.deque = collections.deque()
        self._wake = threading.Event()  # work arrived (set once per batch, not per call)
        self._now = threading.Event()  # a flush or stop wants the write without lingering
        self._last_prune = float("-inf")  # the first batch sweeps
        self._thread = threading.Thread(target=self._run, name="rootplane-audit", daemon=True)
        self._thread.start()

    def submit(self, call: ApiCall) -> None:
        """Accept a call for recording: an append, no lock and no thread wake-up per call (the writer wakes once per
        batch). Blocks only while ``capacity`` calls are pending: back-pressure, never loss."""
        while len(self._pending) >= self.capacity:
            self._now.set()
            self._wake.set()
            time.sleep(0.001)
        self._pending.append(call)
        if not self._wake.is_set():
            self._wake.set()

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every call submitted so far is written (or ``timeout`` passes)."""
        done = threading.Event()
        self._urgent(done)
        done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is pending and stop the thread."""
        if self._thread.is_alive():
            self._urgent(_STOP)
            self._thread.join(timeout)

    def _urgent(self, marker) -> None:
        self._pending.append(marker)
        self._now.set()
        self._wake.set()

    # -- writer thread -----------------------------------------------------------------------------------------
    def _run(self) -> None:
        """Wait for work, gather for up to ``linger`` seconds (one commit for many requests) unless a flush or stop
        asks for the write now, then write everything pending in batches of ``batch_size``."""
        while True:
            self._wake.wait()
            self._now.wait(self.linger)
            self._wake.clear()
            self._now.clear()
            while self._pending:
                items = [self._pending.popleft() for _ in range(min(self.batch_size, len(self._pending)))]
                calls = [item for item in items if isinstance(item, ApiCall)]
                try:
                    self._write(calls)
                except Exception:  # noqa: BLE001 - the writer must survive a bad batch
                    log.exception("could not write %d audit records", len(calls))
                for item in items:
                    if isinstance(item, threading.Event):
                        item.set()
                if any(item is _STOP for item in items):
                    return

    def _write(self, calls: list[ApiCall]) -> None:
        recorded = [r for call in calls for r in records_for(call)]
        prune = time.monotonic() - self._last_prune > _PRUNE_EVERY
        if not recorded and not prune:
            return
        with self.store.transaction() as session:
            if prune:
                repo.delete_events_before(session, self.clock.now() - self.retention)
                self._last_prune = time.monotonic()
            repo.put_events(session, [_new_event(r) for r in recorded])
            if recorded:
                for consumer in self.consumers:
                    self._consume(session, consumer, recorded)

    @staticmethod
    def _consume(session: Session, consumer: Consumer, recorded: list[Recorded]) -> None:
        try:
            with session.begin_nested():
                consumer(session, recorded)
        except Exception:  # noqa: BLE001 - a failing consumer must not lose the records
            log.exception("audit consumer %s failed on %d records", getattr(consumer, "__name__", consumer),
                          len(recorded))
