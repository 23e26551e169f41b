"""rootplane inside Python test suites: a handle on a running server, and an in-process server.

    with rootplane.testing.serve() as srv:
        srv.client("iam").create_user(UserName="alice")
        srv.reset()

``serve()`` runs the real ASGI app (same pipeline, same store) under uvicorn on a free loopback port in a
background thread: no subprocess. ``RootplaneServer`` talks to any running server (``/_rootplane/*``).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["RootplaneServer", "serve", "signed_query"]


@dataclass
class RootplaneServer:
    """Where a rootplane server answers, with the bootstrap root credentials, and its test-suite endpoints."""

    endpoint_url: str
    access_key_id: str = "test"
    secret_access_key: str = "test"
    region: str = "us-east-1"

    def client(self, service: str, **kwargs: Any):
        """A boto3 client for ``service`` signed with the bootstrap root credentials (boto3 must be installed)."""
        import boto3

        return boto3.session.Session(
            aws_access_key_id=self.access_key_id, aws_secret_access_key=self.secret_access_key,
            region_name=kwargs.pop("region_name", self.region),
        ).client(service, endpoint_url=self.endpoint_url, **kwargs)

    def environment(self) -> dict[str, str]:
        """The variables AWS SDKs and CLIs read to talk to this server."""
        return {"AWS_ENDPOINT_URL": self.endpoint_url, "AWS_ACCESS_KEY_ID": self.access_key_id,
                "AWS_SECRET_ACCESS_KEY": self.secret_access_key, "AWS_DEFAULT_REGION": self.region,
                "AWS_REGION": self.region}

    def reset(self) -> dict:
        """Empty all state; the bootstrap account is as on a fresh start."""
        return json.loads(self._post("/_rootplane/reset"))

    def snapshot(self, name: str | None = None) -> bytes | dict:
        """Save the whole state: on the server under ``name``, or returned as the snapshot file's bytes."""
        if name is None:
            return self._post("/_rootplane/snapshot")
        return json.loads(self._post("/_rootplane/snapshot", {"name": name}))

    def restore(self, name: str | None = None, data: bytes | None = None) -> dict:
        """Restore the snapshot saved on the server under ``name``, or the snapshot file ``data``."""
        if (name is None) == (data is None):
            raise ValueError("give a snapshot name or a snapshot file's bytes")
        return json.loads(self._post("/_rootplane/restore", {"name": name} if name else None, data or b""))

    def health(self) -> dict:
        with urllib.request.urlopen(self.endpoint_url + "/_rootplane/health", timeout=10) as response:
            return json.loads(response.read())

    def _post(self, path: str, query: dict[str, str] | None = None, body: bytes = b"") -> bytes:
        url = self.endpoint_url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/octet-stream"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"POST {path} failed ({error.code}): {error.read().decode(errors='replace')}") from None


def _loopback_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


@contextlib.contextmanager
def serve(data_dir: str | None = None, database_url: str | None = None, timeout: float = 30.0,
          **settings: Any) -> Iterator[RootplaneServer]:
    """Run rootplane in this process on a free loopback port until the block ends.

    ``settings`` are further ``ServerConfig`` fields (``time_travel=True``, ``bootstrap_account_id=...``).
    Without ``data_dir`` the SQLite store lives in a temporary directory removed afterwards."""
    import uvicorn

    from rootplane.core.config import ServerConfig
    from rootplane.server import build_app

    owns = data_dir is None
    data_dir = data_dir or tempfile.mkdtemp(prefix="rootplane-inprocess-")
    sock = _loopback_socket()
    config = ServerConfig(host="127.0.0.1", port=sock.getsockname()[1], data_dir=data_dir,
                          database_url=database_url, **settings)
    app = build_app(config)
    server = _thread_server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False,
                                           timeout_keep_alive=config.keep_alive_seconds))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="rootplane-server", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the in-process rootplane server did not start")
            time.sleep(0.005)
        yield RootplaneServer(f"http://127.0.0.1:{config.port}", config.bootstrap_access_key,
                              config.bootstrap_secret_key, config.default_region)
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()
        for background in (getattr(app, "alarm_evaluator", None), getattr(app, "move_worker", None),
                           getattr(app, "recorder", None), getattr(app, "statistics", None)):
            if background is not None:
                background.close()
        app.gateway.invalidation.close()
        app.gateway.store.dispose()
        if owns:
            shutil.rmtree(data_dir, ignore_errors=True)


def _thread_server(config):
    """A uvicorn server that installs no signal handlers: the test process keeps its own (and only the main
    thread may set them)."""
    import uvicorn

    class ThreadServer(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self):
            yield

    return ThreadServer(config)


def signed_query(service: str, body: str):
    """A query-protocol POST of ``body`` signed for ``service`` with the bootstrap root key (test/test), as the
    gateway's ``handle`` takes it: in-process tests and benchmarks of the pipeline, no HTTP in between."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from rootplane.wire.http import HttpRequest

    request = AWSRequest(method="POST", url="http://localhost:4566/", data=body.encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials("test", "test"), service, "us-east-1").add_auth(request)
    prepared = request.prepare()
    headers = {k.lower(): v for k, v in prepared.headers.items()}
    headers["host"] = urllib.parse.urlsplit(prepared.url).netloc
    return HttpRequest("POST", "/", "", headers, prepared.body)
