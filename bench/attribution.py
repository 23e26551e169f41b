"""Where a served request's time goes: throughput and event-loop CPU with one part of the serving path switched off
at a time (issue #19). Experiments, not targets: what each part costs the server as it runs.

    .venv/bin/python bench/attribution.py [--operations GetCallerIdentity,GetUser,CreateUser] [--rounds 5]
                                          [--seconds 3] [--parts audit,audit-render,audit-insert,durability-wait]

Every round starts rootplane afresh (SQLite store) once per variant, in a rotating order: as it runs, then with each
part switched off by bench/attribution_shim (its sitecustomize, on the server's PYTHONPATH, reads
``ROOTPLANE_BENCH_OFF``). The load is make bench's: 4 closed-loop clients replaying pre-signed requests
(bench/loadgen.py). Reported per operation and variant: the median req/s over the rounds with its spread, the median
of the rounds' ratios to the server as it runs, and the event-loop thread's CPU per request (user + system time,
/proc/<pid>/task/<pid>/stat, over the load) and the share of the load's time that makes it busy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).parent))

from loadgen import sign_query_requests, throughput  # noqa: E402
from scenarios import IAM, STS, _client  # noqa: E402
from servers import event_loop_cpu_seconds, settle, start_fresh_rootplane  # noqa: E402

SHIM = Path(__file__).parent / "attribution_shim"
PARTS = ("audit", "audit-render", "audit-insert", "durability-wait")
_CREATES = 4500  # CreateUser calls per server at most (the account's quota is 5,000 users)


def _requests(endpoint: str, operation: str, prefix: str) -> tuple[list, bool]:
    """Pre-signed requests for ``operation`` and whether each client replays them all (reads) or a share (writes)."""
    if operation == "GetCallerIdentity":
        return sign_query_requests(endpoint, "sts", [f"Action=GetCallerIdentity&{STS}"]), True
    if operation == "GetUser":
        return sign_query_requests(endpoint, "iam", [f"Action=GetUser&{IAM}&UserName={prefix}-get"]), True
    if operation == "CreateUser":
        bodies = [f"Action=CreateUser&{IAM}&UserName={prefix}-{i}" for i in range(_CREATES)]
        return sign_query_requests(endpoint, "iam", bodies), False
    raise SystemExit(f"no scenario for {operation}")


def _measure(variant: str, operations: list[str], seconds: float) -> dict[str, tuple[float, float, float]]:
    """operation -> (req/s, event-loop CPU µs per request, the event loop's busy share: that CPU times req/s) on a
    server started afresh with ``variant`` switched off ("" for none)."""
    environment = {"ROOTPLANE_BENCH_OFF": variant,
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(SHIM), os.environ.get("PYTHONPATH")]))}
    with mock.patch.dict(os.environ, environment):  # the server inherits them; this process keeps its own
        server = start_fresh_rootplane()
    try:
        prefix = f"a{uuid.uuid4().hex[:6]}"
        _client(server.endpoint, "iam").create_user(UserName=f"{prefix}-get")
        results = {}
        for operation in operations:
            requests, repeat_each = _requests(server.endpoint, operation, prefix)
            settle([server.process])
            cpu = event_loop_cpu_seconds(server.process.pid)
            load = throughput(server.endpoint, requests, seconds=seconds, repeat_each=repeat_each)
            per_request = (event_loop_cpu_seconds(server.process.pid) - cpu) / max(1, load.answered)
            if load.errors:
                raise SystemExit(f"{operation} with {variant or 'nothing'} off: {load.errors} errors")
            results[operation] = (load.rate, per_request * 1e6, per_request * load.rate)
        return results
    finally:
        server.stop()


def _table(operations: list[str], variants: list[str], rounds: list[dict[str, dict]]) -> str:
    lines = ["| operation | switched off | req/s (spread) | ÷ as it runs | event-loop CPU µs/request | event loop busy |",
             "|---|---|---|---|---|---|"]
    for operation in operations:
        for variant in variants:
            rates = [measured[variant][operation][0] for measured in rounds]
            ratios = [measured[variant][operation][0] / measured[""][operation][0] for measured in rounds]
            cpu = statistics.median(measured[variant][operation][1] for measured in rounds)
            busy = statistics.median(measured[variant][operation][2] for measured in rounds)
            lines.append(f"| {operation} | {variant or '(nothing: as it runs)'} | {statistics.median(rates):,.0f} "
                         f"({min(rates):,.0f}–{max(rates):,.0f}) | {statistics.median(ratios):.2f} × | {cpu:,.0f} | "
                         f"{busy:.0%} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--operations", default="GetCallerIdentity,GetUser,CreateUser")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"parts to switch off, of {', '.join(PARTS)}")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0, help="load per operation (CreateUser: at most "
                                                                     f"{_CREATES} calls)")
    options = parser.parse_args()
    operations = options.operations.split(",")
    variants = ["", *[part for part in options.parts.split(",") if part]]
    unknown = set(variants[1:]) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    rounds = []
    for number in range(options.rounds):
        order = variants[number % len(variants):] + variants[:number % len(variants)]
        print(f"round {number + 1}/{options.rounds}: {', '.join(v or 'as it runs' for v in order)}", file=sys.stderr)
        rounds.append({variant: _measure(variant, operations, options.seconds) for variant in order})
    print(f"Generated by `python bench/attribution.py {' '.join(sys.argv[1:])}` on "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {options.rounds} rounds, {os.cpu_count()} CPUs.\n")
    print(_table(operations, variants, rounds))


if __name__ == "__main__":
    main()
