"""The background writer: ApiCalls in (bounded deque), CloudTrail rows and deliveries out, in batches.

The request thread only appends the call to a deque (no lock, no wake-up per call). One daemon thread drains it, turns calls into records
(:mod:`rootplane.audit.record`), inserts a batch's plain rows in one transaction (store/bulk.py: multi-row statements on SQLite) and hands the
whole batch to each consumer (EventBridge rules, trail log files) in the same transaction, each inside a savepoint
so a failing consumer never loses records. A consumer first asks the store, in plain SQL, whether anything can
receive the batch (an enabled rule, a logging trail), so a store with none pays neither its queries nor the ORM
(issue #19); asked in the writing transaction, the answer is as current as the delivery itself would be, whichever
process created the rule or trail. ``flush()`` waits until everything submitted is committed.

While the store is unavailable (``StoreUnavailable.outage``: connection lost, locked, disk failing or full) the
writer keeps the batch, in order, and retries it with capped exponential back-off until the store returns; a retry
skips the events a lost commit answer may have stored already, so each record is stored and delivered once. Calls
keep queuing meanwhile: ``submit`` never waits during an outage (it may run on the server's event loop); past
``outage_capacity`` queued calls it drops the oldest and counts them (``status()``, the health endpoint). A batch
that fails for any other reason (a bug, bad data) is written again call by call, and a call whose own records fail
is logged and skipped, so it never blocks the queue nor costs the other calls their records.
"""

from __future__ import annotations

import collections
import datetime as _dt
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

import orjson

from rootplane.audit.call import ApiCall
from rootplane.audit.record import Recorded, for_records, records_for
from rootplane.core.clock import Clock
from rootplane.core.malloc import release_free_memory
from rootplane.store.engine import Store, is_outage

if TYPE_CHECKING:  # annotations only: the ORM loads with the first batch a consumer receives
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

    from rootplane.services.cloudtrail.plain import NewEvent

__all__ = ["Recorder", "Consumer"]

log = logging.getLogger("rootplane.audit")

_PRUNE_EVERY = 600.0  # seconds of wall time between retention sweeps
_RETRY_FIRST = 0.1  # seconds before the first retry of a batch the unavailable store refused (doubling to retry_cap)
_PRESSURE_WAIT = 1.0  # seconds submit waits at most for the writer when ``capacity`` calls are queued
_STOP = object()
_COMPACT = json.JSONEncoder(separators=(",", ":"))  # json.dumps(..., separators=...) builds one per call


class _Abandoned(Exception):
    """close() gave up waiting for the store."""


class Consumer(NamedTuple):
    """What receives each written batch: ``deliver`` it in the batch's transaction (an ORM session), when ``wants``
    (a plain-SQL probe on the transaction's connection; None: always) finds something that can receive it."""

    deliver: Callable[[Session, list[Recorded]], None]
    wants: Callable[[Connection, list[Recorded]], bool] | None = None


def _json(value: object) -> str:
    """Compact JSON text: orjson (a tenth of the standard encoder's CPU per record), or the standard encoder for
    what orjson refuses (an integer beyond 64 bits, a key that is not a string) so one odd request never loses a
    batch."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return _COMPACT.encode(value)


def _new_events(recorded: Sequence[Recorded]) -> list[NewEvent]:
    """The rows of a batch's records, their JSON encoded."""
    from rootplane.services.cloudtrail.plain import NewEvent  # loaded with the first batch: issue #19

    events = []
    for item in recorded:
        record = item.record
        resources = tuple([(r["type"], r["name"]) for r in item.resources]) if item.resources else ()
        deciding = item.deciding_statement
        events.append(NewEvent(
            record["eventID"], item.account_id, item.region, item.event_time, record["eventName"],
            record["eventSource"], record["readOnly"], item.username, record["userIdentity"].get("accessKeyId") or "",
            _json(resources) if resources else "[]", _json(record), _json(deciding) if deciding else None,
            resources))
    return events


