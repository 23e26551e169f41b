"""Cross-process cache invalidation on PostgreSQL: how soon another server refuses a deleted access key, and what
keeping caches true costs.

    ROOTPLANE_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/invalidation.py

Two servers on one fresh database; the second caches resolved keys for 10 minutes, so only the NOTIFY sent after
the first server's commit can make it refuse the key. Each round: create a key on A, use it on B (cached), delete it
on A, then call B until it answers InvalidClientTokenId (time from the deletion's answer, one B request included).
Cost: the notification is one extra round trip after a revoking request (timed: `SELECT pg_notify`), against the
alternative of reading a version counter on every request (timed: a one-row primary-key read through the pool).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from botocore.exceptions import ClientError  # noqa: E402
from harness import drop_postgres_database, postgres_database, start_server  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

ROUNDS = 20
QUERIES = 500


def _refusal_latency(first, second) -> float:
    iam = first.client("iam")
    key = iam.create_access_key(UserName="bench")["AccessKey"]
    sts = second.client_for(key, "sts")
    sts.get_caller_identity()
    iam.delete_access_key(UserName="bench", AccessKeyId=key["AccessKeyId"])
    started = time.perf_counter()
    while True:
        try:
            sts.get_caller_identity()
        except ClientError as error:
            assert error.response["Error"]["Code"] == "InvalidClientTokenId"
            return time.perf_counter() - started
        assert time.perf_counter() - started < 10, "never refused"


def _per_query(engine, statement: str) -> float:
    with engine.connect() as connection:
        connection.execute(text(statement))
    started = time.perf_counter()
    for _ in range(QUERIES):
        with engine.connect() as connection:
            connection.execute(text(statement))
            connection.commit()
    return (time.perf_counter() - started) / QUERIES


def main() -> None:
    url = postgres_database()
    if url is None:
        sys.exit("PostgreSQL not reachable")
    first = start_server(database_url=url)
    second = start_server(database_url=url, args=("--credential-cache-seconds", "600"))
    try:
        first.client("iam").create_user(UserName="bench")
        latencies = sorted(_refusal_latency(first, second) for _ in range(ROUNDS))
        print(f"refused by the other server after: median {statistics.median(latencies) * 1000:.0f} ms, "
              f"max {latencies[-1] * 1000:.0f} ms ({ROUNDS} rounds, one request included)")
        engine = create_engine(url, pool_pre_ping=True)
        notify = _per_query(engine, "SELECT pg_notify('rootplane_bench', 'AKIAEXAMPLE')")
        version = _per_query(engine, "SELECT version_num FROM alembic_version")
        print(f"NOTIFY after a revoking request: {notify * 1000:.2f} ms; a per-request version read would cost "
              f"{version * 1000:.2f} ms on every request")
        engine.dispose()
    finally:
        first.close()
        second.close()
        drop_postgres_database(url)


if __name__ == "__main__":
    main()
