"""The audit writer (audit/recorder.py) against a real SQLite store made unavailable: a batch the store refuses is
kept, retried with back-off and written exactly once when the store returns; ``submit`` never waits during the
outage and drops the oldest calls past ``outage_capacity``; a batch that fails for another reason is skipped."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import gc
import itertools
import json
import sqlite3
import time
import weakref
from collections.abc import Iterator

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from rootplane.audit.call import ApiCall
from rootplane.audit.record import for_records, records_for
from rootplane.audit.recorder import Consumer, Recorder
from rootplane.auth.principal import ROOT, Principal
from rootplane.core.clock import SystemClock
from rootplane.schema import metadata
from rootplane.services.cloudtrail.tables import EventRow
from rootplane.store.engine import Store, sqlite_url

_ROOT = Principal(kind=ROOT, account_id="111111111111", arn="arn:aws:iam::111111111111:root", user_id="111111111111")
_REQUESTS = itertools.count()
_START = _dt.datetime.now(_dt.timezone.utc)


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    store = Store(sqlite_url(tmp_path), metadata())
    store.migrate()
    # A locked database answers "database is locked" after 50 ms instead of the server's 10 s, so each attempt
    # fails fast (registered after the store's own listener, so it wins); pooled connections are reopened.
    event.listen(store.engine, "connect", lambda connection, _record: connection.execute("PRAGMA busy_timeout=50"))
    store.engine.dispose()
    yield store
    store.dispose()


def _delivered(store: Store) -> list[str]:
    """Event ids the test's consumer stored, in order: like EventBridge and trail delivery, it writes in the
    recorder's transaction, so a delivery counts only if its batch committed."""
    with store.transaction(write=False) as session:
        return list(session.scalars(text("SELECT event_id FROM test_deliveries ORDER BY rowid")))


@pytest.fixture
def recorder(store) -> Iterator[Recorder]:
    recorder = _recorder(store)
    yield recorder
    recorder.close(timeout=5)


def _recorder(store: Store, **kwargs) -> Recorder:
    with store.transaction() as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS test_deliveries (event_id TEXT NOT NULL)"))

    def consumer(session, batch) -> None:
        session.execute(text("INSERT INTO test_deliveries VALUES (:event_id)"),
                        [{"event_id": recorded.record["eventID"]} for recorded in batch])

    return Recorder(store, SystemClock(), [Consumer(consumer)], linger=0.01, retry_cap=0.2, **kwargs)


def _call(service: str = "sts", operation: str = "GetCallerIdentity",
          result: dict | None = None) -> ApiCall:
    """A call (GetCallerIdentity unless told), each one a millisecond after the one before."""
    number = next(_REQUESTS)
    return ApiCall(request_id=f"request-{number}", service=service, operation=operation,
                   region="us-east-1", principal=_ROOT, event_time=_START + _dt.timedelta(milliseconds=number),
                   source_ip="127.0.0.1", user_agent="test", params={},
                   result={"Account": "111111111111"} if result is None else result)


def _stored(store: Store) -> list[tuple[str, str]]:
    """(requestID, eventID) of every stored event, oldest first."""
    with store.transaction(write=False) as session:
        records = [json.loads(row.record) for row in session.query(EventRow).order_by(EventRow.event_time)]
    return [(record["requestID"], record["eventID"]) for record in records]


def _committed_events(store: Store) -> int:
    """The number of events another connection sees: committed ones."""
    with sqlite3.connect(store.engine.url.database) as connection:
        return connection.execute("SELECT count(*) FROM cloudtrail_events").fetchone()[0]


