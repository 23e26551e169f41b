"""The hostile-input run: malformed requests per protocol family against a live server; zero 5xx (but 501 for
operations not built), the server stays healthy and its memory bounded.

    python tests/fuzz/run.py --per-family 10000        # make fuzz (CI: a separate step after make test)
    python tests/fuzz/run.py --per-family 2000 --postgres   # the same on a PostgreSQL store

Each finding prints the request that caused it (family, operation, mutation, seed): rerun with that seed.
"""

from __future__ import annotations

import argparse
import http.client
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz.requests import FAMILIES, FuzzRequest, Generator  # noqa: E402

__all__ = ["Report", "fuzz_family", "rss_mib"]

#: Memory bound: the server's resident set may grow by at most this much over a run (MiB).
RSS_GROWTH_LIMIT_MIB = 300
_TIMEOUT = 60.0


@dataclass
class Report:
    family: str
    sent: int = 0
    statuses: Counter = field(default_factory=Counter)
    closed: int = 0  # the server closed the connection instead of answering (oversized headers)
    unsendable: int = 0  # http.client refused to send it (header values it will not put on the wire)
    findings: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def finding(self, request: FuzzRequest, what: str) -> None:
        with self.lock:
            if len(self.findings) < 50:
                self.findings.append(f"{request.describe()}: {what}")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _send(connection: http.client.HTTPConnection, request: FuzzRequest, host: str) -> tuple[int, bytes]:
    connection.putrequest(request.method, request.path, skip_host=True, skip_accept_encoding=True)
    names = {name.lower() for name, _ in request.headers}
    if "host" not in names:
        connection.putheader("Host", host)
    for name, value in request.headers:  # as UTF-8 bytes, whatever the value holds
        connection.putheader(name, value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value)
    if "content-length" not in names:
        connection.putheader("Content-Length", str(len(request.body)))
    connection.endheaders(request.body)
    response = connection.getresponse()
    return response.status, response.read()


def _worker(generator_seed: int, family: str, host: str, port: int, count: int, report: Report) -> None:
    generator = Generator(family, f"http://{host}:{port}", generator_seed)
    connection = http.client.HTTPConnection(host, port, timeout=_TIMEOUT)
    delivered = 0  # requests that reached the server (answered, or cut off by it); unsendable ones do not count
    while delivered < count:
        request = generator.next()
        try:
            status, body = _send(connection, request, f"{host}:{port}")
        except (ValueError, TypeError, UnicodeEncodeError):
            with report.lock:
                report.unsendable += 1
            connection.close()
            continue
        except TimeoutError:
            delivered += 1
            report.finding(request, f"no answer within {_TIMEOUT} s")
            connection.close()
            continue
        except (http.client.HTTPException, ConnectionError, OSError):
            delivered += 1
            with report.lock:
                report.closed += 1
            connection.close()
            continue
        delivered += 1
        with report.lock:
            report.sent += 1
            report.statuses[status] += 1
        if status >= 500 and status != 501:
            report.finding(request, f"{status} {body[:300]!r}")
        elif status == 501 and b"NotImplemented" not in body:
            report.finding(request, f"501 without NotImplemented: {body[:300]!r}")
        if b"Traceback" in body:
            report.finding(request, f"traceback in the answer: {body[:300]!r}")
    connection.close()


def fuzz_family(family: str, host: str, port: int, count: int, seed: int, threads: int = 4) -> Report:
    """``count`` malformed requests of ``family`` from ``threads`` connections."""
    report = Report(family)
    share = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]
    workers = [threading.Thread(target=_worker, args=(seed * 100 + i, family, host, port, share[i], report))
               for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-family", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    parser.add_argument("--family", action="append", choices=sorted(FAMILIES))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--postgres", action="store_true",
                        help="serve from a fresh database of the local PostgreSQL (dropped after), not SQLite")
    arguments = parser.parse_args()
    from harness import drop_postgres_database, postgres_database, start_server

    database_url = postgres_database() if arguments.postgres else None
    if arguments.postgres and database_url is None:
        parser.error("PostgreSQL is not reachable")
    server = start_server(database_url=database_url)
    failed = False
    try:
        start_rss = rss_mib(server.process.pid)
        print(f"fuzzing {server.endpoint} (seed {arguments.seed}, {arguments.per_family} per family); "
              f"server RSS {start_rss:.0f} MiB", flush=True)
        for family in arguments.family or sorted(FAMILIES):
            started = time.monotonic()
            report = fuzz_family(family, "127.0.0.1", server.port, arguments.per_family, arguments.seed,
                                 arguments.threads)
            rss = rss_mib(server.process.pid)
            print(f"{family}: {report.sent} answered, {report.closed} connections closed by the server, "
                  f"{report.unsendable} unsendable, statuses {dict(sorted(report.statuses.items()))}, "
                  f"{time.monotonic() - started:.0f} s, RSS {rss:.0f} MiB", flush=True)
            for finding in report.findings:
                print(f"  FINDING {finding}", flush=True)
            failed |= bool(report.findings)
        health = server.get_json("/_rootplane/health")
        growth = rss_mib(server.process.pid) - start_rss
        print(f"health: {health['status']}; RSS growth {growth:.0f} MiB (limit {RSS_GROWTH_LIMIT_MIB})", flush=True)
        failed |= health["status"] != "ok" or growth > RSS_GROWTH_LIMIT_MIB or server.process.poll() is not None
        log = server.log()
        if "unexpected failure" in log or "Traceback" in log:
            print("the server log reports unexpected failures:\n" + log[max(0, log.find("Traceback") - 500):][:6000],
                  flush=True)
            failed = True
    finally:
        server.close()
        if database_url is not None:
            drop_postgres_database(database_url)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
