"""Organization-wide root audit: wall time of ``rootplane audit`` over N member accounts (target: 1,000 in <= 20 s).

    .venv/bin/python bench/audit_org.py [--accounts 1000] [--max-workers 16] [--runs 2] [--profile]

Starts a server whose account quota fits the organization (``--max-accounts-per-organization``), builds it with
``rootplane seed`` (timed too), then runs ``rootplane audit --output json`` as a person would (a fresh process:
imports, credential chain, ListAccounts pages, one AssumeRoot session and its IAM reads per member) and reports
the wall time of each run. ``--profile`` samples the audit process and the server with py-spy (if installed)
and writes flame graphs next to this file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from servers import start_rootplane  # noqa: E402

TARGET_SECONDS = 20.0


def _env(access_key: str, secret_key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=access_key, AWS_SECRET_ACCESS_KEY=secret_key, AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    return env


def _rootplane(*args: str) -> list[str]:
    return [sys.executable, "-m", "rootplane.cli", *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--max-workers", type=int, default=16)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="sample with py-spy (pip install py-spy)")
    parser.add_argument("--json", action="store_true", help="also print the last run as one JSON line (run.py)")
    options = parser.parse_args()

    server = start_rootplane(args=("--max-accounts-per-organization", str(options.accounts + 1)))
    try:
        started = time.perf_counter()
        seeded = subprocess.run(_rootplane("seed", "--accounts", str(options.accounts), "--max-workers",
                                           str(options.max_workers), "--endpoint-url", server.endpoint),
                                env=_env("test", "test"), capture_output=True, text=True, check=True)
        seed_seconds = time.perf_counter() - started
        key = re.search(r"AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+)", seeded.stdout)
        env = _env(key.group(1), key.group(2))
        print(f"seed: {options.accounts} member accounts in {seed_seconds:.1f} s", file=sys.stderr)
        summary = {"accounts": options.accounts, "seed_seconds": seed_seconds}
        audit = _rootplane("audit", "--output", "json", "--max-workers", str(options.max_workers),
                           "--endpoint-url", server.endpoint)
        for run in range(1, options.runs + 1):
            server_cpu, client_cpu = _cpu_seconds(server.process.pid), _children_cpu_seconds()
            started = time.perf_counter()
            result = subprocess.run(audit, env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            server_cpu, client_cpu = _cpu_seconds(server.process.pid) - server_cpu, _children_cpu_seconds() - client_cpu
            report = json.loads(result.stdout)
            errors = sum("Error" in entry for entry in report)
            verdict = "within" if seconds <= TARGET_SECONDS else "OVER"
            summary.update(seconds=seconds, audited=len(report), not_auditable=errors, server_cpu=server_cpu,
                           client_cpu=client_cpu, exit_status=result.returncode)
            print(f"audit run {run}: {len(report)} accounts in {seconds:.1f} s ({len(report) / seconds:.0f} "
                  f"accounts/s), exit status {result.returncode}, {errors} not auditable; {verdict} the "
                  f"{TARGET_SECONDS:.0f} s target", file=sys.stderr)
            print(f"  CPU used: server {server_cpu:.1f} s, audit process {client_cpu:.1f} s (load average "
                  f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: on an idle machine the wall time approaches "
                  f"the larger of the two)", file=sys.stderr)
        if options.json:
            print(json.dumps(summary))
        if options.profile:
            _profile(audit, env, server)
    finally:
        server.stop()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds() -> float:
    """User + system CPU time of this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _profile(audit: list[str], env: dict[str, str], server) -> None:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        print("py-spy is not installed: pip install py-spy")
        return
    here = Path(__file__).parent
    sampler = subprocess.Popen([py_spy, "record", "--pid", str(server.process.pid), "--format", "raw",
                                "--output", str(here / "audit_org.server.txt")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    time.sleep(1)
    subprocess.run([py_spy, "record", "--format", "raw", "--output", str(here / "audit_org.client.txt"), "--",
                    *audit], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sampler.terminate()
    sampler.wait()
    print(f"profiles: {here / 'audit_org.client.txt'}, {here / 'audit_org.server.txt'} (collapsed stacks)")


if __name__ == "__main__":
    main()
