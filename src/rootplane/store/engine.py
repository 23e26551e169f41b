"""The store: one SQLAlchemy engine (SQLite WAL with durable commits, or PostgreSQL) and transactions."""

from __future__ import annotations

import contextlib
import contextvars
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import MetaData, create_engine, event, make_url, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from rootplane.core.config import store_kind
from rootplane.store.changes import Changes
from rootplane.store.checkpoint import Checkpointer
from rootplane.store.group_commit import GroupCommit
from rootplane.store.lazy import ADOPTED, LazySession, WriteSession
from rootplane.store.writers import WriterLock, writer_lock

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

    from rootplane.store.create import Schema

__all__ = ["Store", "StoreUnavailable", "advisory_lock", "is_outage", "lock_name", "locks_rows", "on_commit",
           "sqlite_file", "sqlite_url"]

# session.info key: whether guarded lookups in this transaction must lock their rows (see ``locks_rows``).
_LOCKS_ROWS = "rootplane.locks_rows"
# session.info key: every row the transaction loaded (see ``_keep_loaded``).
_LOADED = "rootplane.loaded"
# session.info key: what to run once the transaction has committed (see ``on_commit``).
_ON_COMMIT = "rootplane.on_commit"

# Whether the transaction being opened on this thread intends to write (SQLite takes the write lock up front).
_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("rootplane_write_intent", default=True)


# SQLite: how long a writer waits for its turn (store/writers.py) and then for other processes' writers (seconds).
_BUSY_TIMEOUT = 10.0

# PostgreSQL: how long a new connection may take before the store counts as unavailable (seconds).
_CONNECT_TIMEOUT = 3


class StoreUnavailable(RuntimeError):
    """The database cannot be reached or refused the work for a reason outside the request (connection lost, disk
    full, lock timeout, serialization failure): the request may be retried later. Never carries row data.

    ``outage`` is False when the database answered but the driver reports a fault of the work itself (SQLite's
    generic SQLITE_ERROR such as a missing table, PostgreSQL's program limits such as an oversized index row):
    the same work will fail again, so background writers must not wait for it to succeed."""

    def __init__(self, reason: str, *, outage: bool = True) -> None:
        super().__init__(reason)
        self.outage = outage

    @property
    def disk_full(self) -> bool:
        """SQLite's SQLITE_FULL or PostgreSQL's disk_full: writes fail until space is freed."""
        reason = str(self).lower()
        return "disk is full" in reason or "no space left" in reason


# The store holds secret access keys and TOTP seeds: only the server's own user may read it.
_PRIVATE_DIR = 0o700
_PRIVATE_FILE = 0o600
_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def sqlite_file(url: str | URL) -> str | None:
    """The path of the database at ``url`` when it is SQLite on a file; None for any other store (in memory, a
    ``file:`` URI, PostgreSQL)."""
    url = make_url(url)
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


def sqlite_url(data_dir: str | os.PathLike[str]) -> str:
    """The default store URL: ``rootplane.db`` inside the data directory (created private to this user).

    An existing directory keeps its mode (it may be one the operator shares on purpose); the files are made private
    when the store opens them.
    """
    path = Path(data_dir).resolve()
    path.mkdir(mode=_PRIVATE_DIR, parents=True, exist_ok=True)
    return f"sqlite:///{path / 'rootplane.db'}"


def locks_rows(session: Session) -> bool:
    """Whether a lookup that guards an invariant (a quota count, a parent that must outlive the child being created)
    must lock the row it reads: true in writing transactions on PostgreSQL, whose READ COMMITTED lets another server
    change the row between the check and the write. SQLite writers already hold the database's write lock."""
    return bool(session.info.get(_LOCKS_ROWS))


def on_commit(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once the store transaction of ``session`` has committed (dropped if it rolls back, or if the
    savepoint it was registered in rolls back: ``_drop_rolled_back``)."""
    session.info.setdefault(_ON_COMMIT, []).append((action, session.get_nested_transaction()))


def lock_name(session: Session, name: str) -> bool:
    """Serialize the writers of one named thing (an S3 key) until the transaction ends, where no row exists yet to
    lock: a PostgreSQL transaction advisory lock where rows must be locked (``locks_rows``); True when it waited
    its turn. SQLite: no-op (False), its writers already hold the database's write lock."""
    if not locks_rows(session):
        return False
    advisory_lock(session, "pg_advisory_xact_lock", name)
    return True


def advisory_lock(executor: Session | Connection, function: str, name: str) -> object:
    """Call the PostgreSQL advisory-lock ``function`` (pg_advisory_lock, pg_try_advisory_xact_lock, ...) on the lock
    named ``name`` (its key: the name's ``hashtext``); the function's answer."""
    return executor.execute(text(f"SELECT {function}(hashtext(:name))"), {"name": name}).scalar()


def _make_sqlite_files_private(database: str) -> None:
    """Create the database file readable by its owner only, and take other readers off existing files.

    SQLite creates the -wal and -shm files with the mode of the database file, so a private database keeps its
    companions private too; files left world-readable by earlier versions are narrowed here.
    """
    path = Path(database)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, _PRIVATE_FILE))  # an empty file is an empty database
    for suffix in _SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        with contextlib.suppress(FileNotFoundError):
            if companion.stat().st_mode & 0o077:
                companion.chmod(_PRIVATE_FILE)