def _poll(predicate, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "not within the deadline"
        time.sleep(0.01)


class _Lock:
    """Another connection holding the database's write lock: every write of the store fails "database is locked"."""

    def __init__(self, store: Store) -> None:
        self.connection = sqlite3.connect(store.engine.url.database, isolation_level=None)
        self.connection.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.connection.execute("ROLLBACK")
        self.connection.close()


def _count_failures(store: Store) -> list[str]:
    failures: list[str] = []
    event.listen(store.engine, "handle_error", lambda context: failures.append(str(context.original_exception)))
    return failures


def test_a_batch_the_locked_store_refuses_is_retried_and_written_once_in_order(store, recorder):
    before = _call()
    recorder.submit(before)
    recorder.flush()
    failures = _count_failures(store)
    lock = _Lock(store)
    calls = [_call() for _ in range(5)]
    for call in calls:
        recorder.submit(call)
    _poll(lambda: recorder.status()["storeUnavailable"])
    started = time.monotonic()
    recorder.flush(timeout=0.5)  # returns during the outage (and retries at once)
    assert time.monotonic() - started < 2
    _poll(lambda: len(failures) >= 4)  # several attempts failed, with back-off
    assert all("database is locked" in failure for failure in failures)
    assert [request for request, _ in _stored(store)] == [before.request_id]
    lock.release()
    recorder.flush()
    stored = _stored(store)
    assert [request for request, _ in stored] == [call.request_id for call in [before, *calls]]
    assert _delivered(store) == [event_id for _, event_id in stored]  # each record handed to consumers once
    assert recorder.status() == {"queued": 0, "storeUnavailable": False, "dropped": 0}


def test_a_retry_after_a_lost_commit_answer_stores_and_delivers_nothing_twice(store, recorder, caplog, monkeypatch):
    """The store commits the batch but the answer is lost (as a connection cut after COMMIT reached PostgreSQL):
    the retry finds the events stored and neither inserts nor delivers them again."""
    lost = []
    commit = store.engine.dialect.do_commit

    def lose_answer(dbapi_connection) -> None:  # the commit that stored the events is made, its answer lost
        commit(dbapi_connection)
        if not lost and _committed_events(store):
            lost.append(True)
            raise OperationalError("COMMIT", {}, ConnectionError("server closed the connection unexpectedly"))

    calls = [_call() for _ in range(3)]
    monkeypatch.setattr(store.engine.dialect, "do_commit", lose_answer)
    for call in calls:
        recorder.submit(call)
    recorder.flush()
    monkeypatch.undo()
    assert lost, "the commit's answer was lost once"
    assert "could not write" not in caplog.text  # the retry succeeded (no duplicate key)
    assert not recorder.status()["storeUnavailable"]
    stored = _stored(store)
    assert [request for request, _ in stored] == [call.request_id for call in calls]
    assert _delivered(store) == [event_id for _, event_id in stored]


def test_during_an_outage_submit_never_waits_and_drops_the_oldest_past_the_outage_capacity(store):
    recorder = _recorder(store, capacity=2, outage_capacity=6, batch_size=2)
    try:
        lock = _Lock(store)
        first = _call()
        recorder.submit(first)
        _poll(lambda: recorder.status()["storeUnavailable"])
        calls = [_call() for _ in range(20)]
        started = time.monotonic()
        for call in calls:
            recorder.submit(call)
        assert time.monotonic() - started < 0.2, "submit waited during the outage"
        assert recorder.status() == {"queued": 6, "storeUnavailable": True, "dropped": 14}
        lock.release()
        recorder.flush()
        kept = [first, *calls[-6:]]  # the batch being retried, then the newest calls
        assert [request for request, _ in _stored(store)] == [call.request_id for call in kept]
        assert recorder.status() == {"queued": 0, "storeUnavailable": False, "dropped": 14}
    finally:
        recorder.close(timeout=5)


def test_a_batch_failing_for_its_own_reason_is_skipped_and_does_not_block_the_queue(store, recorder):
    with store.transaction() as session:  # every insert now fails "no such table": not an outage
        session.execute(text("ALTER TABLE cloudtrail_events RENAME TO cloudtrail_events_away"))
    recorder.submit(_call())
    started = time.monotonic()
    recorder.flush()
    assert time.monotonic() - started < 2 and not recorder.status()["storeUnavailable"]
    with store.transaction() as session:
        session.execute(text("ALTER TABLE cloudtrail_events_away RENAME TO cloudtrail_events"))
    after = _call()
    recorder.submit(after)
    recorder.flush()
    assert [request for request, _ in _stored(store)] == [after.request_id]


def test_a_bad_record_loses_only_its_own_call_not_its_batchs(store):
    """A batch the store refuses for one call's record (PostgreSQL refused an overlong resource name) is written
    again call by call: the other calls of the batch keep their records (the whole batch was skipped)."""
    with store.transaction() as session:
        session.execute(text("CREATE TRIGGER refuse_bad BEFORE INSERT ON cloudtrail_events "
                             "WHEN NEW.event_name = 'Bad' BEGIN SELECT RAISE(ABORT, 'refused'); END"))
    recorder = _recorder(store)
    try:
        calls = [_call(), _call(operation="Bad"), _call()]
        for call in calls:
            recorder.submit(call)
        recorder.flush()
    finally:
        recorder.close(timeout=5)
    assert [request for request, _ in _stored(store)] == [calls[0].request_id, calls[2].request_id]


def test_close_gives_up_when_the_store_stays_unavailable(store, caplog):
    recorder = _recorder(store)
    lock = _Lock(store)
    try:
        recorder.submit(_call())
        recorder.submit(_call())
        _poll(lambda: recorder.status()["storeUnavailable"])
        started = time.monotonic()
        recorder.close(timeout=0.3)
        assert time.monotonic() - started < 3
        assert "audit store unavailable at shutdown: 2 calls not recorded" in caplog.text
    finally:
        lock.release()


def test_a_consumer_cut_off_from_the_store_makes_the_whole_batch_wait(store):
    """A consumer's own failure loses no record (it is logged); its store failing retries the batch, so records and
    deliveries stay together."""
    failures = [OperationalError("INSERT", {}, ConnectionError("server closed the connection unexpectedly")),
                ValueError("a consumer bug")]

    def failing(_session, _batch) -> None:
        if failures:
            raise failures.pop(0)

    recorder = _recorder(store)
    recorder.consumers.append(Consumer(failing))
    try:
        calls = [_call() for _ in range(2)]
        for call in calls:
            recorder.submit(call)
        recorder.flush()
        stored = _stored(store)
        assert [request for request, _ in stored] == [call.request_id for call in calls]
        assert _delivered(store) == [event_id for _, event_id in stored]
        assert failures == []  # the batch was written twice: once cut off, once with the buggy consumer
    finally:
        recorder.close(timeout=5)


def test_a_queued_call_keeps_only_what_its_records_show():
    """The writer holds calls for up to its linger: a read-only or failed call's result (a ListUsers page, which
    its record never shows) is dropped before queuing, a data event (no record at all) is not queued."""
    created = {"User": {"UserName": "ada", "Path": "/"}}
    read, write, failed = _call(), _call("iam", "CreateUser", created), _call("iam", "CreateUser", created)
    failed.error_code, failed.error_message = "EntityAlreadyExists", "User with name ada already exists."
    assert for_records(read) is read and read.result is None
    assert for_records(write) is write and write.result == created
    assert for_records(failed) is failed and failed.result is None
    assert for_records(_call("sqs", "SendMessage", {"MessageId": "m"})) is None


def test_a_records_resources_are_those_known_by_arn():
    """A record's resources[] holds ARNs: a resource the call names only by a bare name (a queue name, an account id)
    stays a LookupEvents key (ResourceType/ResourceName) and is not passed off as an ARN."""
    queue = dataclasses.replace(_call("sqs", "CreateQueue", {"QueueUrl": "http://q"}), params={"QueueName": "q"})
    [record] = records_for(queue)
    assert "resources" not in record.record and record.resources == ({"type": "AWS::SQS::Queue", "name": "q"},)
    user = dataclasses.replace(_call("iam", "GetUser"), params={"UserName": "ada"})
    [record] = records_for(user)
    assert record.record["resources"] == [
        {"accountId": "111111111111", "type": "AWS::IAM::User", "ARN": "arn:aws:iam::111111111111:user/ada"}]


def test_a_write_record_still_shows_the_result(store, recorder):
    recorder.submit(_call("iam", "CreateUser", {"User": {"UserName": "ada", "Path": "/"}}))
    recorder.submit(_call())
    recorder.flush()
    with store.transaction(write=False) as session:
        records = {record["eventName"]: record
                   for record in (json.loads(row.record) for row in session.query(EventRow))}
    assert records["CreateUser"]["responseElements"]["user"]["userName"] == "ada"
    assert records["GetCallerIdentity"]["responseElements"] is None


def test_a_record_orjson_refuses_is_written_by_the_standard_encoder(store, recorder):
    """An integer beyond 64 bits or a key that is not a string in a record's data costs its batch nothing."""
    odd = dataclasses.replace(_call(), audit={"verbatim_elements": True,
                                              "additional_event_data": {"huge": 2**70, 7: "café"}})
    plain = _call()
    recorder.submit(odd)
    recorder.submit(plain)
    recorder.flush()
    with store.transaction(write=False) as session:
        records = [json.loads(row.record) for row in session.query(EventRow).order_by(EventRow.event_time)]
    assert [record["requestID"] for record in records] == [odd.request_id, plain.request_id]
    assert records[0]["additionalEventData"] == {"huge": 2**70, "7": "café"}


def test_less_than_a_batch_left_after_a_write_is_gathered_again(store):
    """Calls arriving while a batch is written wait for the next gather instead of being written a few at a time
    (under steady load that wrote batches of a handful of calls, each paying a whole batch's commit)."""
    sizes: list[int] = []
    recorder = Recorder(store, SystemClock(), [Consumer(lambda session, batch: sizes.append(len(batch)))],
                        linger=0.3, batch_size=10)
    try:
        for _ in range(13):
            recorder.submit(_call())
        _poll(lambda: sizes)
        for _ in range(4):
            recorder.submit(_call())
        _poll(lambda: sum(sizes) == 17)
        assert sizes == [10, 7]
    finally:
        recorder.close(timeout=5)


def test_a_consumer_whose_probe_finds_nothing_is_not_handed_the_batch(store, recorder, caplog):
    """A consumer's probe runs on the writing transaction's connection: one that finds no receiver (no rule, no
    trail) keeps the batch from its delivery; a probe failing for a reason of its own delivers as without probes."""
    handed: list[str] = []
    probes = iter([False, True, ValueError("a probe bug")])

    def wants(connection, batch) -> bool:
        assert connection.exec_driver_sql("SELECT count(*) FROM cloudtrail_events").scalar() >= len(batch)
        answer = next(probes)
        if isinstance(answer, Exception):
            raise answer
        return answer

    recorder.consumers.append(Consumer(lambda _session, batch: handed.extend(r.record["eventID"] for r in batch),
                                       wants))
    written = []
    for _ in range(3):
        recorder.submit(_call())
        recorder.flush()
        written.append(_stored(store)[-1][1])
    assert handed == written[1:]
    assert _delivered(store) == written  # the consumer without a probe had every batch
    assert "audit consumers' probe failed on 1 records" in caplog.text


def test_a_records_event_time_is_the_calls_utc_second():
    """The text is made once per second (the writer's calls come in time order), from the instant, not the wall
    clock of the time's zone."""
    utc, summer = _dt.timezone.utc, _dt.timezone(_dt.timedelta(hours=2))
    times = [_dt.datetime(2026, 7, 1, 1, 59, 59, 999999, tzinfo=summer),
             _dt.datetime(2026, 6, 30, 23, 59, 59, 5, tzinfo=utc), _dt.datetime(2026, 7, 1, 0, 0, 0, tzinfo=utc),
             _dt.datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=utc)]  # before the epoch: still the second's start
    texts = [records_for(dataclasses.replace(_call(), event_time=at))[0].record["eventTime"] for at in times]
    assert texts == ["2026-06-30T23:59:59Z", "2026-06-30T23:59:59Z", "2026-07-01T00:00:00Z", "1969-12-31T23:59:59Z"]


def test_a_written_batch_is_not_kept_while_the_writer_waits(store, recorder):
    """Once written, nothing of a batch outlives it: calls the writer's frame kept while it waited for the next batch
    pinned the memory pages of the load that made them (RSS after the 10,000-user loads, issue #19)."""
    call = _call()
    alive = weakref.ref(call)
    recorder.submit(call)
    recorder.flush()
    del call
    gc.collect()
    assert alive() is None
