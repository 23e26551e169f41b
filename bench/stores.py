"""Where a rootplane under test keeps its state: a temporary data directory (the SQLite store, the KMS master key)
and, for ``--workers`` > 1, a fresh database on the machine's PostgreSQL (ROOTPLANE_BENCH_POSTGRES_URL, default
127.0.0.1:5432 as user postgres), dropped with the store.
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field

__all__ = ["BenchStore", "ROOTPLANES", "scratch_data_dir"]

POSTGRES_URL = os.environ.get("ROOTPLANE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
#: The rootplane servers the bench knows: name -> serving processes (1: SQLite; more: PostgreSQL, one supervisor).
ROOTPLANES = {"rootplane": 1, "rootplane-pg2": 2, "rootplane-pg4": 4}


def scratch_data_dir() -> str:
    """A data directory for a store built in this process (the in-process benches), removed when the process exits."""
    path = tempfile.mkdtemp(prefix="rootplane-bench-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def _admin(statement: str, params: tuple = (), url: str = POSTGRES_URL):
    """Run one statement as the PostgreSQL server's administrator (on the database at ``url``, by default the server's
    own); its first row (None when it has none)."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True,
                         connect_timeout=5) as connection:
        cursor = connection.execute(statement, params)
        return cursor.fetchone() if cursor.description else None


@dataclass
class BenchStore:
    """``workers`` 1: SQLite in ``data_dir``; more: a PostgreSQL database created here (``database_url``)."""

    workers: int = 1
    data_dir: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="rootplane-bench-"))
    database_url: str | None = None

    def __post_init__(self) -> None:
        if self.workers > 1 and self.database_url is None:
            name = f"rootplane_bench_{uuid.uuid4().hex[:12]}"
            _admin(f'CREATE DATABASE "{name}"')
            self.database_url = f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"

    @property
    def name(self) -> str:
        return "rootplane" if self.database_url is None else f"rootplane-pg{self.workers}"

    def serve_args(self) -> tuple[str, ...]:
        """The ``rootplane serve`` flags that put a server on this store."""
        if self.database_url is None:
            return ("--data-dir", self.data_dir)
        return ("--data-dir", self.data_dir, "--database-url", self.database_url, "--workers", str(self.workers))

    def config(self):
        """The store as a ServerConfig (to write into it before a server starts)."""
        from rootplane.core.config import ServerConfig

        return ServerConfig(data_dir=self.data_dir, database_url=self.database_url)

    def wait_until_built(self, since: dt.datetime, timeout: float = 60.0) -> None:
        """Wait until every worker started after ``since`` has built its gateway, so that no measurement pays for a
        worker still starting: each built gateway holds one connection LISTENing for cache invalidations."""
        if self.database_url is None:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            listening = _admin("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_start >= %s "
                               "AND query ILIKE 'LISTEN%%'", (self.database_url.rsplit("/", 1)[1], since))[0]
            if listening >= self.workers:
                return
            time.sleep(0.05)
        raise RuntimeError(f"{self.workers} workers were not all built within {timeout:g} s")

    def settle_written(self) -> None:
        """After writing into a stopped store: on PostgreSQL, vacuum and analyze it, as autovacuum has done to a store
        whose rows arrived over weeks (rows bulk-written moments before a measurement otherwise have autovacuum and
        autoanalyze run during it, on the machine's two cores). SQLite: nothing (it has no background vacuum)."""
        if self.database_url is not None:
            _admin("VACUUM (ANALYZE)", url=self.database_url)

    def remove(self) -> None:
        """Delete the data directory and drop the database (no server may be using them)."""
        shutil.rmtree(self.data_dir, ignore_errors=True)
        if self.database_url is not None:
            _admin(f'DROP DATABASE IF EXISTS "{self.database_url.rsplit("/", 1)[1]}" WITH (FORCE)')
