"""Group commit for the SQLite store: many commits, one fsync, no answer before it.

SQLite runs with ``synchronous=NORMAL`` in WAL mode: a commit writes its WAL frames (into the page cache, where they
already survive ``kill -9``) but does not fsync. A request that committed then waits for :meth:`GroupCommit.synced`:
one syncer thread fsyncs the WAL file for every commit made before it started, so the writes of all requests that
committed meanwhile share that one fsync, and none is acknowledged before its commit is on disk (power loss too).
SQLite itself fsyncs the WAL before a checkpoint copies it into the database, so a checkpoint never outruns this.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import threading
from collections.abc import Callable

__all__ = ["GroupCommit"]

log = logging.getLogger("rootplane.store")


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
        self._kicks: set[asyncio.AbstractEventLoop] = set()  # loops that will wake the syncer in their next step

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

        The syncer is woken at the event loop's next step, not at once: the requests that commit during this step
        (those whose data arrived together) share the fsync it starts, instead of each starting its own."""
        loop = asyncio.get_running_loop()

        def done(error: BaseException | None) -> None:
            loop.call_soon_threadsafe(callback, error)

        if not self._enqueue(done, wake=False):
            return False
        with self._lock:
            kick = loop not in self._kicks
            self._kicks.add(loop)
        if kick:
            loop.call_soon(self._kick, loop)
        return True

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

    def _enqueue(self, done: Callable[[BaseException | None], None], wake: bool = True) -> bool:
        """Register a waiter for the current commit count (and wake the syncer, unless ``wake`` is False: a
        ``_kick`` will); False when it is already synced."""
        with self._lock:
            target = self._committed
            if target <= self._synced:
                return False
            self._waiters.append((target, done))
            if wake:
                self._wake_syncer()
        return True

    def _kick(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            self._kicks.discard(loop)
            self._wake_syncer()

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
                target = self._committed
            error = self._fsync()
            with self._lock:
                if error is None:
                    self._synced = max(self._synced, target)
                ready = [w for w in self._waiters if w[0] <= target]
                self._waiters = [w for w in self._waiters if w[0] > target]
            for _, done in ready:
                done(error)

    def _fsync(self) -> OSError | None:
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
