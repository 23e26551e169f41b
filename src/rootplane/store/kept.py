"""Empty SQLite stores kept whole: the first one built at a schema version is kept in the cache, later ones are
copies of it (issue #19: a fresh store's first answer).

The copy is the database image, compressed, in the cache folder ``schema-db`` (core/file_cache.py: checked JSON
files). Its name holds everything the image depends on: the schema's sources, the head revision, the code that
builds it, the installed SQLAlchemy (which writes the DDL) and the SQLite library; all are read without importing
SQLAlchemy, so a store at a known version is filled on the driver alone (store/engine.py ``Store.migrate``). A copy
goes in by SQLite's online backup, one write transaction of about 1 MiB of pages (a crash leaves the store empty).
A copy that fails its digest, is not a database or does not fit (another page size) is not used: the store is built.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import logging
import sqlite3
import zlib
from functools import lru_cache
from pathlib import Path

from rootplane.core.file_cache import JsonFileCache, cache_root
from rootplane.store.lazy_schema import LazySchema

__all__ = ["kept_stores", "keep", "copy_into"]

log = logging.getLogger("rootplane.store")


def kept_stores() -> JsonFileCache | None:
    """Where empty stores are kept; None while the cache is off."""
    root = cache_root()
    return None if root is None else JsonFileCache(root / "schema-db")


@lru_cache(maxsize=1)
def _builders_digest() -> bytes:
    """What builds an image besides the schema: this module, store/create.py (the DDL), the installed SQLAlchemy
    (its package's ``__init__``, which names its version; found without importing it) and the SQLite library."""
    here = Path(__file__)
    digest = hashlib.sha256(here.read_bytes() + here.with_name("create.py").read_bytes())
    spec = importlib.util.find_spec("sqlalchemy")
    if spec is not None and spec.origin:
        digest.update(Path(spec.origin).read_bytes())
    digest.update(sqlite3.sqlite_version.encode())
    return digest.digest()


def _name(schema: LazySchema, revision: str) -> str:
    digest = hashlib.sha256(_builders_digest() + f"|{schema.key}|{revision}".encode())
    return f"sqlite-{revision}-{digest.hexdigest()[:24]}"


def keep(driver: sqlite3.Connection, schema: LazySchema, revision: str) -> None:
    """Keep the image of the empty store just built on ``driver`` at ``revision`` (nothing while the cache is off or
    when it cannot be written)."""
    cache = kept_stores()
    if cache is None:
        return
    try:
        image = bytearray(driver.serialize())
    except sqlite3.Error as exc:  # keeping a copy only saves time: never worth failing the store for
        log.info("rootplane: empty store not kept (%s)", exc)
        return
    image[18:20] = b"\x01\x01"  # marked a rollback-journal database: an image in WAL mode cannot be opened in memory
    cache.write(_name(schema, revision), base64.b64encode(zlib.compress(image)).decode())


def copy_into(driver: sqlite3.Connection, schema: LazySchema, revision: str) -> bool:
    """Fill the empty store of ``driver`` (no transaction open) from the image kept at ``revision``. False when
    there is no sound copy or the store is not empty."""
    cache = kept_stores()
    if cache is None:
        return False
    try:
        if driver.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None:
            return False
        kept = cache.read(_name(schema, revision))
        if not isinstance(kept, str):
            return False
        source = sqlite3.connect(":memory:")
        try:
            source.deserialize(zlib.decompress(base64.b64decode(kept)))
            source.backup(driver)
        finally:
            source.close()
    except (sqlite3.Error, zlib.error, ValueError) as exc:  # an odd copy (another page size...): built as before
        log.info("rootplane: kept empty store not used (%s); building it", exc)
        return False
    return True
