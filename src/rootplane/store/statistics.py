"""Fresh planner statistics on PostgreSQL, whether or not the database runs autovacuum.

PostgreSQL picks an index from its statistics of each table. A table filled faster than they are refreshed (a
CloudTrail history that grew to a million records), or a database whose operator turned autovacuum off, keeps the
statistics of an empty table, and the planner then walks the wrong index: LookupEvents by Username scanned the time
index of a million records (56 ms) instead of the user index (0.2 ms). The keeper applies autovacuum's own analyze
rule (a table changed by more than 50 rows plus 10% of its size since it was last analyzed) to every table of the
store's schema (the database is the store's own: no table needs mapping), once at start and then every ``interval``
seconds, in a daemon thread. Servers sharing the database take turns (a transaction advisory lock): one pass at a
time analyzes. SQLite needs none: its planner prefers the index that matches the most equality terms without
statistics.
"""

from __future__ import annotations

import logging
import threading

from rootplane.store.engine import Store, advisory_lock

__all__ = ["StatisticsKeeper", "ANALYZE_THRESHOLD", "ANALYZE_SCALE_FACTOR"]

log = logging.getLogger("rootplane.store")

#: autovacuum_analyze_threshold and autovacuum_analyze_scale_factor's defaults.
ANALYZE_THRESHOLD = 50
ANALYZE_SCALE_FACTOR = 0.1
_LOCK = "rootplane.analyze"
_STALE = (
    "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
    "WHERE s.schemaname = current_schema() "
    "AND s.n_mod_since_analyze > :threshold + :scale * greatest(c.reltuples, 0) ORDER BY s.relname")


class StatisticsKeeper:
    """Analyze the store's tables whose statistics are stale: now, then every ``interval`` seconds."""

    def __init__(self, store: Store, interval: float = 30.0) -> None:
        self._store = store
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rootplane-analyze", daemon=True)

    def start(self) -> None:
        if self._store.kind == "postgresql":
            self._thread.start()

    def close(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def refresh(self) -> list[str]:
        """One pass: the tables analyzed (none while another process runs a pass, or on SQLite)."""
        if self._store.kind != "postgresql":
            return []
        from sqlalchemy import text

        quote = self._store.engine.dialect.identifier_preparer.quote
        with self._store.engine.begin() as connection:
            if not advisory_lock(connection, "pg_try_advisory_xact_lock", _LOCK):
                return []
            stale = list(connection.scalars(text(_STALE), {"threshold": ANALYZE_THRESHOLD, "scale": ANALYZE_SCALE_FACTOR}))
            for name in stale:
                connection.execute(text(f"ANALYZE {quote(name)}"))
        if stale:
            log.info("refreshed planner statistics of %s", ", ".join(stale))
        return stale

    def _run(self) -> None:
        while True:
            try:
                self.refresh()
            except Exception as exc:  # noqa: BLE001 - an outage or a lock timeout: the next pass tries again
                log.warning("could not refresh planner statistics: %s", exc.__class__.__name__)
            if self._stopped.wait(self._interval):
                return
