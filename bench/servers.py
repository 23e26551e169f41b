"""Start rootplane and moto's server as subprocesses on free ports, measure cold start and RSS.

Cold start is measured twice from process start: to the first HTTP answer of any kind (the port serves), and to the
first signed GetCallerIdentity answered 200 (the server is ready for real work).
"""

from __future__ import annotations

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

__all__ = ["RunningServer", "start_rootplane", "start_moto", "rss_mib"]


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


def _start(name: str, command: list[str], port: int, data_dir: str | None) -> RunningServer:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    port = _free_port()
    moto = Path(sys.executable).with_name("moto_server")
    return _start("moto", [str(moto), "-p", str(port)], port, None)


def rss_mib(process: subprocess.Popen) -> float:
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
