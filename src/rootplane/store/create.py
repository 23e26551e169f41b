"""Create an empty store's tables without mapping the model when it can (issue #19: a fresh store's first answer).

``metadata.create_all`` needs every service's tables mapped (about 0.15 s of CPU for the ORM classes). The DDL it
runs on an empty store depends only on the schema's sources, the head revision, SQLAlchemy's version and the
database's, so it is recorded the first time and kept in a cache (core/file_cache.py, folder ``schema-ddl``) under a
name made of all of them; later empty stores replay those statements in the caller's transaction. A schema given as a
plain ``MetaData`` (no key), a cache that is off, missing or damaged: ``create_all``, as before.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Connection, Dialect

from rootplane.core.file_cache import JsonFileCache, cache_root

__all__ = ["LazySchema", "Schema", "loaded", "create_tables"]


@dataclass(frozen=True)
class LazySchema:
    """The whole schema, loaded (mapped) at its first use; ``key`` names its version without loading it (a digest
    of the sources that define it, from ``fingerprint``: taken only when an empty store is created)."""

    load: Callable[[], MetaData]
    fingerprint: Callable[[], str]

    @functools.cached_property
    def key(self) -> str:
        return self.fingerprint()


#: The mapped model itself, or a ``LazySchema``: a store already at head then starts without mapping any table
#: a request does not need.
Schema = MetaData | LazySchema


def loaded(schema: Schema) -> MetaData:
    """The mapped model (loading it now for a ``LazySchema``)."""
    return schema if isinstance(schema, MetaData) else schema.load()


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
