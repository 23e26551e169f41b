"""The background writer: ApiCalls in (bounded queue), CloudTrail rows and EventBridge deliveries out, in batches.

One daemon thread drains the queue, turns calls into records (:mod:`rootplane.audit.record`), inserts a batch in
one transaction and hands each record to the delivery callback in the same transaction (each delivery inside a
savepoint, so one failing target never loses records). ``flush()`` waits until everything submitted is committed.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import queue
import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from rootplane.audit.call import ApiCall
from rootplane.audit.record import Recorded, records_for
from rootplane.core.clock import Clock
from rootplane.services.cloudtrail import repo
from rootplane.services.cloudtrail.tables import EventRow
from rootplane.store.engine import Store

__all__ = ["Recorder", "RETENTION"]

log = logging.getLogger("rootplane.audit")

RETENTION = _dt.timedelta(days=90)
_PRUNE_EVERY = 600.0  # seconds of wall time between retention sweeps
_STOP = object()

Deliver = Callable[[Session, Recorded], None]


def _new_event(recorded: Recorded) -> repo.NewEvent:
    record = recorded.record
    resources = tuple((r["type"], r["name"]) for r in recorded.resources)
    row = EventRow(
        event_id=record["eventID"], account_id=recorded.account_id, region=recorded.region,
        event_time=recorded.event_time,
        event_name=record["eventName"], event_source=record["eventSource"], read_only=record["readOnly"],
        username=recorded.username, access_key_id=record["userIdentity"].get("accessKeyId") or "",
        resources=json.dumps(resources), record=json.dumps(record, separators=(",", ":")),
    )
    return repo.NewEvent(row, resources)


class Recorder:
    """Owns the writer thread. ``submit`` is the gateway's audit sink (cheap: one queue put)."""

    def __init__(self, store: Store, clock: Clock, deliver: Deliver | None = None, *,
                 capacity: int = 10000, batch_size: int = 500) -> None:
        self.store = store
        self.clock = clock
        self.deliver = deliver
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
    def _run(self) -> None:
        while True:
            items = [self._queue.get()]
            while len(items) < self.batch_size:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
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
            session.flush()
            if self.deliver is not None:
                for item in recorded:
                    self._deliver_one(session, item)

    def _deliver_one(self, session: Session, item: Recorded) -> None:
        try:
            with session.begin_nested():
                self.deliver(session, item)
        except Exception:  # noqa: BLE001 - a failing target must not lose the records
            log.exception("EventBridge delivery of %s failed", item.record.get("eventID"))
