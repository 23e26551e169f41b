"""`make bench`: rootplane against the bare ASGI limit, ministack and moto's server in one run; writes docs/benchmarks.md.

    make bench    # or: .venv/bin/python bench/run.py [--rounds 3] [--seconds 3] [--trail-records 1000000]
                  #                                   [--audit-accounts 1000] [--output docs/benchmarks.md]
                  #                                   [--servers bare,rootplane,rootplane-pg2,...] [--parts ...]

rootplane runs three ways: on SQLite in one process ("rootplane", the column the targets are judged on), and on
PostgreSQL with ``--workers 2`` and ``--workers 4`` ("rootplane-pg2", "rootplane-pg4"), each on a fresh database of
the machine's PostgreSQL (bench/stores.py) dropped after the round.

Every throughput figure is the median of ``--rounds`` rounds (each round starts every server afresh) with the
spread (min-max), and is shown as a ratio to the bare app (uvicorn + uvloop answering a canned response: the limit
of the stack and of the load generator on this machine) and to the best peer. Server CPU per request (user + system
time of the server's processes / requests answered) is reported for rootplane: it is far steadier than req/s on a shared
machine. Parts: throughput (GetCallerIdentity, CreateUser, GetUser, AssumeRoot, authorized S3 PutObject), IAM at
10,000 users (ListUsers page of 100, GetUser, RSS), cold start (fresh store and restart), CloudTrail Event history at
``--trail-records`` records (trail_history.py, on SQLite and on PostgreSQL with 2 workers) and the organization audit
(audit_org.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import report  # noqa: E402
import scenarios  # noqa: E402
from loadgen import throughput  # noqa: E402
from servers import STARTERS, cpu_seconds, rss_mib, start_rootplane  # noqa: E402
from stores import ROOTPLANES, BenchStore  # noqa: E402

HERE = Path(__file__).parent
ROOT = HERE.parent


# Idle memory is read this long after the first signed answer: once the server has settled (rootplane's audit writer
# has stored that answer's CloudTrail record, 0.2 s after it), not in the middle of its start-up.
IDLE_AFTER_START = 1.0


def _measure_server(name: str, seconds: float, workers: int) -> dict[str, dict]:
    """One round on a fresh server: cold start, then every scenario it supports. name -> {rps, errors, cpu_us}."""
    server = STARTERS[name]()
    time.sleep(IDLE_AFTER_START)
    results: dict[str, dict] = {"ready_s": {"value": server.ready_seconds}, "rss_idle_mib": {
        "value": rss_mib(server.process)}}
    try:
        for scenario, (requests, repeat) in scenarios.throughput_scenarios(server.endpoint, name).items():
            if requests is None:
                continue
            cpu = cpu_seconds(server.process)
            load = throughput(server.endpoint, requests, workers=workers, seconds=seconds, repeat_each=repeat)
            time.sleep(0.2)  # let the audit writer finish the burst's records: their CPU belongs to the calls
            results[scenario] = {"value": load.rate, "errors": load.errors,
                                 "cpu_us": 1e6 * (cpu_seconds(server.process) - cpu) / max(1, load.answered)}
    finally:
        server.stop()
    return results


def _measure_restart(workers: int) -> float:
    """rootplane's first signed answer on a store that already exists (PostgreSQL when ``workers`` > 1)."""
    store = BenchStore(workers)
    try:
        start_rootplane(store=store).stop()
        server = start_rootplane(store=store)
        server.stop()
        return server.ready_seconds
    finally:
        store.remove()


def _median(values: list[dict]) -> dict:
    numbers = [v["value"] for v in values if v.get("value") is not None]
    if not numbers:
        return {"value": None}
    merged = {"value": statistics.median(numbers), "min": min(numbers), "max": max(numbers), "n": len(numbers)}
    errors = sum(v.get("errors", 0) for v in values)
    if errors:
        merged["errors"] = errors
    cpus = [v["cpu_us"] for v in values if "cpu_us" in v]
    if cpus:
        merged["cpu_us"] = statistics.median(cpus)
    return merged


