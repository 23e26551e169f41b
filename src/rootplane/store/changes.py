"""Which tables changed, and process caches of store data that every committed change to their tables invalidates.

Every ORM session of a ``Store`` reports the tables it writes (flushed rows and ORM-enabled ``insert``/``update``/
``delete`` statements; statements run on its connection directly call ``note_written``); when its transaction
commits (the session's commit, or the store's commit of a write transaction), ``Changes`` moves those tables'
change mark past every transaction started before, and tells its subscribers (gateway/invalidation.py: the other
processes on the same PostgreSQL database, through ``NOTIFY rootplane_caches``). A ``TableCache`` entry is served
only while none of its tables changed since the transaction that loaded it began, so it never outlives a commit
this process saw:

- a transaction notes ``Changes.sequence`` before its first statement (``Store.transaction``); an entry is tagged
  with the sequence its loading transaction began at, and a commit marks its tables with a sequence past every
  tag taken before it, so whatever was loaded from a snapshot older than the commit is never served after it;
- a session that itself wrote one of the tables bypasses the cache (it must see its own uncommitted writes);
- another process's commits arrive by notification (milliseconds); a lost one is bounded by the entries' TTL
  (``ttl``, the gateway sets ``--credential-cache-seconds``, 2 s), and a reconnected listener forgets everything.

Writes that bypass the session (state reset/restore, snapshots) call ``forget``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:  # annotations only: the ORM loads with the first session (issue #19)
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session, sessionmaker

__all__ = ["Changes", "TableCache", "changes_of", "frozen_copy", "note_written", "watch"]

T = TypeVar("T")

_WATCHED: set[str] = set()  # the tables some TableCache depends on: only their changes are marked and published

# session.info keys: the Changes of the session's store, the sequence its transaction began at, the tables it wrote.
_CHANGES = "rootplane.changes"
_BEGAN_AT = "rootplane.changes.began_at"
_WRITTEN = "rootplane.changes.written"


class Changes:
    """Per-process change marks of the store's tables; thread-safe."""

    def __init__(self, ttl: float = 2.0) -> None:
        self.ttl = ttl
        self.sequence = 0  # advanced by every commit that wrote a table (and by ``forget``)
        self._changed_at: dict[str, int] = {}
        self._everything_at = 0
        self._lock = threading.Lock()
        # Told inside a committing transaction which watched tables it wrote (gateway/invalidation.py sends them
        # to the other processes with a NOTIFY that PostgreSQL delivers if and when the transaction commits).
        self.publishers: list[Callable[[Session | Connection, frozenset[str]], None]] = []

    @staticmethod
    def watch_writes(sessions: sessionmaker) -> None:
        """Note the tables every session ``sessions`` makes writes, for a store that commits them itself and then
        calls ``publish`` and ``committed`` (the ORM session joined to a store transaction, store/lazy.py)."""
        from sqlalchemy import event

        event.listen(sessions, "after_flush", _after_flush)
        event.listen(sessions, "do_orm_execute", _do_orm_execute)

    def begin(self, session: Session) -> None:
        """Note that ``session``'s transaction begins now (before its first statement)."""
        session.info[_CHANGES] = self
        session.info[_BEGAN_AT] = self.sequence

    def changed(self, tables: Iterable[str]) -> None:
        """``tables`` were written by a commit (here, or in another process): entries loaded before are stale."""
        with self._lock:
            self.sequence += 1
            for table in tables:
                self._changed_at[table] = self.sequence

    def forget(self) -> None:
        """Everything may have changed (state replaced, notifications lost)."""
        with self._lock:
            self.sequence += 1
            self._everything_at = self.sequence

    def fresh_since(self, began_at: int, tables: Iterable[str]) -> bool:
        """Whether no commit marked any of ``tables`` after a transaction that began at ``began_at`` started."""
        if self.sequence <= began_at:  # nothing was marked since (the common case under a read load)
            return True
        if self._everything_at > began_at:
            return False
        changed_at = self._changed_at
        for table in tables:
            if changed_at.get(table, 0) > began_at:
                return False
        return True

    def publish(self, session: Session) -> None:
        """Tell the publishers which watched tables ``session``'s transaction wrote; inside it, before its commit."""
        if not self.publishers:
            return
        session.flush()  # what the commit would flush next counts too
        self.publish_written(session, session.info.get(_WRITTEN, ()))

    def publish_written(self, executor: Session | Connection, tables: Iterable[str]) -> None:
        """Tell the publishers that the transaction of ``executor`` (an ORM session, or a Core connection: plain-SQL
        work) wrote ``tables`` (those watched count); inside it, before its commit."""
        watched = frozenset(tables) & _WATCHED
        if watched:
            for publisher in self.publishers:
                publisher(executor, watched)

    def committed(self, session: Session) -> None:
        """``session``'s transaction committed: mark the watched tables it wrote."""
        self.mark_committed(session.info.pop(_WRITTEN, ()))

    def mark_committed(self, tables: Iterable[str]) -> None:
        """A transaction that wrote ``tables`` committed: mark those watched."""
        watched = frozenset(tables) & _WATCHED
        if watched:
            self.changed(watched)


