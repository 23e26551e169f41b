"""What auditing (CloudTrail records, EventBridge matching) costs per request, measured in-process.

    .venv/bin/python bench/audit_overhead.py [--requests 2000]

Runs the same signed requests through a gateway with and without its audit sink and reports CPU time per
request (process CPU, so the background writer's work is counted) and wall time. Each request also waits for
nothing from the writer: the request thread only enqueues.
"""

from __future__ import annotations

import argparse
import time

from rootplane.core.config import ServerConfig
from rootplane.server import build_app
from rootplane.testing import signed_query
from stores import scratch_data_dir


def _run(audit: bool, count: int) -> dict[str, tuple[float, float]]:
    gateway = build_app(ServerConfig(data_dir=scratch_data_dir())).gateway
    sinks = list(gateway.audit_sinks)
    if not audit:
        gateway.audit_sinks.clear()
    gateway.handle(signed_query("iam", "Action=CreateUser&Version=2010-05-08&UserName=reader"))
    scenarios = {
        "GetCallerIdentity": [signed_query("sts", "Action=GetCallerIdentity&Version=2011-06-15")] * count,
        "GetUser": [signed_query("iam", "Action=GetUser&Version=2010-05-08&UserName=reader")] * count,
        "CreateUser": [signed_query("iam", f"Action=CreateUser&Version=2010-05-08&UserName=u{i}") for i in range(count)],
    }
    results = {}
    for name, requests in scenarios.items():
        cpu, wall = time.process_time(), time.perf_counter()
        for request in requests:
            gateway.handle(request)
        for sink in sinks:  # let the writer finish this scenario's records so their CPU is counted here
            flush = getattr(getattr(sink, "__self__", None), "flush", None)
            if flush is not None:
                flush()
        results[name] = ((time.process_time() - cpu) / count * 1000, (time.perf_counter() - wall) / count * 1000)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    without = _run(False, args.requests)
    with_audit = _run(True, args.requests)
    print(f"{'ms per request':<20}{'CPU off':>10}{'CPU on':>10}{'+CPU':>8}{'wall off':>10}{'wall on':>10}")
    for name in without:
        (cpu_off, wall_off), (cpu_on, wall_on) = without[name], with_audit[name]
        print(f"{name:<20}{cpu_off:>10.3f}{cpu_on:>10.3f}{cpu_on - cpu_off:>8.3f}{wall_off:>10.3f}{wall_on:>10.3f}")


if __name__ == "__main__":
    main()
