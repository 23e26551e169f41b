"""The store: one SQLAlchemy engine (SQLite WAL with durable commits, or PostgreSQL) and transactions.

Opening a store loads no SQLAlchemy: the engine is made when something first needs it. On a SQLite file, start-up
and a root key's requests need none (``Store.migrate`` at head, ``Store.plain``: issue #19, the first answer)."""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rootplane.core.config import store_kind
from rootplane.store import kept
from rootplane.store.changes import Changes
from rootplane.store.checkpoint import Checkpointer
from rootplane.store.errors import StoreUnavailable, is_outage, refuse_stale_deletes
from rootplane.store.errors import reason as _reason
from rootplane.store.group_commit import GroupCommit
from rootplane.store.lazy import ADOPTED, CoreSession
from rootplane.store.lazy_schema import LazySchema, Schema, loaded
from rootplane.store.plain_sql import DriverConnections, DriverSql, EngineSql, PlainSql, configure_sqlite
from rootplane.store.revisions import head_revision
from rootplane.store.writers import WriterLock, writer_lock

if TYPE_CHECKING:
    from sqlalchemy import MetaData
    from sqlalchemy.engine import URL, Connection, Engine
    from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

__all__ = ["Store", "StoreUnavailable", "advisory_lock", "get_row", "is_outage", "lock_name", "locks_rows",
           "on_commit", "sqlite_file", "sqlite_url"]

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


# The store holds secret access keys and TOTP seeds: only the server's own user may read it.
_PRIVATE_DIR = 0o700
_PRIVATE_FILE = 0o600
_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


# A plain SQLite file URL (what ``sqlite_url`` makes): read without SQLAlchemy's URL parser.
_PLAIN_SQLITE_FILE = re.compile(r"sqlite(?:\+pysqlite)?:///([^?#%:]+)")


def sqlite_file(url: str | URL) -> str | None:
    """The path of the database at ``url`` when it is SQLite on a file; None for any other store (in memory, a
    ``file:`` URI, PostgreSQL)."""
    if isinstance(url, str):
        if not url.startswith("sqlite"):
            return None
        plain = _PLAIN_SQLITE_FILE.fullmatch(url)
        if plain is not None:
            return plain.group(1)
    from sqlalchemy import make_url

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


def get_row(session: Session, row_cls: type, key: object, *, lock: str | None = None) -> Any:
    """``session.get`` of one row by primary key. ``lock`` ("update", or "share" for readers that only need it to
    stay) where the store needs it (``locks_rows``): read afresh ``FOR UPDATE``/``FOR SHARE`` and held until commit,
    so that writers of the rows that hang on it take turns across servers."""
    if lock is not None and locks_rows(session):
        return session.get(row_cls, key, with_for_update={"read": lock == "share"}, populate_existing=True)
    return session.get(row_cls, key)


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
    from sqlalchemy import text

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


