"""Start rootplane (on SQLite, or on PostgreSQL with several workers), its peers (moto's server, ministack) and the
bare ASGI app as subprocesses on free ports; measure cold start, CPU time and RSS.

Cold start is measured twice from process start: to the first HTTP answer of any kind (the port serves), and to the
first signed GetCallerIdentity answered 200 (the server is ready for real work). CPU time and RSS are summed over the
started process and its descendants (a ``--workers`` supervisor and its workers).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from loadgen import sign_query_requests
from peers import peer_python
from stores import ROOTPLANES, BenchStore

__all__ = ["RunningServer", "start_rootplane", "start_fresh_rootplane", "start_moto", "start_ministack", "start_bare",
           "rss_mib", "cpu_seconds", "stat_cpu_seconds", "STARTERS"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningServer:
    name: str
    port: int
    process: subprocess.Popen
    cold_start_seconds: float
    ready_seconds: float
    store: BenchStore | None = None  # removed on stop

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """SIGTERM (a supervisor passes it on to its workers); after 10 s SIGKILL to the whole process tree."""
        tree = _tree(self.process.pid)
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pid in tree[1:]:  # workers left behind by a killed supervisor
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.store:
            self.store.remove()


def _wait_answering(port: int, process: subprocess.Popen, probe, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            probe(port)
            return
        except OSError:
            time.sleep(0.002)
    raise RuntimeError("server did not answer in time")


def _first_answer(port: int) -> None:
    """Any HTTP answer counts (an error status is an answer): the port serves."""
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/_rootplane/health", timeout=10).read()
    except urllib.error.HTTPError as error:
        error.read()


def _signed_caller_identity(port: int) -> None:
    """A signed GetCallerIdentity answered 200 (test/test); anything else raises OSError, so the caller retries."""
    path, headers, body = sign_query_requests(f"http://127.0.0.1:{port}", "sts",
                                              ["Action=GetCallerIdentity&Version=2011-06-15"])[0]
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers=headers)
    urllib.request.urlopen(request, timeout=10).read()


def _start(name: str, command: list[str], port: int, env: dict | None = None) -> RunningServer:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        _wait_answering(port, process, _first_answer)
        answered = time.perf_counter() - started
        _wait_answering(port, process, _signed_caller_identity)
    except BaseException:
        RunningServer(name, port, process, 0.0, 0.0).stop()
        raise
    return RunningServer(name, port, process, answered, time.perf_counter() - started)


def start_rootplane(data_dir: str | None = None, args: tuple[str, ...] = (),
                    store: BenchStore | None = None) -> RunningServer:
    """rootplane on ``store`` or on the SQLite store at ``data_dir``, both kept (the usual restart), else on a fresh
    SQLite store removed on stop; ``args``: more serve flags."""
    if store is None and data_dir is None:
        return start_fresh_rootplane(args=args)
    store = store or BenchStore(data_dir=data_dir)
    port = _free_port()
    command = [sys.executable, "-m", "rootplane.cli", "serve", "--port", str(port), *store.serve_args(), *args]
    since = dt.datetime.now(dt.timezone.utc)
    server = _start(store.name, command, port)
    try:
        store.wait_until_built(since)  # the first answer came from one worker; the others may still be starting
    except BaseException:
        server.stop()
        raise
    return server


def start_fresh_rootplane(workers: int = 1, args: tuple[str, ...] = ()) -> RunningServer:
    """rootplane on a fresh store (a PostgreSQL database when ``workers`` > 1), removed on stop."""
    store = BenchStore(workers)
    try:
        server = start_rootplane(store=store, args=args)
    except BaseException:
        store.remove()
        raise
    server.store = store
    return server


def start_moto() -> RunningServer:
    """moto's server (its own virtualenv, see peers.py)."""
    port = _free_port()
    return _start("moto", [str(peer_python("moto")), "-m", "moto.server", "-p", str(port)], port)


def start_ministack() -> RunningServer:
    """ministack (its own virtualenv, see peers.py), state in memory as it defaults to."""
    port = _free_port()
    env = {**os.environ, "GATEWAY_PORT": str(port), "LOG_LEVEL": "WARNING"}
    return _start("ministack", [str(peer_python("ministack")), "-m", "ministack"], port, env)


def start_bare() -> RunningServer:
    """The limit: uvicorn + uvloop answering every request with a canned GetCallerIdentity answer."""
    port = _free_port()
    return _start("bare", [sys.executable, str(Path(__file__).with_name("bare_app.py")), str(port)], port)


STARTERS = {"bare": start_bare, "ministack": start_ministack, "moto": start_moto,
            **{name: functools.partial(start_fresh_rootplane, workers) for name, workers in ROOTPLANES.items()}}


def _tree(pid: int) -> list[int]:
    """``pid`` and its living descendants (from the parent pids in /proc/*/stat)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # exited meanwhile
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree = [pid]
    for parent in tree:
        tree.extend(children.get(parent, []))
    return tree


def _summed(process: subprocess.Popen, read) -> float:
    total = 0.0
    for pid in _tree(process.pid):
        try:
            total += read(pid)
        except OSError:  # exited meanwhile
            pass
    return total


def _cpu(pid: int) -> float:
    return stat_cpu_seconds(Path(f"/proc/{pid}/stat"))


def stat_cpu_seconds(stat: Path) -> float:
    """User + system CPU seconds in a ``/proc`` stat file (a process's, or a thread's under ``task/``)."""
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def event_loop_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of a server's main thread, which runs its event loop."""
    return stat_cpu_seconds(Path(f"/proc/{pid}/task/{pid}/stat"))


def _rss(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(process: subprocess.Popen) -> float:
    """User + system CPU time the process and its living descendants have used so far."""
    return _summed(process, _cpu)


def rss_mib(process: subprocess.Popen) -> float:
    """Resident memory of the process and its living descendants (MiB; pages shared after a fork count in each)."""
    return _summed(process, _rss)


def _machine_busy_seconds() -> float:
    """CPU seconds every CPU of this machine has spent busy so far (/proc/stat: all but idle and iowait)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def settle(processes: list[subprocess.Popen], window: float = 0.2, busy: float = 0.1, timeout: float = 5.0,
           machine: bool = False) -> None:
    """Wait until every one of ``processes`` (with its descendants) uses under ``busy`` of a CPU over ``window``
    seconds: background work a load left (rootplane's audit writer storing the burst's records) is done before
    the next measurement starts, whichever server that measurement is for. ``machine``: the whole machine too, under
    twice that (PostgreSQL's own processes after a rootplane-pg run are not the servers'). Gives up after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before, everything = sum(cpu_seconds(process) for process in processes), _machine_busy_seconds()
        time.sleep(window)
        quiet = sum(cpu_seconds(process) for process in processes) - before < busy * window
        if quiet and (not machine or _machine_busy_seconds() - everything < 2 * busy * window):
            return
