"""The PostgreSQL planner's statistics are kept fresh by the store itself (store/statistics.py): a table filled
behind the planner's back is analyzed by autovacuum's rule, once; one process at a time analyzes; SQLite needs none.
(Found by the bench: with autovacuum off and a million CloudTrail records never analyzed, LookupEvents by Username
walked the time index: 56 ms instead of 0.2 ms.)"""

import time

import pytest
from harness import drop_postgres_database, fill_cloudtrail_history as fill, required_postgres_database, \
    wait_until_analyzed
from sqlalchemy import text

from rootplane.schema import metadata
from rootplane.store.engine import Store
from rootplane.store.statistics import StatisticsKeeper


@pytest.fixture
def store():
    url = required_postgres_database()
    built = Store(url, metadata())
    built.migrate()
    yield built
    built.dispose()
    drop_postgres_database(url)


def analyzed(store: Store) -> list[str]:
    """Poll a pass until it analyzes something (the statistics' counters reach the server within a second)."""
    keeper = StatisticsKeeper(store)
    deadline = time.monotonic() + 15
    while not (done := keeper.refresh()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return done


def test_a_table_filled_behind_the_planners_back_is_analyzed_once(store):
    fill(store, 2000)
    assert analyzed(store) == ["cloudtrail_events"]
    with store.engine.connect() as connection:
        assert connection.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'cloudtrail_events'")) == 2000
        assert connection.scalar(text("SELECT n_distinct FROM pg_stats WHERE tablename = 'cloudtrail_events' "
                                      "AND attname = 'username'")) == 20
    assert StatisticsKeeper(store).refresh() == []  # fresh now: nothing to do until 10% more has changed
    fill(store, 100, first=2001)  # under 50 + 10% of 2,000
    time.sleep(1.5)
    assert StatisticsKeeper(store).refresh() == []


def test_one_process_analyzes_at_a_time(store):
    fill(store, 500)
    with store.engine.connect() as other:
        assert other.scalar(text("SELECT pg_try_advisory_xact_lock(hashtext('rootplane.analyze'))"))
        time.sleep(1.5)
        assert StatisticsKeeper(store).refresh() == []  # another server's pass is running
        other.rollback()
    assert analyzed(store) == ["cloudtrail_events"]


def test_the_keeper_runs_in_the_background_and_stops(store):
    fill(store, 500)
    keeper = StatisticsKeeper(store, interval=0.2)
    keeper.start()
    try:
        wait_until_analyzed(store, "cloudtrail_events", 15)
    finally:
        keeper.close()
    assert not keeper._thread.is_alive()


def test_sqlite_needs_no_statistics(tmp_path):
    sqlite = Store(f"sqlite:///{tmp_path / 'db.sqlite'}", metadata())
    keeper = StatisticsKeeper(sqlite)
    keeper.start()
    assert keeper.refresh() == [] and not keeper._thread.is_alive()
    sqlite.dispose()
