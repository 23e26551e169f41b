"""Reset and restore at scale: how long ``POST /_rootplane/reset`` and ``POST /_rootplane/restore`` take with
10,000 IAM users in the store (the issue's bar: well under a second each).

    .venv/bin/python bench/state_ops.py [--users 10000] [--rounds 5]

Users are seeded straight into the store (AWS's quota is 5,000 per account; see bench/iam_scale.py), a named
snapshot is saved, then each round restores it and resets the server, timed from the client.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from iam_scale import seed_rootplane_users  # noqa: E402
from servers import start_rootplane  # noqa: E402


def _post(endpoint: str, path: str) -> tuple[float, dict]:
    started = time.perf_counter()
    request = urllib.request.Request(endpoint + path, data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=120) as response:
        body = json.loads(response.read())
    return time.perf_counter() - started, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="rootplane-bench-state-")
    try:
        seed_rootplane_users(data_dir, 0, args.users)
        server = start_rootplane(data_dir)
        try:
            snapshot, _ = _post(server.endpoint, "/_rootplane/snapshot?name=seeded")
            restores, resets = [], []
            for _ in range(args.rounds):
                restores.append(_post(server.endpoint, "/_rootplane/restore?name=seeded")[0])
                resets.append(_post(server.endpoint, "/_rootplane/reset")[0])
        finally:
            server.stop()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"state operations at {args.users} users (median of {args.rounds}, seconds, as the client sees them)")
    print(f"  snapshot  {snapshot:.3f}")
    print(f"  restore   {statistics.median(restores):.3f}  (max {max(restores):.3f})")
    print(f"  reset     {statistics.median(resets):.3f}  (max {max(resets):.3f})")


if __name__ == "__main__":
    main()
