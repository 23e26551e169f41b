"""sqs.api.deliver: service principals reach a queue only through its policy (with aws:SourceArn conditions)."""

from __future__ import annotations

import datetime as _dt
import json

import pytest

from rootplane.services.sqs import repo
from rootplane.services.sqs.api import deliver
from rootplane.services.sqs.tables import MessageRow, QueueRow
from rootplane.schema import metadata
from rootplane.store.engine import Store, sqlite_url

NOW = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)
ARN = "arn:aws:sqs:us-east-1:111111111111:targets"
RULE = "arn:aws:events:us-east-1:111111111111:rule/root-activity"


@pytest.fixture
def store(tmp_path):
    store = Store(sqlite_url(tmp_path), metadata())
    store.migrate()
    yield store
    store.dispose()


def _queue(store: Store, policy: str | None) -> None:
    with store.transaction() as session:
        repo.put_queue(session, QueueRow(account_id="111111111111", region="us-east-1", name="targets", fifo=False,
                                         attributes_json="{}", policy=policy, tags_json="{}", created_at=NOW,
                                         modified_at=NOW, sequence=0))


def _allow_events(condition: dict | None = None) -> str:
    statement = {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
                 "Resource": ARN}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _deliver(store: Store, **kwargs) -> bool:
    with store.transaction() as session:
        return deliver(session, ARN, '{"detail": {}}', NOW, "AIDAEVENTS", **kwargs)


def _bodies(store: Store) -> list[str]:
    with store.transaction(write=False) as session:
        return [row.body for row in session.query(MessageRow).all()]


def test_without_a_policy_the_service_is_denied(store):
    _queue(store, None)
    assert _deliver(store, source_arn=RULE) is False
    assert _bodies(store) == []


def test_policy_naming_the_service_and_source_arn_allows(store):
    _queue(store, _allow_events({"ArnEquals": {"aws:SourceArn": RULE}}))
    assert _deliver(store, source_arn=RULE) is True
    assert _deliver(store, source_arn=RULE.replace("root-activity", "other")) is False
    assert _deliver(store, source_arn=RULE, source_service="sns.amazonaws.com") is False
    assert _bodies(store) == ['{"detail": {}}']


def test_missing_queue_is_not_delivered(store):
    with store.transaction() as session:
        assert deliver(session, "arn:aws:sqs:us-east-1:111111111111:none", "x", NOW, "AIDA") is False
        assert deliver(session, "not-an-arn", "x", NOW, "AIDA") is False
