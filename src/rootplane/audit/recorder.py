"""The background writer: ApiCalls in (bounded queue), CloudTrail rows and deliveries out, in batches.

The request thread only puts the call on the queue. One daemon thread drains it, turns calls into records
(:mod:`rootplane.audit.record`), inserts a batch with two executemany statements in one transaction and hands the
whole batch to each consumer (EventBridge rules, trail log files) in the same transaction, each inside a savepoint
so a failing consumer never loses records. ``flush()`` waits until everything submitted is committed.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from rootplane.audit.call import ApiCall
from rootplane.audit.record import Recorded, records_for
from rootplane.core.clock import Clock
from rootplane.services.cloudtrail import repo
from rootplane.store.engine import Store

__all__ = ["Recorder", "RETENTION"]

log = logging.getLogger("rootplane.audit")

RETENTION = _dt.timedelta(days=90)
_PRUNE_EVERY = 600.0  # seconds of wall time between retention sweeps
_STOP = object()

Consumer = Callable[[Session, list[Recorded]], None]


def _new_event(recorded: Recorded) -> repo.NewEvent:
    record = recorded.record
    resources = tuple((r["type"], r["name"]) for r in recorded.resources)
    values = {
        "event_id": record["eventID"], "account_id": recorded.account_id, "region": recorded.region,
        "event_time": recorded.event_time, "event_name": record["eventName"], "event_source": record["eventSource"],
        "read_only": record["readOnly"], "username": recorded.username,
        "access_key_id": record["userIdentity"].get("accessKeyId") or "",
        "resources": json.dumps(resources), "record": json.dumps(record, separators=(",", ":")),
        "deciding_statement": json.dumps(recorded.deciding_statement) if recorded.deciding_statement else None,
    }
    return repo.NewEvent(values, resources)


class Recorder:
    """Owns the writer thread. ``submit`` is the gateway's audit sink (cheap: one queue put)."""

    def __init__(self, store: Store, clock: Clock, consumers: Sequence[Consumer] = (), *,
                 capacity: int = 10000, batch_size: int = 500, linger: float = 0.05) -> None:
        self.store = store
        self.linger = linger
        self.clock = clock
        self.consumers = list(consumers)
        self.batch_size = batch_size
        self._queue: queue.Queue = queue.Queue(maxsize=capacity)
        self._last_prune = 0.0
        self._thread = threading.Thread(target=self._run, name="rootplane-audit", daemon=True)
        self._thread.start()

    def submit(self, call: ApiCall) -> None:
        """Accept a call for recording (blocks only when the queue is full: back-pressure, never loss)."""
        self._queue.put(call)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every call submitted so far is written (or ``timeout`` passes)."""
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is pending and stop the thread."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)

    # -- writer thread -----------------------------------------------------------------------------------------
    def _collect(self) -> list:
        """The next batch: waits for one item, then gathers more for up to ``linger`` seconds (one commit for many
        requests instead of one each) unless a flush or stop marker asks for the write now."""
        items = [self._queue.get()]
        deadline = time.monotonic() + self.linger
        while len(items) < self.batch_size and isinstance(items[-1], ApiCall):
            remaining = deadline - time.monotonic()
            try:
                items.append(self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait())
            except queue.Empty:
                break
        return items

    def _run(self) -> None:
        while True:
            items = self._collect()
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
                repo.delete_events_before(session, self.clock.now() - RETENTION)
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
