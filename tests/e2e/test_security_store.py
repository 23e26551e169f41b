"""Security of the store (issue #10): private files, session tokens kept only as digests, and the bounded window in
which another replica still accepts a revoked key."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
import time
from pathlib import Path

from botocore.exceptions import ClientError
from harness import drop_postgres_database, required_postgres_database
from harness import error_of, iam_user_key, start_server


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _store_files(data_dir: Path) -> list[Path]:
    return [data_dir / name for name in ("rootplane.db", "rootplane.db-wal", "rootplane.db-shm")
            if (data_dir / name).exists()]


# -- finding 13: store at rest -------------------------------------------------------------------------------------

def test_a_new_store_is_private_to_its_owner(tmp_path):
    data_dir = tmp_path / "new" / "data"
    # The harness logs into its own directory; the later --data-dir wins (click keeps the last value).
    running = start_server(data_dir=str(tmp_path), args=("--data-dir", str(data_dir)))
    try:
        running.client("iam").create_user(UserName="files")  # a write: the WAL and shared-memory files exist
        assert _mode(data_dir) == 0o700
        files = _store_files(data_dir)
        assert {f.name for f in files} >= {"rootplane.db", "rootplane.db-wal", "rootplane.db-shm"}
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        running.stop()


def test_store_files_left_readable_by_earlier_versions_are_made_private(tmp_path):
    running = start_server(data_dir=str(tmp_path), args=("--data-dir", str(tmp_path / "data")))
    running.client("iam").create_user(UserName="old")
    running.stop(kill=True)  # leaves the -wal and -shm files behind
    files = _store_files(tmp_path / "data")
    assert len(files) == 3
    for path in files:
        path.chmod(0o644)
    running.restart()
    try:
        assert {f.name: _mode(f) for f in _store_files(tmp_path / "data")} == {f.name: 0o600 for f in files}
        assert running.client("iam").get_user(UserName="old")["User"]["UserName"] == "old"
    finally:
        running.stop()


def test_session_tokens_are_stored_only_as_sha256_digests(tmp_path, unique):
    running = start_server(data_dir=str(tmp_path))
    try:
        key = iam_user_key(running, f"tok-{unique}")
        credentials = running.client_for(key, "sts").get_session_token()["Credentials"]
        token = credentials["SessionToken"]
        sts = running.client_for(credentials, "sts")
        assert sts.get_caller_identity()["Arn"].endswith(f":user/tok-{unique}")
        forged = dict(credentials, SessionToken=token[:-1] + ("A" if token[-1] != "A" else "B"))
        assert error_of(running.client_for(forged, "sts").get_caller_identity)[:1] == ("InvalidClientTokenId",)
        stored = b"".join(path.read_bytes() for path in _store_files(tmp_path))
        assert token.encode() not in stored and token[:60].encode() not in stored
        with sqlite3.connect(tmp_path / "rootplane.db") as connection:
            digests = connection.execute("SELECT session_token_sha256 FROM temporary_sessions WHERE access_key_id = ?",
                                         (credentials["AccessKeyId"],)).fetchall()
        assert digests == [(hashlib.sha256(token.encode()).hexdigest(),)]
    finally:
        running.close()


# -- finding 17: a key revoked on one replica ----------------------------------------------------------------------

CACHE_SECONDS = 2.0
SLACK = 1.0  # scheduling on a busy 2-core machine


def test_a_key_revoked_on_one_replica_is_refused_by_another_within_the_cache_time(unique):
    url = required_postgres_database()
    first = start_server(database_url=url)
    second = start_server(database_url=url)
    try:
        key = iam_user_key(first, f"replica-{unique}")
        on_first, on_second = first.client_for(key, "sts"), second.client_for(key, "sts")
        assert on_second.get_caller_identity()["Arn"].endswith(f":user/replica-{unique}")  # now in its cache
        first.client("iam").delete_access_key(UserName=f"replica-{unique}", AccessKeyId=key["AccessKeyId"])
        deleted = time.monotonic()
        assert error_of(on_first.get_caller_identity)[0] == "InvalidClientTokenId"  # this replica: at once
        while True:
            sent = time.monotonic()
            try:
                on_second.get_caller_identity()
            except ClientError as error:
                assert error.response["Error"]["Code"] == "InvalidClientTokenId"
                break
            # A request the other replica received later than the cache time after the deletion must fail.
            assert sent - deleted < CACHE_SECONDS + SLACK, "still accepted after the cache time"
            time.sleep(0.05)
        assert error_of(on_second.get_caller_identity)[0] == "InvalidClientTokenId"  # and stays refused
    finally:
        first.close()
        second.close()
        drop_postgres_database(url)
