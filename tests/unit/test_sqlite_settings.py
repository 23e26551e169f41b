"""Every connection to a SQLite store, the engine's and the store's own driver connections, runs with the store's
settings: WAL, commits that do not fsync (the group commit does), and SQLite's soft heap limit for the process."""

from rootplane.schema import metadata
from rootplane.store.engine import Store
from rootplane.store.plain_sql import SQLITE_SOFT_HEAP_LIMIT


def test_engine_and_driver_connections_share_the_settings(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}", metadata())
    try:
        store.migrate()
        with store.engine.connect() as connection:
            engine_settings = [connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                               for name in ("journal_mode", "synchronous", "soft_heap_limit")]
        with store.plain(write=False) as sql:
            driver_settings = [sql.first(f"PRAGMA {name}", {})[0]
                               for name in ("journal_mode", "synchronous", "soft_heap_limit")]
    finally:
        store.dispose()
    assert engine_settings == driver_settings == ["wal", 1, SQLITE_SOFT_HEAP_LIMIT]  # synchronous 1: NORMAL
