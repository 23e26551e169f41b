"""`make bench`: rootplane against the bare ASGI limit, ministack and moto's server in one run; writes docs/benchmarks.md.

    make bench    # or: .venv/bin/python bench/run.py [--rounds 3] [--seconds 3] [--trail-records 1000000]
                  #                                   [--audit-accounts 1000] [--output docs/benchmarks.md]
                  #                                   [--servers bare,rootplane,rootplane-pg2,...] [--parts ...]

rootplane runs three ways: on SQLite in one process ("rootplane", the column the targets are judged on), and on
PostgreSQL with ``--workers 2`` and ``--workers 4`` ("rootplane-pg2", "rootplane-pg4"), each on a fresh database of
the machine's PostgreSQL (bench/stores.py) dropped after the round.

Every throughput figure is the median of ``--rounds`` rounds with the spread (min-max). Each round starts every
server afresh and measures each scenario on all of them back to back, so a figure is shown as the median of the
rounds' own ratios to the bare app (uvicorn + uvloop answering a canned response: the limit of the stack and of the
load generator on this machine) and to the best peer: on a shared machine, measurements seconds apart drift less
than measurements minutes apart. Server CPU per request (user + system
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
from servers import STARTERS, cpu_seconds, rss_mib, settle, start_rootplane  # noqa: E402
from stores import ROOTPLANES, BenchStore  # noqa: E402

HERE = Path(__file__).parent
ROOT = HERE.parent


# Idle memory is read this long after the first signed answer: once the server has settled (rootplane's audit writer
# has stored that answer's CloudTrail record, 0.2 s after it), not in the middle of its start-up.
IDLE_AFTER_START = 1.0


def _measure(server, requests: list, repeat: bool, seconds: float, workers: int, number: int,
             running: list) -> dict:
    """One scenario on one server, every running server and the machine quiet first; the server's CPU counted until
    it is quiet again (the audit writer's records of the burst belong to its calls). ``number``: the round, for
    pairing."""
    settle([other.process for other in running], machine=True)
    cpu = cpu_seconds(server.process)
    load = throughput(server.endpoint, requests, workers=workers, seconds=seconds, repeat_each=repeat)
    settle([server.process])
    return {"value": load.rate, "errors": load.errors, "round": number,
            "cpu_us": 1e6 * (cpu_seconds(server.process) - cpu) / max(1, load.answered)}


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
    """Rounds merged: the median and spread, errors summed, the median CPU, and each round's value (``rounds``,
    by round number) so that report.py can take ratios within each round."""
    numbers = [v["value"] for v in values if v.get("value") is not None]
    if not numbers:
        return {"value": None}
    merged = {"value": statistics.median(numbers), "min": min(numbers), "max": max(numbers), "n": len(numbers)}
    by_round = {str(v["round"]): v["value"] for v in values if v.get("value") is not None and "round" in v}
    if by_round:
        merged["rounds"] = by_round
    errors = sum(v.get("errors", 0) for v in values)
    if errors:
        merged["errors"] = errors
    cpus = [v["cpu_us"] for v in values if "cpu_us" in v]
    if cpus:
        merged["cpu_us"] = statistics.median(cpus)
    return merged


def _rotated(names: list[str], number: int) -> list[str]:
    """``names`` starting at a different one each round: no server is always measured first or last."""
    shift = (number - 1) % max(1, len(names))
    return names[shift:] + names[:shift]


def _attempt(name: str, step, *args):
    """``step(*args)``, or None (reported) when it fails: a peer that cannot start or answer is not fatal."""
    try:
        return step(*args)
    except Exception as error:  # noqa: BLE001
        print(f"  {name} failed: {error}", file=sys.stderr)
        return None


def _start_all(names: list[str], start) -> dict:
    """Start the servers one after another (each cold start measured while the others idle); name -> server."""
    return {name: server for name in names if (server := _attempt(name, start, name)) is not None}


def _back_to_back(running: dict, plans: dict[str, dict[str, tuple]], order: list[str], seconds: float, workers: int,
                  number: int, note) -> None:
    """Each scenario of round ``number`` on every server in ``order`` that has it, one right after another;
    ``plans``: name -> scenario -> (pre-signed requests or None when not supported, repeat_each). Each measurement
    goes to ``note(name, scenario, value)``; one a server fails is reported and skipped."""
    for scenario in dict.fromkeys(s for plan in plans.values() for s in plan):
        for name in order:
            requests, repeat = plans.get(name, {}).get(scenario, (None, True))
            if requests is not None and (value := _attempt(
                    name, _measure, running[name], requests, repeat, seconds, workers, number,
                    list(running.values()))) is not None:
                note(name, scenario, value)


def _rounds(servers: list[str], rounds: int, seconds: float, workers: int) -> dict[str, dict[str, dict]]:
    """Each round starts every server afresh and keeps them all running; each scenario is then measured on every
    server back to back, so that the ratios of one round compare measurements seconds apart."""
    collected: dict[str, dict[str, list]] = {name: {} for name in servers}

    def note(name: str, metric: str, value: dict) -> None:
        collected[name].setdefault(metric, []).append(value)

    def start(name: str):
        server = STARTERS[name]()
        time.sleep(IDLE_AFTER_START)
        note(name, "ready_s", {"value": server.ready_seconds})
        note(name, "rss_idle_mib", {"value": rss_mib(server.process)})
        return server

    for number in range(1, rounds + 1):
        order = _rotated(servers, number)
        print(f"round {number}/{rounds}: {', '.join(order)}", file=sys.stderr, flush=True)
        running = _start_all(order, start)
        try:
            plans = {name: _attempt(name, scenarios.throughput_scenarios, server.endpoint, name) or {}
                     for name, server in running.items()}
            _back_to_back(running, plans, order, seconds, workers, number, note)
        finally:
            for server in running.values():
                server.stop()
        time.sleep(IDLE_AFTER_START)  # the stopped servers' exits (a store's last checkpoint) are over
        for name in order:
            if name in ROOTPLANES and name in running:
                note(name, "ready_restart_s", {"value": _measure_restart(ROOTPLANES[name])})
    return {name: {metric: _median(values) for metric, values in metrics.items()}
            for name, metrics in collected.items()}


def _at_scale(servers: list[str], users: int, seconds: float, workers: int, rounds: int) -> dict[str, dict]:
    """ListUsers (page of 100) and GetUser with ``users`` users on every server at once, ``rounds`` rounds each
    measuring every scenario on every server back to back; RSS afterwards."""
    print(f"{users} users: {', '.join(servers)}", file=sys.stderr, flush=True)
    running = _start_all(servers, lambda name: scenarios.server_with_users(name, users))
    measured: dict[str, dict[str, list]] = {name: {} for name in running}

    def note(name: str, scenario: str, value: dict) -> None:
        measured[name].setdefault(scenario, []).append(value)

    try:
        plans = {name: scenarios.scale_scenarios(server.endpoint, users) for name, server in running.items()}
        for number in range(1, rounds + 1):
            _back_to_back(running, plans, _rotated(list(running), number), seconds, workers, number, note)
        results = {name: {scenario: _median(values) for scenario, values in by_scenario.items()}
                   for name, by_scenario in measured.items()}
        for name, server in running.items():
            results[name]["rss_users_mib"] = {"value": rss_mib(server.process)}
    finally:
        for server in running.values():
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
