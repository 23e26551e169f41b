"""Checkpoints of the SQLite store's WAL, on a thread of their own instead of inside a request's commit.

SQLite's automatic checkpoint runs in the commit that takes the WAL past 1,000 pages: that request's thread (the
server's event loop, for a handler run inline) copies the WAL into the database file and fsyncs it, a few
milliseconds during which nothing else is served (in process, CreateUser ran 5% faster without them; issue #19),
while the event loop is meant never to block in an fsync (store/group_commit.py). The store's connections therefore
run with ``wal_autocheckpoint=0`` and a :class:`Checkpointer` runs ``PRAGMA wal_checkpoint(PASSIVE)`` on its own
connection: after ``every`` commits, or ``linger`` seconds after the first commit since the last checkpoint,
whichever comes first. A passive checkpoint never blocks readers or writers; frames a reader still needs stay for
the next one, as with SQLite's own. Its connection syncs the WAL before copying and the database file after, as
SQLite's does, so a checkpoint never makes anything durable that group commit (store/group_commit.py) has not.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

__all__ = ["Checkpointer"]

log = logging.getLogger("rootplane.store")


class Checkpointer:
    """Checkpoints one SQLite database file's WAL in the background (a daemon thread, started by the first commit)."""

    def __init__(self, database_path: str, every: int = 200, linger: float = 0.5) -> None:
        self._uri = Path(database_path).resolve().as_uri() + "?mode=rw"  # never creates a file that is gone
        self._every = every
        self._linger = linger
        self._lock = threading.Lock()
        self._commits = 0  # since the last checkpoint began
        self._dirty = threading.Event()  # a commit since the last checkpoint began
        self._due = threading.Event()  # ``every`` commits since then, or ``close``
        self._closing = False
        self._failing = False
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        """Called after each write transaction committed (on the committing thread): a count, and an event set at
        most twice per checkpoint."""
        with self._lock:
            self._commits += 1
            if self._commits == 1:
                self._dirty.set()
            elif self._commits == self._every:
                self._due.set()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="rootplane-checkpoint", daemon=True)
                self._thread.start()

    def close(self) -> None:
        """Checkpoint what is pending and stop the thread (the store is being disposed of; a later commit starts it
        again, as a disposed engine opens new connections)."""
        with self._lock:
            thread = self._thread
            if thread is None:
                return
            self._closing = True
            self._dirty.set()
            self._due.set()
        thread.join()
        with self._lock:
            self._thread = None
            self._closing = False

    def _run(self) -> None:
        while True:
            self._dirty.wait()
            self._due.wait(self._linger)
            with self._lock:
                pending, closing = self._commits, self._closing
                self._commits = 0
                self._dirty.clear()
                self._due.clear()
            if pending:
                self._checkpoint()
            if closing:
                return

    def _checkpoint(self) -> None:
        """One passive checkpoint on a connection of its own, opened for it: the thread holds no file open between
        checkpoints."""
        try:
            connection = sqlite3.connect(self._uri, uri=True, isolation_level=None)
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                connection.close()
        except sqlite3.Error as error:  # the disk full or failing: the WAL keeps the commits, the next one retries
            if not self._failing:
                log.warning("could not checkpoint the store's WAL (it grows until a checkpoint succeeds): %s", error)
            self._failing = True
        else:
            self._failing = False