def watch(tables: Iterable[str]) -> None:
    """Mark and publish commits' writes to ``tables`` from now on (a ``TableCache`` over them exists, or will)."""
    _WATCHED.update(tables)


def changes_of(session: Session) -> Changes | None:
    """The ``Changes`` of the store whose transaction ``session`` is (None outside ``Store.transaction``)."""
    return session.info.get(_CHANGES)


def note_written(session: Session, tables: Iterable[str]) -> None:
    """Count ``tables`` as written by ``session``'s transaction: for statements run on its connection directly,
    which the session's events do not see (``store/rows.py``)."""
    session.info.setdefault(_WRITTEN, set()).update(tables)


def _after_flush(session: Session, _context: Any) -> None:
    tables: set[str] = set()
    for instance in (*session.new, *session.dirty, *session.deleted):
        mapper = getattr(instance, "__mapper__", None)
        if mapper is not None:
            tables.update(table.name for table in mapper.tables)
    if tables:
        note_written(session, tables)


def _do_orm_execute(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        name = getattr(table, "name", None)
        if name is not None:
            note_written(state.session, (name,))


def frozen_copy(view_cls: type[T], row: Any) -> T | None:
    """``row``'s values as ``view_cls`` (a frozen dataclass whose fields are column attributes of the row), or None
    for no row: what a ``TableCache`` keeps of an ORM row, never written back."""
    return None if row is None else view_cls(*(getattr(row, name) for name in view_cls.__dataclass_fields__))


class TableCache(Generic[T]):
    """Values computed from some tables, kept until a commit writes one of them (or ``ttl`` passes).

    ``get(session, key, load)`` answers ``load(session)`` from the cache when an entry loaded by a transaction that
    began after the last change of the tables is there; else it calls ``load`` and keeps the value (unless the
    session wrote one of the tables itself: then its answer is its own and is not kept). An entry is the store's
    whose transaction loaded it: a process serving several stores (tests, in-process servers) never answers one
    store's key with another's value.
    """

    def __init__(self, tables: Iterable[str], max_entries: int = 10_000) -> None:
        self.tables = frozenset(tables)
        watch(self.tables)
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[Changes, int, float, T]] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, key: Hashable, load: Callable[[Session], T]) -> T:
        changes = changes_of(session)
        if changes is not None and session.autoflush:
            session.flush()  # what a query would do first: this session's pending writes count as written
        if changes is None or not self.tables.isdisjoint(session.info.get(_WRITTEN, ())):
            return load(session)
        entry = self._entries.get(key)
        now = time.monotonic()
        if entry is not None and entry[0] is changes and entry[2] > now and changes.fresh_since(entry[1], self.tables):
            return entry[3]
        began_at = session.info[_BEGAN_AT]
        value = load(session)
        if changes.fresh_since(began_at, self.tables):
            with self._lock:
                if len(self._entries) >= self.max_entries:
                    self._entries.clear()
                self._entries[key] = (changes, began_at, now + changes.ttl, value)
        return value