def _configure_sqlite(engine: Engine, checkpoints_apart: bool = False) -> None:
    """Connection settings and the write lock's hooks; ``checkpoints_apart``: a ``Checkpointer`` checkpoints the
    WAL, no commit does (store/checkpoint.py)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # pragma: no cover - exercised by every test
        # Let SQLAlchemy, not pysqlite, decide when transactions begin, so BEGIN IMMEDIATE works.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # Commits do not fsync; GroupCommit syncs the WAL once for many commits before any of them is answered.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        if checkpoints_apart:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.execute(f"PRAGMA busy_timeout={int(_BUSY_TIMEOUT * 1000)}")
        cursor.close()

    database = sqlite_file(engine.url)
    writers = writer_lock(str(Path(database).resolve()), _BUSY_TIMEOUT) if database else WriterLock(_BUSY_TIMEOUT)
    dialect = engine.dialect
    commit, rollback, close = dialect.do_commit, dialect.do_rollback, dialect.do_close

    def _begin(dbapi_connection) -> None:  # pragma: no cover - exercised by every test
        # Writers take the write lock up front (no deadlock-prone lock upgrades), after their turn among the
        # process's writers (store/writers.py); readers share the WAL snapshot.
        # The dialect's own BEGIN hook (pysqlite's is a no-op) runs on the driver's connection, with SQLAlchemy's
        # error translation around it and without a statement's execution context (it runs on every request).
        if dbapi_connection.info.pop(ADOPTED, False):  # begun on the driver already (store/lazy.py)
            return
        if not _write_intent.get():
            dbapi_connection.execute("BEGIN")
            return
        writers.acquire(dbapi_connection)
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
        except BaseException:
            writers.release(dbapi_connection)
            raise

    def _ending(end):
        def _end(dbapi_connection) -> None:  # pragma: no cover - exercised by every test
            try:
                end(dbapi_connection)
            finally:
                writers.release(dbapi_connection)
        return _end

    dialect.do_begin = _begin
    dialect.do_commit, dialect.do_rollback, dialect.do_close = _ending(commit), _ending(rollback), _ending(close)


class Store:
    """Owns the engine and hands out transactions.

    ``transaction()`` yields an ORM session inside one database transaction: committed when the block ends,
    rolled back on any exception, so a failed request leaves no partial state. The session is made on first use
    (store/lazy.py): a write transaction runs on a Core connection, with an ORM session joined to it only when the
    work needs one; ``on_commit`` registers what must follow the commit. On SQLite a commit is durable once
    ``group_commit`` has synced it (the server waits for that before it answers); ``group_commit`` is None on
    PostgreSQL, whose commits are durable when they return.

    ``metadata`` is the whole schema (``rootplane.schema.metadata()``, handed over by the composition root), or a
    ``LazySchema`` that loads it (``rootplane.schema.lazy()``): the store needs it to build, migrate, snapshot or
    wipe tables, and never imports a service itself. A ``LazySchema`` is loaded at its first use only, so a server
    on a store at head (or on an empty store whose DDL is cached, store/create.py) maps each service's tables when a
    request first needs them (issue #19).
    """

    def __init__(self, url: str, metadata: Schema | None = None, *, echo: bool = False) -> None:
        self.url = url
        self._schema = metadata
        self.kind = store_kind(url)
        self.group_commit: GroupCommit | None = None
        self.checkpointer: Checkpointer | None = None
        if self.kind == "sqlite":
            # A file's connections are pooled LIFO: a transaction gets the connection used last, whose page cache
            # SQLite keeps unless another connection wrote since; taking them in turn re-read ~9 pages per
            # CreateUser (issue #19). (An in-memory database has one connection per thread.)
            database = sqlite_file(url)
            pooling = {"pool_use_lifo": True} if database else {}
            self.engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False}, **pooling)
            if database:
                _make_sqlite_files_private(database)
                self.group_commit = GroupCommit(database)
                self.checkpointer = Checkpointer(database)
            _configure_sqlite(self.engine, checkpoints_apart=self.checkpointer is not None)
        else:
            self.engine = create_engine(url, echo=echo, pool_size=10, max_overflow=20, pool_pre_ping=True,
                                        connect_args={"connect_timeout": _CONNECT_TIMEOUT})
        self.changes = Changes()  # which tables commits wrote: keeps process caches of store data true
        self._session_makers: tuple[sessionmaker, sessionmaker] | None = None  # made with the first ORM session
        self._session_makers_lock = threading.Lock()

    def _orm(self) -> tuple[sessionmaker, sessionmaker]:
        """The ORM's session makers: a read transaction's, and a write transaction's (a session bound to its
        connection, joined to the transaction the store commits). The ORM loads with the first session (issue #19):
        a server whose requests so far needed only plain SQL (a GetCallerIdentity: services/accounts/plain.py) has
        not imported it."""
        if self._session_makers is None:
            with self._session_makers_lock:
                if self._session_makers is None:
                    from sqlalchemy.orm import sessionmaker

                    sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
                    joined = sessionmaker(expire_on_commit=False, autoflush=True)
                    self.changes.watch(sessions)
                    self.changes.watch_writes(joined)
                    for makes in (sessions, joined):
                        event.listen(makes, "loaded_as_persistent", _keep_loaded)
                        event.listen(makes, "after_soft_rollback", _drop_rolled_back)
                    self._session_makers = (sessions, joined)
        return self._session_makers

    def _session(self) -> Session:
        """A new ORM session for a read transaction."""
        return self._orm()[0]()

    def _joined_session(self, **options) -> Session:
        """A new ORM session for a write transaction (``bind=`` its connection)."""
        return self._orm()[1](**options)

    @contextlib.contextmanager
    def transaction(self, write: bool = True) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on error. ``write=False`` for read-only work.

        A database that cannot be reached or cannot do the work (disk full, lock timeout) raises StoreUnavailable.
        """
        token = _write_intent.set(write)
        try:
            with self._writing() if write else self._reading() as session:
                yield session
        except (OperationalError, InterfaceError) as exc:
            raise StoreUnavailable(_reason(exc), outage=is_outage(exc)) from exc
        finally:
            _write_intent.reset(token)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Session]:
        """The session's pending changes flushed, the tables written published (inside the transaction), the
        commit, then the change marks and ``on_commit`` actions; a transaction that never began commits nothing."""
        session = WriteSession(self.engine, self._joined_session)
        session.info[_LOCKS_ROWS] = self.kind != "sqlite"
        self.changes.begin(session)  # type: ignore[arg-type] - it notes the change mark in ``info`` only
        try:
            yield session  # type: ignore[misc]
            session.flush()
            self.changes.publish(session)  # type: ignore[arg-type]
            if session.commit():
                self._committed()
            self.changes.committed(session)  # type: ignore[arg-type]
            _run_on_commit(session.info)
        finally:
            session.close()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Session]:
        """A session made on first use (store/lazy.py): none at all for a read answered from process caches."""
        session = LazySession(self._session)
        self.changes.begin(session)  # type: ignore[arg-type] - it notes the change mark in ``info`` only
        try:
            yield session  # type: ignore[misc]
            session.commit()
            _run_on_commit(session.info)
        finally:
            session.close()

    @contextlib.contextmanager
    def connection(self, write: bool = True, writes: Iterable[str] = ()) -> Iterator[Connection]:
        """One unit of work in plain SQL (SQLAlchemy Core, no ORM session), committed or rolled back as
        ``transaction``'s. For what must not load the model (start-up, a root key's lookup). ``writes``: the tables
        its statements write (the ORM's events see none of them), published to the other processes inside the
        transaction and marked in this process's caches once it commits, as ``transaction``'s writes are."""
        written = tuple(writes)
        token = _write_intent.set(write)
        try:
            with self.engine.begin() as connection:
                yield connection
                if written:
                    self.changes.publish_written(connection, written)
            if write:
                self._committed()
            self.changes.mark_committed(written)
        except (OperationalError, InterfaceError) as exc:
            raise StoreUnavailable(_reason(exc), outage=is_outage(exc)) from exc
        finally:
            _write_intent.reset(token)

    def _committed(self) -> None:
        """A write transaction committed (SQLite on a file): its answer waits for the group's fsync; the WAL goes
        into the database file in the background."""
        if self.group_commit is not None:
            self.group_commit.note_commit()
        if self.checkpointer is not None:
            self.checkpointer.committed()

    def read_scalar(self, statement: str, **params: object) -> object:
        """The first column of the first row of one read-only SQL ``statement`` (``connection(write=False)``)."""
        with self.connection(write=False) as connection:
            return connection.execute(text(statement), params).scalar()

    def durable(self) -> None:
        """Block until every commit made so far is on disk (worker threads; the server's event loop awaits
        ``group_commit.synced()`` instead)."""
        if self.group_commit is not None:
            self.group_commit.wait()

    def ping(self) -> str | None:
        """None when the database answers a trivial query, else why it does not (for the health endpoint)."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any failure means the store is not usable
            return _reason(exc)
        return None

    @contextlib.contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Run the block while no other process on this database runs a block of the same ``name`` (a PostgreSQL
        session advisory lock: start-up migration and bootstrap of several workers). SQLite: no-op (one process)."""
        if self.kind == "sqlite":
            yield
            return
        with self.engine.connect() as connection:
            advisory_lock(connection, "pg_advisory_lock", name)
            connection.commit()
            try:
                yield
            finally:
                advisory_lock(connection, "pg_advisory_unlock", name)
                connection.commit()

    def _given_schema(self) -> Schema:
        if self._schema is None:
            raise RuntimeError("this Store was opened without the schema: pass rootplane.schema.metadata()")
        return self._schema

    @property
    def metadata(self) -> MetaData:
        """The whole schema this store was given, loaded now if it was given as a ``LazySchema`` (an error for a
        store opened without it)."""
        schema = self._given_schema()
        if not isinstance(schema, MetaData):
            self._schema = schema = schema.load()
        return schema

    def migrate(self) -> None:
        """Bring the schema up to date (applied on every start; a store at head loads no ``LazySchema``)."""
        from rootplane.store.migrate import upgrade

        upgrade(self.engine, self._given_schema())

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.close()
        self.engine.dispose()


