"""Benchmark rootplane against moto's server in one run: req/s and ratios, cold start, RSS.

cold_start_*: process start to the first HTTP answer; ready_*: to the first signed GetCallerIdentity answered 200;
*_restart: on a store that already exists (moto keeps none, so both of its figures are fresh starts).

    make bench            # or: .venv/bin/python bench/run.py [--seconds 4] [--workers 4]

Reports ratios (rootplane / moto) because absolute figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from loadgen import sign_query_requests, throughput  # noqa: E402
from servers import rss_mib, start_moto, start_rootplane  # noqa: E402

IAM = "Version=2010-05-08"
STS = "Version=2011-06-15"


def _scenarios(endpoint: str, server_name: str, count: int) -> dict[str, tuple[list, bool]]:
    """name -> (pre-signed requests, repeat_each)."""
    prefix = f"bench{uuid.uuid4().hex[:6]}"
    create = [f"Action=CreateUser&{IAM}&UserName={prefix}-{i}" for i in range(count)]
    return {
        "GetCallerIdentity": (sign_query_requests(endpoint, "sts", [f"Action=GetCallerIdentity&{STS}"]), True),
        "CreateUser": (sign_query_requests(endpoint, "iam", create), False),
        "GetUser": (sign_query_requests(endpoint, "iam", [f"Action=GetUser&{IAM}&UserName={prefix}-0"]), True),
    }


def _restarted(start):
    """A server started on a store that already exists (a restart), where a store applies; else a fresh start."""
    import shutil
    import tempfile

    if start is not start_rootplane:
        server = start()
        server.stop()
        return server
    data_dir = tempfile.mkdtemp(prefix="rootplane-bench-")
    try:
        start_rootplane(data_dir).stop()
        server = start_rootplane(data_dir)
        server.stop()
        return server
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def measure(start, seconds: float, workers: int) -> dict:
    restart = _restarted(start)
    server = start()
    try:
        results = {"cold_start_s": round(server.cold_start_seconds, 3),
                   "cold_start_restart_s": round(restart.cold_start_seconds, 3),
                   "ready_s": round(server.ready_seconds, 3),
                   "ready_restart_s": round(restart.ready_seconds, 3)}
        for name, (requests, repeat) in _scenarios(server.endpoint, server.name, 60000).items():
            rate, errors = throughput(server.endpoint, requests, workers=workers, seconds=seconds, repeat_each=repeat)
            results[f"{name}_rps"] = round(rate, 1)
            results[f"{name}_errors"] = errors
        results["rss_mib"] = round(rss_mib(server.process), 1)
        return results
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    ours = measure(start_rootplane, args.seconds, args.workers)
    moto = measure(start_moto, args.seconds, args.workers)
    print(f"{'metric':<24}{'rootplane':>12}{'moto':>12}{'ratio':>10}")
    for key in ours:
        ratio = ours[key] / moto[key] if moto.get(key) else float("nan")
        print(f"{key:<24}{ours[key]:>12}{moto[key]:>12}{ratio:>10.2f}")
    Path(__file__).with_name("results").mkdir(exist_ok=True)
    Path(__file__).with_name("results").joinpath("latest.json").write_text(json.dumps({"rootplane": ours, "moto": moto}, indent=1))


if __name__ == "__main__":
    main()
