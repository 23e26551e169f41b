"""Reset, snapshot and restore of the whole state (/_rootplane/reset|snapshot|restore, rootplane state ...)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from harness import BOOT_KEY_ID, error_of

from rootplane.testing import RootplaneServer


def _handle(server) -> RootplaneServer:
    return RootplaneServer(server.endpoint)


def _post(server, path: str, body: bytes = b"") -> tuple[int, bytes]:
    request = urllib.request.Request(server.endpoint + path, data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _users(server) -> list[str]:
    return [user["UserName"] for user in server.client("iam").list_users()["Users"]]


def test_reset_empties_every_service_and_bootstraps_the_account_again(store_server):
    server = store_server
    iam, s3, sqs = server.client("iam"), server.client("s3"), server.client("sqs")
    iam.create_user(UserName="before-reset")
    server.client("organizations").create_organization(FeatureSet="ALL")
    s3.create_bucket(Bucket="reset-bucket")
    sqs.create_queue(QueueName="reset-queue")
    root_key = iam.list_access_keys()["AccessKeyMetadata"][0]["AccessKeyId"]
    assert root_key == BOOT_KEY_ID
    iam.update_access_key(AccessKeyId=root_key, Status="Inactive")  # the bootstrap key revoked...

    status, body = _post(server, "/_rootplane/reset")

    assert status == 200 and b'"status": "reset"' in body
    # ...and back, as on a fresh start: the same key id, active
    assert server.client("iam").list_access_keys()["AccessKeyMetadata"][0]["Status"] == "Active"
    assert _users(server) == []
    assert s3.list_buckets()["Buckets"] == []
    assert sqs.list_queues().get("QueueUrls", []) == []
    code, _, status = error_of(server.client("organizations").describe_organization)
    assert (code, status) == ("AWSOrganizationsNotInUseException", 400)
    # CloudTrail history holds only what came after the reset
    names = {e["EventName"] for e in server.client("cloudtrail").lookup_events()["Events"]}
    assert "CreateUser" not in names and "CreateBucket" not in names
    iam.create_user(UserName="before-reset")  # the name is free again


def test_reset_rewinds_the_time_travel_clock(server):
    server.advance_clock(3600)
    assert _post(server, "/_rootplane/reset")[0] == 200
    now = server.get_json("/_rootplane/clock")["now"]
    import datetime as dt
    assert abs(dt.datetime.fromisoformat(now) - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(seconds=60)


def test_named_snapshot_restores_the_seeded_state(store_server):
    server, handle = store_server, _handle(store_server)
    server.client("iam").create_user(UserName="seeded")
    org = server.client("organizations").create_organization(FeatureSet="ALL")["Organization"]
    saved = handle.snapshot("seeded")
    assert saved["status"] == "saved" and saved["bytes"] > 0
    server.client("iam").create_user(UserName="later")
    server.client("organizations").delete_organization()

    restored = handle.restore(name="seeded")

    assert restored["status"] == "restored"
    assert _users(server) == ["seeded"]
    assert server.client("organizations").describe_organization()["Organization"]["Id"] == org["Id"]
    server.client("iam").create_user(UserName="after-restore")  # writes work (PostgreSQL counters too)
    server.client("sqs").create_queue(QueueName="after-restore")


def test_snapshot_file_round_trip_through_the_http_body(server, unique):
    handle = _handle(server)
    server.client("iam").create_user(UserName=f"file-{unique}")
    data = handle.snapshot()
    assert data.startswith(b"SQLite format 3\x00")
    handle.reset()
    assert handle.restore(data=data)["revision"]
    assert f"file-{unique}" in _users(server)


def test_bad_snapshots_are_refused_clearly_and_change_nothing(server, unique, tmp_path):
    handle = _handle(server)
    server.client("iam").create_user(UserName=f"kept-{unique}")
    status, body = _post(server, "/_rootplane/restore", b"not a snapshot at all" * 50)
    assert status == 400 and b"not a rootplane snapshot" in body
    status, body = _post(server, "/_rootplane/restore?name=missing")
    assert status == 404 and b"no snapshot named 'missing'" in body
    status, body = _post(server, "/_rootplane/restore?name=../etc")
    assert status == 400 and b"invalid snapshot name" in body
    newer = tmp_path / "newer.db"
    newer.write_bytes(handle.snapshot())
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.close()
    status, body = _post(server, "/_rootplane/restore", newer.read_bytes())
    assert status == 400 and b"'9999_from_the_future', which this rootplane does not know" in body
    assert f"kept-{unique}" in _users(server)


def test_an_older_snapshot_is_migrated_on_restore(server, unique, tmp_path):
    from sqlalchemy import create_engine

    from rootplane.schema import metadata
    from rootplane.store.migrate import head_revision, upgrade

    old = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{old}")
    upgrade(engine, metadata(), "0001")
    engine.dispose()
    status, body = _post(server, "/_rootplane/restore", old.read_bytes())
    assert status == 200 and b'"revision": "0001"' in body, body
    # the (empty, account-less) old state is now the server's, migrated to the current schema
    now = tmp_path / "now.db"
    now.write_bytes(_handle(server).snapshot())
    with sqlite3.connect(now) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
    connection.close()
    assert head_revision() != "0001"
    _handle(server).reset()
    server.client("iam").create_user(UserName=f"migrated-{unique}")


def test_state_export_and_import_from_the_command_line(tmp_path):
    data_dir = tmp_path / "store"
    data_dir.mkdir()
    command = [sys.executable, "-m", "rootplane.cli", "state"]
    from harness import start_server

    running = start_server(data_dir=str(data_dir))
    try:
        running.client("iam").create_user(UserName="exported")
        subprocess.run([*command, "export", str(tmp_path / "s.db"), "--data-dir", str(data_dir)], check=True,
                       capture_output=True, timeout=60)  # online, while the server runs
        running.client("iam").delete_user(UserName="exported")
    finally:
        running.stop()
    result = subprocess.run([*command, "import", str(tmp_path / "s.db"), "--data-dir", str(data_dir)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "restored" in result.stdout, result.stderr
    (tmp_path / "bad.db").write_text("nope")
    result = subprocess.run([*command, "import", str(tmp_path / "bad.db"), "--data-dir", str(data_dir)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "not a rootplane snapshot" in result.stderr
    running = start_server(data_dir=str(data_dir))
    try:
        assert _users(running) == ["exported"]
    finally:
        running.stop()


@pytest.mark.parametrize("path", ["/_rootplane/reset", "/_rootplane/snapshot", "/_rootplane/restore"])
def test_state_endpoints_answer_only_post(server, path):
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(server.endpoint + path, timeout=10)
    assert caught.value.code == 404