# SQLite result codes (and their extended codes) that say the database cannot do any write now: busy or locked by
# another connection, failing or full disk, a file that cannot be opened or written. Anything else (SQLITE_ERROR:
# no such table, bad SQL) is about the statement.
_SQLITE_OUTAGE = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_READONLY",
                  "SQLITE_PROTOCOL", "SQLITE_NOMEM")
# PostgreSQL SQLSTATE classes of the same kind: connection exception, transaction rollback (serialization failure,
# deadlock), insufficient resources (disk full, too many connections), operator intervention (shutdown, cancel),
# system error; and lock_not_available. No SQLSTATE at all: the server never answered.
_POSTGRES_OUTAGE = ("08", "40", "53", "57", "58", "55P03")


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` (raised inside a transaction, or the StoreUnavailable it became) means the database is
    unavailable, so the same work can succeed later, rather than that the work is wrong."""
    if isinstance(exc, StoreUnavailable):
        return exc.outage
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    original = getattr(exc, "orig", None)
    sqlite_name = getattr(original, "sqlite_errorname", None)
    if sqlite_name is not None:
        return sqlite_name.startswith(_SQLITE_OUTAGE)
    sqlstate = getattr(original, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith(_POSTGRES_OUTAGE)


def _run_on_commit(info: dict) -> None:
    for action, _savepoint in info.pop(_ON_COMMIT, ()):
        action()


def _drop_rolled_back(session: Session, transaction: SessionTransaction) -> None:
    """After a savepoint rolled back: forget the ``on_commit`` actions registered inside it (or inside a savepoint
    nested in it). Whole transactions that roll back drop theirs already: ``_run_on_commit`` runs only on commit."""
    actions = session.info.get(_ON_COMMIT)
    if transaction.nested and actions:
        actions[:] = [(action, savepoint) for action, savepoint in actions if not _within(savepoint, transaction)]


def _within(savepoint: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while savepoint is not None:
        if savepoint is outer:
            return True
        savepoint = savepoint.parent
    return False


def _keep_loaded(session: Session, instance: object) -> None:
    """Hold every row a transaction loads until it ends. The session's identity map holds rows weakly, so a row
    nobody referenced any more (authorization looked the bucket up, then dropped it) was read again by the next
    lookup of the same key in the same request (the handler's)."""
    session.info.setdefault(_LOADED, []).append(instance)


def _reason(exc: BaseException) -> str:
    """The driver's first line about a failure (no SQL, no parameters)."""
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0][:200]
