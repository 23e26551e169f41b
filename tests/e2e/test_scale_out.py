"""Scale-out on PostgreSQL: `serve --workers N`, several servers on one database behaving as one service (caches
invalidated across processes within the stated bound, SQS messages claimed once), SQLite refusing workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from harness import drop_postgres_database, free_port, required_postgres_database, start_server

# A process trusts a resolved key for at most --credential-cache-seconds; revocations by other processes arrive
# over PostgreSQL notifications long before. Server B below caches for 10 minutes, so only a notification can make
# it refuse the revoked key within this deadline.
NOTIFICATION_DEADLINE = 10.0


@pytest.fixture
def database():
    url = required_postgres_database()
    yield url
    drop_postgres_database(url)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _poll(predicate, deadline: float, what: str):
    """``predicate()`` until it returns something true, or fail after ``deadline`` seconds."""
    stop = time.monotonic() + deadline
    while time.monotonic() < stop:
        result = predicate()
        if result:
            return result
        time.sleep(0.02)
    raise AssertionError(f"not within {deadline}s: {what}")


def test_sqlite_refuses_more_than_one_worker(tmp_path):
    result = subprocess.run([sys.executable, "-m", "rootplane.cli", "serve", "--workers", "2", "--port",
                             str(free_port()), "--data-dir", str(tmp_path)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert "--workers 2 needs PostgreSQL (--database-url" in result.stderr
    assert "the SQLite store serves one process" in result.stderr


def test_workers_share_the_port_and_a_killed_worker_is_replaced(database):
    server = start_server(database_url=database, args=("--workers", "3"))
    try:
        workers = _poll(lambda: len(_children(server.process.pid)) == 3 and _children(server.process.pid), 60,
                        "three workers")
        iam = server.client("iam")
        for index in range(12):  # connections land on different workers; each sees the others' writes
            iam.create_user(UserName=f"worker-user-{index}")
            assert server.client("iam").get_user(UserName=f"worker-user-{index}")["User"]["UserName"]
        assert len(iam.list_users()["Users"]) == 12
        os.kill(workers[0], signal.SIGKILL)
        _poll(lambda: len(_children(server.process.pid)) == 3 and workers[0] not in _children(server.process.pid),
              60, "a replacement worker")
        _poll(lambda: _answers(server), 60, "answers after the replacement")
        assert "starting another" in server.log()
    finally:
        server.close()
    assert server.process.returncode == 0
    for pid in workers[1:]:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()


def _answers(server) -> bool:
    try:
        return len(server.client("iam").list_users()["Users"]) == 12
    except Exception:  # noqa: BLE001 - a connection to the killed worker
        return False


def test_a_key_revoked_on_one_server_is_refused_by_another_at_once(database):
    first = start_server(database_url=database)
    second = start_server(database_url=database, args=("--credential-cache-seconds", "600"))
    try:
        iam = first.client("iam")
        iam.create_user(UserName="revoked")
        key = iam.create_access_key(UserName="revoked")["AccessKey"]
        on_second = second.client_for(key, "sts")
        assert on_second.get_caller_identity()["Arn"].endswith(":user/revoked")  # now cached by the second server
        iam.delete_access_key(UserName="revoked", AccessKeyId=key["AccessKeyId"])
        started = time.monotonic()

        def refused() -> bool:
            try:
                on_second.get_caller_identity()
            except ClientError as error:
                return error.response["Error"]["Code"] == "InvalidClientTokenId"
            return False

        _poll(refused, NOTIFICATION_DEADLINE, "the second server refuses the deleted key")
        print(f"refused by the other server {time.monotonic() - started:.3f} s after the deletion was acknowledged")
        # A reset on one server drops every other server's cached state too.
        second_key = iam.create_access_key(UserName="revoked")["AccessKey"]
        assert second.client_for(second_key, "sts").get_caller_identity()
        first.get_json("/_rootplane/health")
        _post(first, "/_rootplane/reset")
        _poll(lambda: _refuses(second, second_key), NOTIFICATION_DEADLINE, "refused after a reset elsewhere")
    finally:
        first.close()
        second.close()


def _refuses(server, key) -> bool:
    try:
        server.client_for(key, "sts").get_caller_identity()
    except ClientError as error:
        return error.response["Error"]["Code"] == "InvalidClientTokenId"
    return False


def _post(server, path: str) -> None:
    import urllib.request

    with urllib.request.urlopen(urllib.request.Request(server.endpoint + path, data=b"", method="POST"),
                                timeout=30) as response:
        assert response.status == 200


def _race_receives(clients, url: str, rounds: int, **params) -> list[dict]:
    received: list[dict] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients))

    def receive(client) -> None:
        barrier.wait()
        for _ in range(rounds):
            messages = client.receive_message(QueueUrl=url, VisibilityTimeout=600, **params).get("Messages", [])
            with lock:
                received.extend(messages)

    threads = [threading.Thread(target=receive, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return received


def test_concurrent_receives_on_two_servers_keep_a_fifo_group_in_order(database):
    servers = [start_server(database_url=database), start_server(database_url=database)]
    try:
        sqs = servers[0].client("sqs")
        url = sqs.create_queue(QueueName="claims.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        for index in range(20):
            sqs.send_message(QueueUrl=url, MessageBody=str(index), MessageGroupId="g",
                             MessageDeduplicationId=str(index))
        received = _race_receives([servers[i % 2].client("sqs") for i in range(6)], url, 2, MaxNumberOfMessages=3)
        bodies = [int(message["Body"]) for message in received]
        # While the group has a message in flight nobody else gets one of its messages: one batch, the head.
        assert sorted(bodies) == list(range(len(bodies))) and 1 <= len(bodies) <= 3, bodies
    finally:
        for server in servers:
            server.close()


def test_servers_receiving_from_one_queue_never_hand_out_a_message_twice(database):
    servers = [start_server(database_url=database), start_server(database_url=database)]
    try:
        url = servers[0].client("sqs").create_queue(QueueName="claims")["QueueUrl"]
        sqs = servers[0].client("sqs")
        for batch in range(6):
            sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m-{batch}-{i}"}
                                                          for i in range(10)])
        received = [message["MessageId"] for message in
                    _race_receives([servers[i % 2].client("sqs") for i in range(8)], url, 6, MaxNumberOfMessages=10)]
        assert len(received) == len(set(received)), "a message was received twice while invisible"
        assert len(set(received)) == 60
    finally:
        for server in servers:
            server.close()

