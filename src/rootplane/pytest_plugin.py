"""pytest plugin ``rootplane`` (entry point ``pytest11``): a rootplane server for a test session, reset per test.

Fixtures:
- ``rootplane_server`` (session): a :class:`rootplane.testing.RootplaneServer` with ``endpoint_url``,
  ``access_key_id``, ``secret_access_key``, ``region`` and ``client(service)``. Started as ``rootplane serve`` on a
  free port with a temporary store (or in this process with ``--rootplane-in-process``), unless
  ``--rootplane-url URL`` names a server that already runs.
- ``rootplane_reset`` (function): resets the server before the test, or restores the snapshot that the test's
  ``@pytest.mark.rootplane_snapshot(NAME_OR_FILE)`` names (a snapshot saved on the server, or a snapshot file).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from rootplane.testing import RootplaneServer, serve

__all__ = ["rootplane_server", "rootplane_reset"]

MARKER = "rootplane_snapshot"


def pytest_addoption(parser) -> None:
    group = parser.getgroup("rootplane")
    group.addoption("--rootplane-url", default=None,
                    help="Use the rootplane server running at this URL instead of starting one.")
    group.addoption("--rootplane-in-process", action="store_true", default=False,
                    help="Start rootplane inside the test process (rootplane.testing.serve) instead of as a subprocess.")


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(name_or_file): rootplane_reset restores this snapshot "
                                       "(saved on the server under the name, or a snapshot file) instead of resetting")


@contextlib.contextmanager
def _subprocess_server(timeout: float = 60.0) -> Iterator[RootplaneServer]:
    data_dir = tempfile.mkdtemp(prefix="rootplane-pytest-")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = open(os.path.join(data_dir, "server.log"), "wb")
    process = subprocess.Popen([sys.executable, "-m", "rootplane.cli", "serve", "--port", str(port),
                                "--data-dir", data_dir], stdout=log, stderr=subprocess.STDOUT)
    server = RootplaneServer(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError("rootplane did not start:\n" + Path(log.name).read_text(errors="replace"))
            try:
                with urllib.request.urlopen(server.endpoint_url + "/_rootplane/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def rootplane_server(pytestconfig) -> Iterator[RootplaneServer]:
    """A rootplane server for the whole test session."""
    url = pytestconfig.getoption("--rootplane-url")
    if url:
        yield RootplaneServer(url.rstrip("/"))
        return
    starter = serve if pytestconfig.getoption("--rootplane-in-process") else _subprocess_server
    with starter() as server:
        yield server


@pytest.fixture
def rootplane_reset(request, rootplane_server: RootplaneServer) -> RootplaneServer:
    """The session's server, reset (or set to the marked snapshot) before this test."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        rootplane_server.reset()
        return rootplane_server
    target = str(marker.args[0])
    path = Path(target)
    if path.suffix and path.is_file():
        rootplane_server.restore(data=path.read_bytes())
    else:
        rootplane_server.restore(name=target)
    return rootplane_server
