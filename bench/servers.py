"""Start rootplane, its peers (moto's server, ministack) and the bare ASGI app as subprocesses on free ports; measure
cold start and RSS.

Cold start is measured twice from process start: to the first HTTP answer of any kind (the port serves), and to the
first signed GetCallerIdentity answered 200 (the server is ready for real work).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from loadgen import sign_query_requests
from peers import peer_python

__all__ = ["RunningServer", "start_rootplane", "start_moto", "start_ministack", "start_bare", "rss_mib", "cpu_seconds",
           "STARTERS"]


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
    data_dir: str | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        if self.data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


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


def _start(name: str, command: list[str], port: int, data_dir: str | None, env: dict | None = None) -> RunningServer:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _wait_answering(port, process, _first_answer)
    answered = time.perf_counter() - started
    _wait_answering(port, process, _signed_caller_identity)
    return RunningServer(name, port, process, answered, time.perf_counter() - started, data_dir)


def start_rootplane(data_dir: str | None = None, args: tuple[str, ...] = ()) -> RunningServer:
    """rootplane on a store that already exists (the usual restart), or a fresh one; ``args``: more serve flags."""
    owned = data_dir is None
    data_dir = data_dir or tempfile.mkdtemp(prefix="rootplane-bench-")
    port = _free_port()
    command = [sys.executable, "-m", "rootplane.cli", "serve", "--port", str(port), "--data-dir", data_dir, *args]
    server = _start("rootplane", command, port, data_dir if owned else None)
    return server


def start_moto() -> RunningServer:
    """moto's server (its own virtualenv, see peers.py)."""
    port = _free_port()
    return _start("moto", [str(peer_python("moto")), "-m", "moto.server", "-p", str(port)], port, None)


def start_ministack() -> RunningServer:
    """ministack (its own virtualenv, see peers.py), state in memory as it defaults to."""
    port = _free_port()
    env = {**os.environ, "GATEWAY_PORT": str(port), "LOG_LEVEL": "WARNING"}
    return _start("ministack", [str(peer_python("ministack")), "-m", "ministack"], port, None, env)


def start_bare() -> RunningServer:
    """The limit: uvicorn + uvloop answering every request with a canned GetCallerIdentity answer."""
    port = _free_port()
    return _start("bare", [sys.executable, str(Path(__file__).with_name("bare_app.py")), str(port)], port, None)


STARTERS = {"bare": start_bare, "rootplane": start_rootplane, "ministack": start_ministack, "moto": start_moto}


def cpu_seconds(process: subprocess.Popen) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(process: subprocess.Popen) -> float:
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
