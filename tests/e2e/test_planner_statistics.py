"""A server on PostgreSQL analyzes the tables that grew behind the planner's back, so lookups keep their index even
where autovacuum is off (this machine's PostgreSQL runs without it): a CloudTrail history filled before the server
starts is analyzed within seconds of the start, and LookupEvents by Username then walks the user index."""

from harness import (drop_postgres_database, fill_cloudtrail_history, required_postgres_database, start_server,
                     wait_until_analyzed)
from sqlalchemy import text

from rootplane.schema import metadata
from rootplane.store.engine import Store

LOOKUP = text("EXPLAIN SELECT * FROM cloudtrail_events WHERE account_id = '000000000000' AND region = 'us-east-1' "
              "AND username = 'user7' AND event_time >= now() - interval '90 days' AND event_time <= now() "
              "ORDER BY event_time DESC, event_id DESC LIMIT 50")


def test_a_history_filled_before_start_is_analyzed_by_the_server():
    url = required_postgres_database()
    store = Store(url, metadata())
    try:
        store.migrate()
        fill_cloudtrail_history(store, 3000)
        server = start_server(database_url=url)
        try:
            wait_until_analyzed(store, "cloudtrail_events", 20)
            with store.engine.connect() as connection:
                plan = "\n".join(connection.scalars(LOOKUP))
            assert "ix_cloudtrail_events_user" in plan, plan
            events = server.client("cloudtrail").lookup_events(
                LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "user7"}])["Events"]
            assert events and {event["Username"] for event in events} == {"user7"}
        finally:
            server.close()
    finally:
        store.dispose()
        drop_postgres_database(url)
