"""Group commit for the SQLite store: many commits, one fsync, no answer before it.

SQLite runs with ``synchronous=NORMAL`` in WAL mode: a commit writes its WAL frames (into the page cache, where they
already survive ``kill -9``) but does not fsync. A request that committed then waits for :meth:`GroupCommit.synced`:
one fsync of the WAL file for every commit made before it started, so the writes of all requests that committed
meanwhile share that one fsync, and none is acknowledged before its commit is on disk (power loss too). SQLite itself
fsyncs the WAL before a checkpoint copies it into the database, so a checkpoint never outruns this.

The event loop's waiters are synced by the loop itself, once the requests that arrive while the group gathers have
committed into it: the loop polls again (up to ``_GATHER_POLLS`` times, while each poll brings more commits), then
fsyncs on its own thread and answers the whole group. Handing each group to a thread instead cost every write two
hand-overs of the GIL, about 0.4 ms before the fsync began and 0.35 ms after it ended under a CreateUser load
(issue #19), for an fsync of about 0.15 ms. A disk whose fsyncs take longer than ``_SLOW_FSYNC`` on average would
hold up every request meanwhile: then the syncer thread fsyncs and the loop serves on. Worker threads' waits
(:meth:`GroupCommit.wait`) and start-up's own writes (:meth:`GroupCommit.sync_soon`) always go to the syncer thread.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import threading
import time
from collections.abc import Callable

__all__ = ["GroupCommit"]

log = logging.getLogger("rootplane.store")

# How many more times the event loop polls for requests to join a group before it fsyncs: while a poll brings more
# commits, up to this many (a CreateUser load of 4 clients: 3.9 commits per fsync instead of 1.2, a quarter less CPU
# per request; more polls gathered no more).
_GATHER_POLLS = 3

# Seconds: when fsyncs take longer than this on average, the syncer thread does the event loop's (the loop serves
# meanwhile) instead of the loop itself.
_SLOW_FSYNC = 0.002
_FSYNC_WEIGHT = 0.2  # of the newest fsync in the moving average of their durations


class GroupCommit:
    """Counts commits and makes them durable in groups (one daemon thread, started on first use)."""

    def __init__(self, database_path: str) -> None:
        self._wal = database_path + "-wal"
        self._directory = os.path.dirname(os.path.abspath(database_path))
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._local = threading.local()
        self._committed = 0
        self._synced = 0
        self._waiters: list[tuple[int, Callable[[BaseException | None], None]]] = []
        self._directory_synced = False
        self._thread: threading.Thread | None = None
        # Event loops gathering a group, with the callbacks waiting for it (each list used on its loop's thread only).
        self._gathering: dict[asyncio.AbstractEventLoop, list[Callable[[BaseException | None], None]]] = {}
        self._fsync_seconds = 0.0  # moving average of the fsyncs' durations

    # -- the committing side -----------------------------------------------------------------------------------
    def note_commit(self) -> None:
        """Called after each write transaction committed (on the committing thread)."""
        with self._lock:
            self._committed += 1
        self._local.commits = getattr(self._local, "commits", 0) + 1

    def commits_here(self) -> int:
        """Commits made so far by the calling thread (compare before/after a request to know whether it wrote)."""
        return getattr(self._local, "commits", 0)

    # -- waiting -----------------------------------------------------------------------------------------------
    async def synced(self) -> None:
        """Return once every commit made so far is on disk (raises OSError if the fsync failed)."""
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        if self.when_synced(functools.partial(_settle, future)):
            await future

    def when_synced(self, callback: Callable[[BaseException | None], None]) -> bool:
        """On an event loop's thread: have ``callback`` called on that loop, with None or the fsync's OSError, once
        every commit made so far is on disk; False (and no call) when they already are.

        The fsync waits for the loop's next polls (``_gather``): requests whose data arrived meanwhile commit into
        the same group instead of each starting an fsync of its own."""
        with self._lock:
            if self._committed <= self._synced:
                return False
        loop = asyncio.get_running_loop()
        waiters = self._gathering.get(loop)
        if waiters is None:
            waiters = self._gathering[loop] = []
            loop.call_soon(self._gather, loop, waiters, 0, -1)
        waiters.append(callback)
        return True

    def _gather(self, loop: asyncio.AbstractEventLoop, waiters: list, polls: int, seen: int) -> None:
        """One step of ``loop`` while its group gathers: another poll while the last one brought more waiters (at
        most ``_GATHER_POLLS``), then the group's fsync."""
        if polls < _GATHER_POLLS and len(waiters) != seen:
            loop.call_soon(self._gather, loop, waiters, polls + 1, len(waiters))
            return
        del self._gathering[loop]
        if self._fsync_seconds > _SLOW_FSYNC:  # a slow disk: the syncer thread fsyncs, the loop serves meanwhile
            for callback in waiters:
                if not self._enqueue(functools.partial(loop.call_soon_threadsafe, callback)):
                    callback(None)
            return
        _, error = self._sync_committed()
        for callback in waiters:
            try:
                callback(error)
            except Exception:  # noqa: BLE001 - one failing answer must not leave the rest of its group waiting
                log.exception("a write's answer failed after its fsync")

    def wait(self) -> None:
        """Blocking :meth:`synced`, for callers on worker threads."""
        event = threading.Event()
        failure: list[BaseException] = []

        def done(error: BaseException | None) -> None:
            if error is not None:
                failure.append(error)
            event.set()

        if self._enqueue(done):
            event.wait()
        if failure:
            raise failure[0]

    def sync_soon(self) -> None:
        """Start making every commit so far durable without waiting for it (start-up's own writes: the first request
        that commits then waits for its own commit only)."""
        self._enqueue(lambda _error: None)

    def _enqueue(self, done: Callable[[BaseException | None], None]) -> bool:
        """Register a waiter of the syncer thread for the current commit count and wake it; False when that count
        is already synced."""
        with self._lock:
            target = self._committed
            if target <= self._synced:
                return False
            self._waiters.append((target, done))
            self._wake_syncer()
        return True

    def _wake_syncer(self) -> None:
        """Start the syncer thread or wake it (the lock held)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="rootplane-group-commit", daemon=True)
            self._thread.start()
        self._wake.notify()

    # -- the syncer thread -------------------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._waiters:
                    self._wake.wait()
            target, error = self._sync_committed()
            with self._lock:
                ready = [w for w in self._waiters if w[0] <= target]
                self._waiters = [w for w in self._waiters if w[0] > target]
            for _, done in ready:
                done(error)

    def _sync_committed(self) -> tuple[int, OSError | None]:
        """Make every commit made so far durable (one fsync, none when they already are): the commit count it
        covers, and None or the fsync's OSError."""
        with self._lock:
            target, synced = self._committed, self._synced
        error = self._fsync() if target > synced else None
        if error is None:
            with self._lock:
                self._synced = max(self._synced, target)
        return target, error

    def _fsync(self) -> OSError | None:
        """fsync the WAL file (and its directory, the first time): None, or the OSError that stopped it. Timed, for
        ``_SLOW_FSYNC``."""
        started = time.perf_counter()
        try:
            return self._fsync_files()
        finally:
            seconds = time.perf_counter() - started
            self._fsync_seconds += (seconds - self._fsync_seconds) * _FSYNC_WEIGHT

    def _fsync_files(self) -> OSError | None:
        try:
            descriptor = os.open(self._wal, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            if not self._directory_synced:  # the WAL file's own directory entry, once
                descriptor = os.open(self._directory, os.O_RDONLY)
                try:
                    os.fsync(descriptor)
                finally:
                    os.close(descriptor)
                self._directory_synced = True
        except FileNotFoundError:
            return None  # no WAL file: every commit is already checkpointed into the (synced) database file
        except OSError as error:
            log.error("could not make commits durable: %s", error)
            return error
        return None


def _settle(future: asyncio.Future, error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
