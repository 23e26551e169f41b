"""Digest files (services/cloudtrail/digests.py) on a real store: a delivery in the same second as the chain's last
digest writes that digest again with every log file of the second; the next second's digest links to it, and each
signature verifies with the Region's listed key; a key is used for 30 days, then a new one signs."""

from __future__ import annotations

import datetime as _dt
import gzip
import hashlib
import json
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from rootplane.schema import metadata
from rootplane.services.cloudtrail import digests
from rootplane.services.cloudtrail.tables import TrailRow
from rootplane.store.engine import Store, sqlite_url

_START = _dt.datetime(2026, 12, 7, 10, 0, 0, 250000, tzinfo=_dt.timezone.utc)
_ARN = "arn:aws:cloudtrail:us-east-1:111111111111:trail/audit"


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    store = Store(sqlite_url(tmp_path), metadata())
    store.migrate()
    with store.transaction() as session:
        session.add(TrailRow(trail_arn=_ARN, account_id="111111111111", name="audit", home_region="us-east-1",
                             s3_bucket_name="logs", log_file_validation=True, is_logging=True, started_at=_START,
                             created_at=_START))
    yield store
    store.dispose()


def _log(name: str, moment: _dt.datetime) -> digests.DeliveredLog:
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return digests.DeliveredLog("111111111111", "us-east-1", "logs", f"AWSLogs/111111111111/CloudTrail/{name}",
                                hashlib.sha256(name.encode()).hexdigest(), stamp, stamp)


def _deliver(store: Store, written: dict, logs: list, now: _dt.datetime) -> None:
    def put(key: str, body: bytes, metadata: dict) -> None:
        written[key] = (gzip.decompress(body), metadata)

    with store.transaction() as session:
        trail = session.get(TrailRow, _ARN)
        digests.write_digests(session, trail, logs, lambda account: f"AWSLogs/{account}/", lambda key: True, put, now)


def _verify(store: Store, key: str, content: bytes, metadata: dict, now: _dt.datetime) -> dict:
    document = json.loads(content)
    with store.transaction() as session:
        [public] = [k for k in digests.public_keys(session, "us-east-1", now, now, now)
                    if k["Fingerprint"] == document["digestPublicKeyFingerprint"]]
    signed = (f"{document['digestEndTime']}\nlogs/{key}\n{hashlib.sha256(content).hexdigest()}\n"
              f"{document['previousDigestSignature'] or 'null'}")
    serialization.load_der_public_key(public["Value"]).verify(
        bytes.fromhex(metadata["signature"]), signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    return document


def test_a_second_has_one_digest_and_the_next_links_to_it(store):
    written: dict = {}
    _deliver(store, written, [_log("a", _START)], _START)
    _deliver(store, written, [_log("b", _START)], _START + _dt.timedelta(milliseconds=500))
    [first] = written
    document = _verify(store, first, *written[first], _START)
    assert [entry["s3Object"].rsplit("/", 1)[1] for entry in document["logFiles"]] == ["a", "b"]
    assert document["digestStartTime"] == document["digestEndTime"] == "2026-12-07T10:00:00Z"
    assert document["previousDigestS3Object"] is None and document["previousDigestHashAlgorithm"] is None

    later = _START + _dt.timedelta(seconds=2)
    _deliver(store, written, [_log("c", later)], later)
    [second] = [key for key in written if key != first]
    assert second.endswith("_CloudTrail-Digest_us-east-1_audit_us-east-1_20261207T100002Z.json.gz")
    following = _verify(store, second, *written[second], later)
    assert following["digestStartTime"] == "2026-12-07T10:00:00Z"
    assert (following["previousDigestS3Bucket"], following["previousDigestS3Object"]) == ("logs", first)
    assert following["previousDigestSignature"] == written[first][1]["signature"]
    assert following["previousDigestHashValue"] == hashlib.sha256(written[first][0]).hexdigest()
    assert [entry["s3Object"].rsplit("/", 1)[1] for entry in following["logFiles"]] == ["c"]


def test_a_key_signs_for_thirty_days_then_a_new_one_does(store):
    written: dict = {}
    _deliver(store, written, [_log("a", _START)], _START)
    later = _START + digests.KEY_LIFETIME + _dt.timedelta(seconds=1)
    _deliver(store, written, [_log("b", later)], later)
    first, second = (json.loads(content) for content, _ in written.values())
    assert first["digestPublicKeyFingerprint"] != second["digestPublicKeyFingerprint"]
    with store.transaction() as session:
        assert len(digests.public_keys(session, "us-east-1", _START, later, later)) == 2
        assert len(digests.public_keys(session, "us-east-1", later, later, later)) == 1
    _verify(store, list(written)[1], *list(written.values())[1], later)
