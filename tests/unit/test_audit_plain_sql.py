"""The audit writer's plain-SQL statements (services/cloudtrail/plain.py, services/events/plain.py: no ORM) name the
mapped model's tables and columns, and their probes answer as the model's queries do, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.types import NullType

from rootplane.schema import metadata
from rootplane.services.cloudtrail import plain as trail_sql
from rootplane.services.cloudtrail import repo as trails
from rootplane.services.cloudtrail.tables import TrailRow
from rootplane.services.events import plain as rule_sql
from rootplane.services.events import repo as rules
from rootplane.services.events.tables import RuleRow
from rootplane.store.engine import Store

AT = dt.datetime(2026, 12, 5, 6, 43, 1, tzinfo=dt.timezone.utc)
ACCOUNT, OTHER = "111122223333", "444455556666"


@pytest.fixture
def store(migrated_store):
    return migrated_store


@pytest.mark.parametrize("plain", [trail_sql.EVENTS, trail_sql.EVENT_RESOURCES, trail_sql.TRAILS, rule_sql.RULES])
def test_each_plain_table_names_columns_of_the_mapped_table(plain):
    mapped = metadata().tables[plain.name]
    for column in plain.columns:
        assert column.name in mapped.c, f"{plain.name}.{column.name}"
        if not isinstance(column.type, NullType):  # a typed column binds as the model's does
            assert type(column.type) is type(mapped.c[column.name].type), f"{plain.name}.{column.name}"
            # a bounded one is cut to the model's length before it is written (plain.put_events)
            assert getattr(column.type, "length", None) == getattr(mapped.c[column.name].type, "length", None)
        else:  # an untyped one binds its value as is: so must the model's column
            for dialect in (sqlite.dialect(), postgresql.psycopg.dialect()):
                assert mapped.c[column.name].type.bind_processor(dialect) is None, f"{plain.name}.{column.name}"
    if plain.name not in ("cloudtrail_trails", "events_rules"):  # the inserts write every column but a serial id
        assert {column.name for column in plain.columns} | {"id"} >= set(mapped.c.keys())


def _trail(name: str, logging: bool, stopped_at: dt.datetime | None = None) -> TrailRow:
    return TrailRow(trail_arn=f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/{name}", account_id=ACCOUNT, name=name,
                    home_region="us-east-1", s3_bucket_name="logs", is_logging=logging, created_at=AT,
                    stopped_at=stopped_at)


def test_the_trail_probe_finds_a_receiving_trail_as_the_delivery_query_does(store):
    """A trail receives a batch when it is logging, or stopped no earlier than the batch's first event."""
    def probed(since: dt.datetime = AT) -> bool:
        with store.transaction() as session:
            found = trail_sql.any_trail_receiving(session.connection(), since)
            assert found == bool(trails.list_receiving_trails(session, since))
            return found

    assert not probed()
    with store.transaction() as session:
        session.add(_trail("never-started", False))
        session.add(_trail("stopped", False, stopped_at=AT))
    assert probed(AT) and not probed(AT + dt.timedelta(microseconds=1))
    with store.transaction() as session:
        session.add(_trail("logging", True))
    assert probed(AT + dt.timedelta(days=1))


def _rule(name: str, region: str = "us-east-1", bus: str = "default", state: str = "ENABLED",
          pattern: str | None = '{"source": ["aws.iam"]}') -> RuleRow:
    return RuleRow(arn=f"arn:aws:events:{region}:{ACCOUNT}:rule/{bus}/{name}", account_id=ACCOUNT, region=region,
                   bus_name=bus, name=name, event_pattern=pattern, state=state, created_by=ACCOUNT, created_at=AT)


def test_the_rule_probe_finds_the_rules_the_delivery_query_matches(store):
    places = [(ACCOUNT, "us-east-1"), (ACCOUNT, "eu-west-1"), (OTHER, "us-east-1")]

    def probed() -> dict[tuple[str, str], bool]:
        with store.transaction() as session:
            found = {place: rule_sql.any_active_rule(session.connection(), [place], "default") for place in places}
            assert found == {place: place in rules.list_active_rules_of(session, set(places), "default")
                             for place in places}
            assert rule_sql.any_active_rule(session.connection(), places, "default") == any(found.values())
            return found

    assert not any(probed().values())
    with store.transaction() as session:  # none of these can match a record on the default bus
        session.add_all([_rule("disabled", state="DISABLED"), _rule("scheduled", pattern=None),
                         _rule("elsewhere", bus="custom"), _rule("eu", region="eu-west-1", state="DISABLED")])
    assert not any(probed().values())
    with store.transaction() as session:
        session.add(_rule("all-management-events", region="eu-west-1",
                          state="ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"))
    assert probed() == {(ACCOUNT, "us-east-1"): False, (ACCOUNT, "eu-west-1"): True, (OTHER, "us-east-1"): False}
    with store.engine.connect() as connection:
        assert not rule_sql.any_active_rule(connection, [], "default")


def test_the_writer_hands_a_batch_to_what_another_worker_created_since_its_last_batch(store):
    """The probes read in each batch's own transaction (no process cache): a rule or trail another process (here a
    second Store on the same database) creates between two batches receives the second one."""
    from rootplane.audit.call import ApiCall
    from rootplane.audit.install import consumers
    from rootplane.audit.recorder import Recorder
    from rootplane.auth.principal import ROOT, Principal
    from rootplane.core.clock import SystemClock

    handed: list[str] = []
    spied = [consumer._replace(deliver=lambda _session, _batch, name=consumer.deliver.__name__: handed.append(name))
             for consumer in consumers(SystemClock())]
    recorder = Recorder(store, SystemClock(), spied, linger=0.01)
    other = Store(store.url, metadata())
    root = Principal(kind=ROOT, account_id=ACCOUNT, arn=f"arn:aws:iam::{ACCOUNT}:root", user_id=ACCOUNT)

    def recorded() -> list[str]:
        handed.clear()
        recorder.submit(ApiCall(request_id="r", service="sts", operation="GetCallerIdentity", region="us-east-1",
                                principal=root, event_time=dt.datetime.now(dt.timezone.utc), source_ip="192.0.2.1",
                                user_agent="test", params={}))
        recorder.flush()
        return list(handed)

    try:
        assert recorded() == []
        with other.transaction() as session:
            session.add(_rule("alert"))
        assert recorded() == ["eventbridge_rules"]
        with other.transaction() as session:
            session.add(_trail("logging", True))
        assert recorded() == ["eventbridge_rules", "trail_log_files"]
    finally:
        recorder.close(timeout=5)
        other.dispose()
