"""The SNS signing key is created at its first use (not at start), so two server processes sharing a store may create
it at once: the one stored first wins and both sign with it, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as _dt
import threading
import time

import pytest
from harness import drop_postgres_database, required_postgres_database

from rootplane.schema import metadata
from rootplane.services.sns import repo
from rootplane.services.sns.tables import SigningKeyRow
from rootplane.store.engine import Store

NOW = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db.sqlite'}"
        return
    created = required_postgres_database()
    yield created
    drop_postgres_database(created)


def _key(name: str) -> SigningKeyRow:
    return SigningKeyRow(key_id="default", created_at=NOW, private_key_pem=f"{name} key",
                         certificate_pem=f"{name} certificate")


def test_two_processes_creating_the_key_at_once_both_keep_the_first_stored(url):
    first, second = Store(url, metadata()), Store(url, metadata())
    first.migrate()
    seen: dict[str, str] = {}

    def second_process() -> None:
        with second.transaction() as session:
            seen["second"] = repo.put_signing_key(session, _key("second")).certificate_pem

    try:
        with first.transaction() as session:
            seen["first"] = repo.put_signing_key(session, _key("first")).certificate_pem
            racing = threading.Thread(target=second_process)
            racing.start()
            time.sleep(0.3)  # the second writer now waits for the first's transaction
        racing.join(30)
        assert seen == {"first": "first certificate", "second": "first certificate"}
        with second.transaction(write=False) as session:
            assert repo.find_signing_key(session, "default").certificate_pem == "first certificate"
    finally:
        first.dispose()
        second.dispose()
