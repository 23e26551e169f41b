"""IAM at scale: ListUsers (page of 100), GetUser and GetCallerIdentity req/s as the number of users grows.

    .venv/bin/python bench/iam_scale.py [--sizes 10000,100000] [--moto-size 10000] [--seconds 3]

rootplane should answer a page as fast with 100,000 users as with 10,000 (O(page) queries), and identity
calls should not slow down with more users. moto's server is measured at --moto-size in the same run.

AWS caps an account at 5,000 IAM users and rootplane enforces that quota, so rootplane's users are seeded
straight into its store (one bulk insert) before the server starts; moto has no quota and gets its users
through CreateUser.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from loadgen import sign_query_requests, throughput  # noqa: E402
from servers import start_moto, start_rootplane  # noqa: E402

IAM = "Version=2010-05-08"


def seed_rootplane_users(data_dir: str, have: int, want: int, database_url: str | None = None) -> None:
    """Insert users ``have``..``want`` into the bootstrap account of a (stopped) rootplane store: SQLite in
    ``data_dir``, or the PostgreSQL database at ``database_url``."""
    import datetime as dt

    from sqlalchemy import insert

    from rootplane.core import ids
    from rootplane.core.config import ServerConfig
    from rootplane.server import build_gateway
    from rootplane.services.iam.tables import UserRow

    gateway = build_gateway(ServerConfig(data_dir=data_dir, database_url=database_url))
    now = dt.datetime.now(dt.timezone.utc)
    rows = [{"user_id": ids.unique_id("AIDA"), "account_id": "000000000000", "user_name": f"user{i:07d}",
             "name_key": f"user{i:07d}", "path": "/", "created_at": now, "tag_list": []} for i in range(have, want)]
    with gateway.store.transaction() as session:
        for start in range(0, len(rows), 10000):
            session.execute(insert(UserRow), rows[start:start + 10000])
    gateway.invalidation.close()  # the PostgreSQL listener: its database is dropped after the run
    gateway.store.dispose()


def _grow(endpoint: str, have: int, want: int) -> None:
    bodies = [f"Action=CreateUser&{IAM}&UserName=user{i:07d}" for i in range(have, want)]
    errors = throughput(endpoint, sign_query_requests(endpoint, "iam", bodies), workers=4, seconds=600,
                        repeat_each=False).errors
    if errors:
        raise RuntimeError(f"{errors} CreateUser calls failed")


def _middle_marker(endpoint: str, size: int) -> str | None:
    """The Marker of the page that starts in the middle of the user list (walks pages of 1000)."""
    import http.client
    from urllib.parse import quote, urlsplit

    parts = urlsplit(endpoint)
    marker = None
    seen = 0
    connection = http.client.HTTPConnection(parts.hostname, parts.port)
    while seen < size // 2:
        body = f"Action=ListUsers&{IAM}&MaxItems=1000" + (f"&Marker={quote(marker, safe='')}" if marker else "")
        _, headers, payload = sign_query_requests(endpoint, "iam", [body])[0]
        connection.request("POST", "/", body=payload, headers=headers)
        document = ET.fromstring(connection.getresponse().read())
        found = [e.text for e in document.iter() if e.tag.endswith("Marker")]
        if not found:
            return marker
        marker = found[0]
        seen += 1000
    return marker


def _measure(endpoint: str, size: int, seconds: float) -> dict[str, float]:
    from urllib.parse import quote

    marker = _middle_marker(endpoint, size)
    middle = f"Action=ListUsers&{IAM}&MaxItems=100" + (f"&Marker={quote(marker, safe='')}" if marker else "")
    scenarios = {
        "ListUsers first page": sign_query_requests(endpoint, "iam", [f"Action=ListUsers&{IAM}&MaxItems=100"]),
        "ListUsers middle page": sign_query_requests(endpoint, "iam", [middle]),
        "GetUser": sign_query_requests(endpoint, "iam", [f"Action=GetUser&{IAM}&UserName=user{size // 2:07d}"]),
        "GetCallerIdentity": sign_query_requests(endpoint, "sts", ["Action=GetCallerIdentity&Version=2011-06-15"]),
    }
    return {name: throughput(endpoint, requests, workers=4, seconds=seconds)[0] for name, requests in scenarios.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--moto-size", type=int, default=10000)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[str, dict[str, float]] = {}
    for size in sizes:
        # A fresh store per size: the CloudTrail history earlier measurements leave behind (tens of thousands of
        # recorded calls) must not weigh on the next size, which would then look slower for the wrong reason.
        data_dir = tempfile.mkdtemp(prefix="rootplane-bench-")
        try:
            seed_rootplane_users(data_dir, 0, size)
            server = start_rootplane(data_dir)
            try:
                results[f"rootplane@{size}"] = _measure(server.endpoint, size, args.seconds)
            finally:
                server.stop()
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
    if args.moto_size:
        moto = start_moto()
        try:
            _grow(moto.endpoint, 0, args.moto_size)
            results[f"moto@{args.moto_size}"] = _measure(moto.endpoint, args.moto_size, args.seconds)
        finally:
            moto.stop()
    columns = list(results)
    print(f"{'req/s':<24}" + "".join(f"{c:>18}" for c in columns))
    for metric in next(iter(results.values())):
        print(f"{metric:<24}" + "".join(f"{results[c][metric]:>18.1f}" for c in columns))
    base = f"rootplane@{sizes[0]}"
    moto_key = f"moto@{args.moto_size}"
    if moto_key in results and base in results:
        print("\nratio rootplane/moto at", args.moto_size, "users:")
        for metric in results[base]:
            print(f"  {metric:<22}{results[base][metric] / max(results[moto_key][metric], 1e-9):>8.1f}x")
    if len(sizes) > 1:
        print(f"\nrootplane {sizes[-1]} vs {sizes[0]} users (1.0 = no slowdown):")
        for metric in results[base]:
            print(f"  {metric:<22}{results[f'rootplane@{sizes[-1]}'][metric] / max(results[base][metric], 1e-9):>8.2f}")


if __name__ == "__main__":
    main()