def _configure_sqlite(engine: Engine, writers: WriterLock, checkpoints_apart: bool = False) -> None:
    """Connection settings and the hooks of the write lock ``writers``; ``checkpoints_apart``: a ``Checkpointer``
    checkpoints the WAL, no commit does (store/checkpoint.py)."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # pragma: no cover - exercised by every test
        # SQLAlchemy, not pysqlite, decides when transactions begin, so BEGIN IMMEDIATE works.
        configure_sqlite(dbapi_connection, _BUSY_TIMEOUT, checkpoints_apart)

    dialect = engine.dialect
    commit, rollback, close = dialect.do_commit, dialect.do_rollback, dialect.do_close

    def _begin(dbapi_connection) -> None:  # pragma: no cover - exercised by every test
        # The dialect's own BEGIN hook (pysqlite's is a no-op) runs on the driver's connection, with SQLAlchemy's
        # error translation around it and without a statement's execution context (it runs on every request).
        if dbapi_connection.info.pop(ADOPTED, False):  # begun on the driver already (store/lazy.py)
            return
        writers.begin(dbapi_connection, _write_intent.get())

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
    (store/lazy.py): a transaction runs on a Core connection (on SQLite first on the driver alone), with an ORM session
    joined to it only when the work needs one; ``on_commit`` registers what must follow the commit. On SQLite a commit is durable once
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
        self._echo = echo
        self._database = sqlite_file(url) if self.kind == "sqlite" else None
        self._drivers: DriverConnections | None = None  # plain SQL without SQLAlchemy (SQLite files only)
        self._writers: WriterLock | None = None
        if self.kind == "sqlite":
            if self._database:
                _make_sqlite_files_private(self._database)
                self.group_commit = GroupCommit(self._database)
                self.checkpointer = Checkpointer(self._database)
                self._drivers = DriverConnections(self._database, _BUSY_TIMEOUT)
                self._writers = writer_lock(str(Path(self._database).resolve()), _BUSY_TIMEOUT)
            else:
                self._writers = WriterLock(_BUSY_TIMEOUT)
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()
        self.changes = Changes()  # which tables commits wrote: keeps process caches of store data true
        self._session_maker: sessionmaker | None = None  # made with the first ORM session
        self._session_maker_lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, made (and SQLAlchemy imported) at its first use."""
        engine = self._engine
        if engine is None:
            with self._engine_lock:
                if self._engine is None:
                    self._engine = self._create_engine()
                engine = self._engine
        return engine

    def _create_engine(self) -> Engine:
        from sqlalchemy import create_engine

        if self.kind != "sqlite":
            refuse_stale_deletes()
            return create_engine(self.url, echo=self._echo, pool_size=10, max_overflow=20, pool_pre_ping=True,
                                 connect_args={"connect_timeout": _CONNECT_TIMEOUT})
        # A file's connections are pooled LIFO: a transaction gets the connection used last, whose page cache SQLite
        # keeps unless another connection wrote since; taking them in turn re-read ~9 pages per CreateUser (issue
        # #19). (An in-memory database has one connection per thread.)
        pooling = {"pool_use_lifo": True} if self._database else {}
        engine = create_engine(self.url, echo=self._echo, connect_args={"check_same_thread": False}, **pooling)
        _configure_sqlite(engine, self._writers, checkpoints_apart=self.checkpointer is not None)
        return engine

    def _orm_session(self, **options) -> Session:
        """A new ORM session for a transaction (``bind=`` its connection, joined to the transaction the store
        commits). The ORM loads with the first session (issue #19): a server whose requests so far needed only plain
        SQL (a GetCallerIdentity: services/accounts/plain.py) has not imported it."""
        if self._session_maker is None:
            with self._session_maker_lock:
                if self._session_maker is None:
                    from sqlalchemy import event
                    from sqlalchemy.orm import sessionmaker

                    sessions = sessionmaker(expire_on_commit=False, autoflush=True)
                    self.changes.watch_writes(sessions)
                    event.listen(sessions, "loaded_as_persistent", _keep_loaded)
                    event.listen(sessions, "after_soft_rollback", _drop_rolled_back)
                    self._session_maker = sessions
        return self._session_maker(**options)

    @contextlib.contextmanager
    def transaction(self, write: bool = True) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on error. ``write=False`` for read-only work.

        A database that cannot be reached or cannot do the work (disk full, lock timeout) raises StoreUnavailable.
        """
        token = _write_intent.set(write)
        try:
            with self._session(write) as session:
                yield session
        except _driver_failures() as exc:
            raise StoreUnavailable(_reason(exc), outage=is_outage(exc)) from exc
        finally:
            _write_intent.reset(token)

    @contextlib.contextmanager
    def _session(self, write: bool) -> Iterator[Session]:
        """A ``CoreSession`` (store/lazy.py): the session's pending changes flushed, the tables written published
        (inside the transaction), the commit, then the change marks and ``on_commit`` actions; a transaction that
        never began commits nothing. A write's commit is handed to the group commit (a read's has nothing to make
        durable: its answer never waits for an fsync)."""
        session = CoreSession(self.engine, self._orm_session)
        session.info[_LOCKS_ROWS] = write and self.kind != "sqlite"
        self.changes.begin(session)  # type: ignore[arg-type] - it notes the change mark in ``info`` only
        try:
            yield session  # type: ignore[misc]
            session.flush()
            self.changes.publish(session)  # type: ignore[arg-type]
            if session.commit() and write:
                self._committed()
            self.changes.committed(session)  # type: ignore[arg-type]
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
            with self._committing(write, written), self.engine.begin() as connection:
                yield connection
                if written:
                    self.changes.publish_written(connection, written)
        finally:
            _write_intent.reset(token)

    @contextlib.contextmanager
    def plain(self, write: bool = True, writes: Iterable[str] = ()) -> Iterator[PlainSql]:
        """One unit of work in plain SQL text (store/plain_sql.py), committed or rolled back as ``transaction``'s,
        ``writes`` as ``connection``'s. On a SQLite file it runs on the store's own driver connections and loads no
        SQLAlchemy (start-up, a root key's lookup: issue #19); elsewhere on ``connection``'s. (Its writes need not
        be published to other processes: that is PostgreSQL's, store/notify.py.)"""
        if self._drivers is None:
            with self.connection(write, writes) as connection:
                yield EngineSql(connection)
            return
        with self._committing(write, tuple(writes)):
            driver = self._drivers.take()  # a database that cannot be opened is unavailable, as the engine's would be
            try:
                with self._driver_transaction(driver, write):
                    yield DriverSql(driver)
            finally:
                self._drivers.give(driver)

    @contextlib.contextmanager
    def _committing(self, write: bool, written: tuple[str, ...]) -> Iterator[None]:
        """Around a plain-SQL unit of work whose block commits: then count the commit and mark the tables written (as
        ``transaction`` does); a driver's failure becomes StoreUnavailable."""
        try:
            yield
            if write:
                self._committed()
            self.changes.mark_committed(written)
        except _driver_failures() as exc:
            raise StoreUnavailable(_reason(exc), outage=is_outage(exc)) from exc

    @contextlib.contextmanager
    def _driver_transaction(self, driver: sqlite3.Connection, write: bool) -> Iterator[None]:
        """A transaction on one of the store's driver connections, begun as the engine's are (``_configure_sqlite``:
        a writer in its turn on the write lock, until the transaction ends)."""
        self._writers.begin(driver, write)
        try:
            yield
        except BaseException:
            if driver.in_transaction:
                driver.execute("ROLLBACK")
            raise
        else:
            driver.execute("COMMIT")
        finally:
            self._writers.release(driver)  # a no-op for a reader

    def _committed(self) -> None:
        """A write transaction committed (SQLite on a file): its answer waits for the group's fsync; the WAL goes
        into the database file in the background."""
        if self.group_commit is not None:
            self.group_commit.note_commit()
        if self.checkpointer is not None:
            self.checkpointer.committed()

    def read_scalar(self, statement: str, **params: object) -> object:
        """The first column of the first row of one read-only SQL ``statement`` (``plain(write=False)``)."""
        with self.plain(write=False) as sql:
            row = sql.first(statement, params)
        return None if row is None else row[0]

    def durable(self) -> None:
        """Block until every commit made so far is on disk (worker threads; the server's event loop awaits
        ``group_commit.synced()`` instead)."""
        if self.group_commit is not None:
            self.group_commit.wait()

    def ping(self) -> str | None:
        """None when the database answers a trivial query, else why it does not (for the health endpoint)."""
        try:
            self.read_scalar("SELECT 1")
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
        self._schema = schema = loaded(self._given_schema())
        return schema

    def migrate(self) -> None:
        """Bring the schema up to date (applied on every start; a store at head loads no ``LazySchema``, and a SQLite
        file at head or filled from a kept empty store no SQLAlchemy)."""
        if self._drivers is not None and self._ready_on_driver():
            return
        from rootplane.store.migrate import upgrade

        upgrade(self.engine, self._given_schema())

    def _ready_on_driver(self) -> bool:
        """Whether this SQLite file is at the head revision, or was empty and is now a copy of the empty store kept at
        head (store/kept.py); False when it needs the engine (migrations, or an empty store to build)."""
        driver = self._drivers.take()
        try:
            try:
                version = driver.execute("SELECT version_num FROM alembic_version").fetchone()
            except sqlite3.OperationalError:  # no version table: an empty store, or one Alembic must look at
                schema = self._given_schema()
                return isinstance(schema, LazySchema) and kept.copy_into(driver, schema, head_revision())
            return version is not None and version[0] == head_revision()
        finally:
            self._drivers.give(driver)

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.close()
        if self._drivers is not None:
            self._drivers.close()
        if self._engine is not None:
            self._engine.dispose()


def _driver_failures() -> tuple[type[BaseException], ...]:
    """The errors that say the store could not do the work: sqlite3's own (plain SQL on the driver) and, once
    SQLAlchemy is loaded, its wrappers of any driver's."""
    wrappers = sys.modules.get("sqlalchemy.exc")
    failures = (sqlite3.OperationalError, sqlite3.InterfaceError)
    return failures if wrappers is None else (*failures, wrappers.OperationalError, wrappers.InterfaceError)


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