def _rounds(servers: list[str], rounds: int, seconds: float, workers: int) -> dict[str, dict[str, dict]]:
    collected: dict[str, dict[str, list]] = {name: {} for name in servers}
    for number in range(1, rounds + 1):
        for name in servers:
            print(f"round {number}/{rounds}: {name}", file=sys.stderr, flush=True)
            try:
                measured = _measure_server(name, seconds, workers)
                if name in ROOTPLANES:
                    measured["ready_restart_s"] = {"value": _measure_restart(ROOTPLANES[name])}
            except Exception as error:  # noqa: BLE001 - a peer that cannot start is reported, not fatal
                print(f"  {name} failed: {error}", file=sys.stderr)
                continue
            for metric, value in measured.items():
                collected[name].setdefault(metric, []).append(value)
    return {name: {metric: _median(values) for metric, values in metrics.items()}
            for name, metrics in collected.items()}


def _at_scale(servers: list[str], users: int, seconds: float, workers: int, rounds: int) -> dict[str, dict]:
    """ListUsers (page of 100) and GetUser with ``users`` users; RSS afterwards. One server each, ``rounds`` runs."""
    results: dict[str, dict] = {}
    for name in servers:
        print(f"{users} users: {name}", file=sys.stderr, flush=True)
        try:
            server = scenarios.server_with_users(name, users)
        except Exception as error:  # noqa: BLE001
            print(f"  {name} failed: {error}", file=sys.stderr)
            continue
        try:
            measured: dict[str, list] = {}
            for _ in range(rounds):
                for scenario, requests in scenarios.scale_scenarios(server.endpoint, users).items():
                    cpu = cpu_seconds(server.process)
                    load = throughput(server.endpoint, requests, workers=workers, seconds=seconds)
                    measured.setdefault(scenario, []).append(
                        {"value": load.rate, "errors": load.errors,
                         "cpu_us": 1e6 * (cpu_seconds(server.process) - cpu) / max(1, load.answered)})
            results[name] = {scenario: _median(values) for scenario, values in measured.items()}
            results[name]["rss_users_mib"] = {"value": rss_mib(server.process)}
        finally:
            server.stop()
    return results


def _script(name: str, *args: str) -> dict:
    """Run another bench script that prints one JSON object on its last line."""
    result = subprocess.run([sys.executable, str(HERE / name), "--json", *args], capture_output=True, text=True)
    if result.returncode != 0:
        return {"error": (result.stderr or result.stdout).strip().splitlines()[-1:] or ["failed"]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--users", type=int, default=10000)
    parser.add_argument("--trail-records", type=int, default=1_000_000)
    parser.add_argument("--audit-accounts", type=int, default=1000, help="0 skips the audit")
    parser.add_argument("--servers", default="bare,rootplane,rootplane-pg2,rootplane-pg4,ministack,moto")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--parts", default="throughput,scale,trail,audit",
                        help="run only these parts; the others come from --previous")
    parser.add_argument("--previous", default=str(HERE / "results" / "latest.json"))
    options = parser.parse_args()
    servers = options.servers.split(",")
    parts = set(options.parts.split(","))
    previous_file = Path(options.previous)
    previous = json.loads(previous_file.read_text()) \
        if parts != {"throughput", "scale", "trail", "audit"} and previous_file.exists() else {}
    started = time.time()
    throughput_results = _rounds(servers, options.rounds, options.seconds, options.workers) \
        if "throughput" in parts else previous.get("throughput", {})
    scale = _at_scale([s for s in servers if s != "bare"], options.users, options.seconds, options.workers,
                      options.rounds) if "scale" in parts else previous.get("scale", {})
    trails = {store: (_script("trail_history.py", "--records", str(options.trail_records), "--seconds",
                              str(options.seconds), "--rounds", str(options.rounds), "--workers", workers)
                      if options.trail_records else None) if "trail" in parts else previous.get(store)
              for store, workers in (("trail", "1"), ("trail_pg2", "2"))}
    audit = (_script("audit_org.py", "--accounts", str(options.audit_accounts), "--runs", "1")
             if options.audit_accounts else None) if "audit" in parts else previous.get("audit")
    for server, scenario, why in previous.get("skipped", []):
        scenarios.SKIPPED.setdefault((server, scenario), why)
    command = "make bench" if os.environ.get("MAKELEVEL") and len(sys.argv) == 1 else \
        "python bench/run.py " + " ".join(sys.argv[1:])
    text = report.render(throughput_results, scale, trails, audit, options, command, time.time() - started)
    Path(options.output).write_text(text)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "latest.json").write_text(json.dumps(
        {"throughput": throughput_results, "scale": scale, **trails, "audit": audit, "skipped": [
            [server, scenario, why] for (server, scenario), why in scenarios.SKIPPED.items()]}, indent=1))
    print(text)


if __name__ == "__main__":
    main()