class Recorder:
    """Owns the writer thread. ``submit`` is the gateway's audit sink (cheap: one deque append)."""

    def __init__(self, store: Store, clock: Clock, consumers: Sequence[Consumer] = (), *,
                 capacity: int = 2000, outage_capacity: int = 50000, batch_size: int = 500, linger: float = 0.2,
                 retention: _dt.timedelta = _dt.timedelta(days=90), retry_cap: float = 5.0) -> None:
        self.store = store
        self.retention = retention
        self.linger = linger
        self.clock = clock
        self.consumers = list(consumers)
        self.batch_size = batch_size
        self.capacity = capacity
        self.outage_capacity = max(outage_capacity, capacity, batch_size)
        self.retry_cap = retry_cap
        self.dropped = 0  # calls dropped because the queue overflowed during a store outage (since start)
        self._dropped_before = 0  # ``dropped`` when the current outage began
        self._drop_lock = threading.Lock()  # taken only to drop
        self._outage: float | None = None  # monotonic time the writer found the store unavailable; None when it works
        self._pending: collections.deque = collections.deque()
        self._wake = threading.Event()  # work arrived (set once per batch, not per call)
        self._now = threading.Event()  # a flush or stop wants the write without lingering (or retrying later)
        self._abandon = threading.Event()  # close() timed out: stop retrying
        self._last_prune = float("-inf")  # the first batch sweeps
        self._thread = threading.Thread(target=self._run, name="rootplane-audit", daemon=True)
        self._thread.start()

    def submit(self, call: ApiCall) -> None:
        """Accept a call for recording: an append, no lock and no thread wake-up per call (the writer wakes once per
        batch). At ``capacity`` queued calls it waits for the writer (back-pressure), for at most a second and not at
        all while the store is unavailable; at ``outage_capacity`` it drops the oldest queued call. Only what the
        records need is queued (``for_records``: no data events, no results a record does not show).

        The default capacity, 2,000 calls (four batches): a load faster than the writer filled the queue to the old
        10,000, whose calls (about 1.1 KB each) spread over memory pages that long-lived objects made meanwhile then
        kept resident (RSS after the 10,000-user GetUser runs: 85 MiB with 10,000, 76 MiB with 2,000)."""
        kept = for_records(call)
        if kept is None:
            return
        if len(self._pending) >= self.capacity:
            self._make_room()
        self._pending.append(kept)
        if not self._wake.is_set():
            self._wake.set()

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every call submitted so far is written (or ``timeout`` passes, as it does during an outage)."""
        done = threading.Event()
        self._urgent(done)
        done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is pending and stop the thread; if the store stays unavailable for ``timeout``, give up (and
        log how many calls were not written)."""
        if self._thread.is_alive():
            self._urgent(_STOP)
            self._thread.join(timeout)
        if self._thread.is_alive():
            self._abandon.set()
            self._now.set()
            self._thread.join(timeout)

    def status(self) -> dict[str, object]:
        """The writer's state for the health endpoint: queued calls, whether it waits for the store, calls dropped."""
        return {"queued": len(self._pending), "storeUnavailable": self._outage is not None, "dropped": self.dropped}

    def _urgent(self, marker) -> None:
        self._pending.append(marker)
        self._now.set()
        self._wake.set()

    def _make_room(self) -> None:
        deadline = time.monotonic() + _PRESSURE_WAIT
        while len(self._pending) >= self.capacity and self._outage is None and time.monotonic() < deadline:
            self._now.set()
            self._wake.set()
            time.sleep(0.001)
        while len(self._pending) >= self.outage_capacity and self._drop_oldest():
            pass

    def _drop_oldest(self) -> bool:
        """Drop the oldest queued call (a flush marker met on the way is released: what precedes it is written or
        dropped). False when nothing can be dropped (the queue is empty or ends in ``close``'s stop)."""
        try:
            item = self._pending.popleft()
        except IndexError:
            return False
        if item is _STOP:
            self._pending.appendleft(item)
            return False
        if isinstance(item, threading.Event):
            item.set()
            return True
        with self._drop_lock:
            self.dropped += 1
            first = self.dropped == self._dropped_before + 1
        if first:
            log.error("audit queue full (%d calls), the store unavailable or too slow: dropping the oldest calls",
                      self.outage_capacity)
        return True

    # -- writer thread -----------------------------------------------------------------------------------------
    def _run(self) -> None:
        """Wait for work, gather for up to ``linger`` seconds (one commit for many requests) unless a flush or stop
        asks for the write now, then write what is pending in batches of ``batch_size``; less than a batch left
        after a write gathers again first (under steady load, writing on at once wrote a few calls per batch, each
        paying a whole batch's commit and consumer queries).

        The default 0.2 s: a batch's commit and consumer queries cost as much as many records, and LookupEvents
        flushes first, so the longer gather only delays trail files and EventBridge rules by up to 0.2 s.

        Once the queue is empty the free memory the batches left in malloc's heaps goes back to the system
        (``release_free_memory``: RSS after the 10,000-user loads 1-4 MiB lower in most runs, 0.4 µs per call)."""
        while True:
            self._wake.wait()
            self._now.wait(self.linger)
            self._wake.clear()
            self._now.clear()
            while self._pending:
                if not self._write_batch(self._take(self.batch_size)):
                    return
                if 0 < len(self._pending) < self.batch_size:
                    # Gather again; a flush or stop queues its marker before it sets _now, so it is never missed.
                    self._now.wait(self.linger)
                    self._now.clear()
            release_free_memory()

    def _write_batch(self, items: list) -> bool:
        """Write the calls among ``items`` and release the flushes waiting for them; False when the writer must
        stop. Its own frame holds the batch, so nothing of it outlives the write: calls kept alive while the thread
        waits for the next batch pinned the memory pages of the load that made them (RSS after a load)."""
        calls = [item for item in items if isinstance(item, ApiCall)]
        try:
            self._store_calls(calls)
        except _Abandoned:
            log.error("audit store unavailable at shutdown: %d calls not recorded",
                      len(calls) + sum(isinstance(item, ApiCall) for item in self._pending))
            return False
        for item in items:
            if isinstance(item, threading.Event):
                item.set()
        return not any(item is _STOP for item in items)

    def _store_calls(self, calls: list[ApiCall]) -> None:
        """Write the records of ``calls`` as one batch. A batch the store refuses for a reason of its own (a bug,
        bad data: not an outage) is written again call by call, so that a bad record loses only its own call's,
        never the records of the calls that shared its batch."""
        try:
            self._store([r for call in calls for r in records_for(call)])
        except _Abandoned:
            raise
        except Exception:  # noqa: BLE001 - the writer must survive a bad batch
            if len(calls) == 1:
                log.exception("could not write the audit records of a %s call", calls[0].operation)
                return
            log.warning("could not write a batch of %d calls' audit records: writing them one by one", len(calls))
            for call in calls:
                self._store_calls([call])

    def _take(self, count: int) -> list:
        """Up to ``count`` queued items, oldest first (``submit`` may drop some meanwhile)."""
        items = []
        while len(items) < count:
            try:
                items.append(self._pending.popleft())
            except IndexError:
                break
        return items

    def _store(self, recorded: list[Recorded]) -> None:
        """Write one batch. While the store is unavailable keep it and retry after 0.1 s, doubling up to
        ``retry_cap`` (a flush or close retries at once); a retry skips events already stored (a commit whose
        answer was lost). Other failures propagate: the batch is skipped."""
        events = _new_events(recorded)  # encoded before the write transaction holds the write lock
        delay = _RETRY_FIRST
        retry = False
        while True:
            try:
                self._write(recorded, events, retry)
            except Exception as exc:
                if not is_outage(exc):
                    self._answered()
                    raise
                if self._abandon.is_set():
                    raise _Abandoned() from exc
                self._unavailable(exc, len(recorded))
                self._now.wait(delay)
                self._now.clear()
                delay, retry = min(delay * 2, self.retry_cap), True
            else:
                self._answered()
                return

    def _unavailable(self, exc: Exception, count: int) -> None:
        if self._outage is None:
            self._dropped_before = self.dropped
            self._outage = time.monotonic()
            log.warning("audit store unavailable (%s): keeping %d records and the calls that follow, retrying",
                        exc, count)

    def _answered(self) -> None:
        """The store did the work or refused it for the work's own reason: the outage, if any, is over."""
        if self._outage is None:
            return
        lost = self.dropped - self._dropped_before
        log.warning("audit store available again after %.1f s: writing the kept records%s",
                    time.monotonic() - self._outage, f" ({lost} calls were dropped: the queue was full)" if lost else "")
        self._outage = None

    def _write(self, recorded: list[Recorded], events: list[NewEvent], retry: bool = False) -> None:
        prune = time.monotonic() - self._last_prune > _PRUNE_EVERY
        if not recorded and not prune:
            return
        from rootplane.services.cloudtrail import plain  # loaded with the first batch: issue #19

        with self.store.transaction() as session:
            connection = session.connection()
            if prune:
                plain.delete_events_before(connection, self.clock.now() - self.retention)
                self._last_prune = time.monotonic()
            if retry and recorded:
                stored = plain.stored_event_ids(connection, [event.event_id for event in events])
                kept = [index for index, event in enumerate(events) if event.event_id not in stored]
                recorded, events = [recorded[index] for index in kept], [events[index] for index in kept]
            plain.put_events(connection, events)
            if recorded:
                for consumer in self._wanting(connection, recorded):
                    self._consume(session, consumer, recorded)

    def _wanting(self, connection: Connection, recorded: list[Recorded]) -> list[Consumer]:
        """The consumers whose probe finds something that can receive the batch, probed in one savepoint on the
        connection (no ORM session); all of them when probing fails for a reason of its own (each then decides in
        its delivery, as without probes)."""
        try:
            with connection.begin_nested():
                return [consumer for consumer in self.consumers
                        if consumer.wants is None or consumer.wants(connection, recorded)]
        except Exception as exc:  # noqa: BLE001 - a failing probe must not lose the records or their deliveries
            if is_outage(exc):
                raise
            log.exception("audit consumers' probe failed on %d records", len(recorded))
            return list(self.consumers)

    @staticmethod
    def _consume(session: Session, consumer: Consumer, recorded: list[Recorded]) -> None:
        try:
            with session.begin_nested():
                consumer.deliver(session, recorded)
        except Exception as exc:  # noqa: BLE001 - a failing consumer must not lose the records
            if is_outage(exc):
                raise  # the store, not the consumer, failed: the whole batch waits for it
            log.exception("audit consumer %s failed on %d records", getattr(consumer.deliver, "__name__", consumer),
                          len(recorded))
