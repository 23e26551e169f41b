"""Create an empty store's tables without mapping the model when it can (issue #19: a fresh store's first answer).

``metadata.create_all`` needs every service's tables mapped (about 0.15 s of CPU for the ORM classes). The DDL it
runs on an empty store depends only on the schema's sources, the head revision, SQLAlchemy's version and the
database's, so it is recorded the first time and kept in a cache (core/file_cache.py, folder ``schema-ddl``) under a
name made of all of them; later empty stores replay those statements in the caller's transaction. A schema given as a
plain ``MetaData`` (no key), a cache that is off, missing or damaged: ``create_all``, as before.

An empty SQLite file store goes faster still: the first one built at a version is kept, whole, in the same cache,
and the next ones are copies of it (store/kept.py; a served fresh start creates its store in 7-8 ms instead of
18-20 ms).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import sqlalchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Connection, Dialect, Engine

from rootplane.core.file_cache import JsonFileCache, cache_root
from rootplane.store import kept
from rootplane.store.engine import sqlite_file
from rootplane.store.lazy_schema import LazySchema, Schema, loaded

__all__ = ["LazySchema", "Schema", "loaded", "create_tables", "copy_kept_store", "keep_store"]


def _cache() -> JsonFileCache:
    root = cache_root()
    return JsonFileCache(None if root is None else root / "schema-ddl")


def _name(schema: LazySchema, dialect: Dialect, revision: str) -> str:
    """What the DDL depends on: the schema's sources, the head revision, SQLAlchemy, the database's version, and
    this module (which records it)."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(f"{schema.key}|{revision}|{sqlalchemy.__version__}|{dialect.server_version_info}".encode())
    return f"{dialect.name}-{revision}-{digest.hexdigest()[:24]}"


def _create_all_recorded(connection: Connection, metadata: MetaData) -> list[list]:
    """``create_all`` on an empty store; the (statement, parameters) pairs it ran."""
    statements: list[list] = []

    def record(_conn, _cursor, statement, parameters, _context, _executemany) -> None:
        statements.append([statement, parameters])

    event.listen(connection, "before_cursor_execute", record)
    try:
        metadata.create_all(connection, checkfirst=False)  # the store was just found empty: no table to look for
    finally:
        event.remove(connection, "before_cursor_execute", record)
    return statements


def create_tables(connection: Connection, schema: Schema, revision: str) -> None:
    """Create every table of ``schema`` (at ``revision``) in an empty store, inside the caller's transaction."""
    if isinstance(schema, MetaData):
        schema.create_all(connection, checkfirst=False)  # the store was just found empty: no table to look for
        return
    cache, name = _cache(), _name(schema, connection.dialect, revision)
    statements = cache.read(name)
    if statements is None:
        cache.write(name, _create_all_recorded(connection, schema.load()))
        return
    for statement, parameters in statements:
        connection.exec_driver_sql(statement, tuple(parameters) if isinstance(parameters, list) else parameters)


def _kept(engine: Engine, schema: Schema) -> bool:
    """Whether empty stores like ``engine``'s are kept (store/kept.py): SQLite files (not in memory) of a keyed
    schema."""
    return isinstance(schema, LazySchema) and sqlite_file(engine.url) is not None


def keep_store(engine: Engine, schema: Schema, revision: str) -> None:
    """Keep a copy of the SQLite store just built empty at ``revision`` for ``copy_kept_store`` (nothing for other
    stores, or when the cache is off or cannot be written)."""
    if not _kept(engine, schema):
        return
    raw = engine.raw_connection()
    try:
        kept.keep(raw.driver_connection, schema, revision)
    finally:
        raw.close()


def copy_kept_store(engine: Engine, schema: Schema, revision: str) -> bool:
    """Fill an empty SQLite store from the copy ``keep_store`` kept at ``revision``, in one backup (a transaction of
    its own: a crash leaves the store empty, as before). False when there is no sound copy, or the store is not
    SQLite on a file or not empty."""
    if not _kept(engine, schema):
        return False
    raw = engine.raw_connection()
    try:
        return kept.copy_into(raw.driver_connection, schema, revision)
    finally:
        raw.close()
