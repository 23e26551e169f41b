"""A small closed-loop load generator: pre-signed requests replayed over keep-alive connections.

Signing happens before the clock starts (SigV4 signatures stay valid for minutes), and each request's bytes are
built before it too, so the figures measure the server, not boto3. Worker processes avoid the GIL of the measuring
side. A worker speaks just enough HTTP/1.1 to replay its requests and read whole answers (Content-Length or chunked
bodies, ``Connection: close``): against the bare app, http.client's workers used 116-120 µs of CPU per exchange
and these use 19 µs, CPU the 2-core bench machine otherwise takes from the server being measured (like wrk, the
issue's tool for GetCallerIdentity, the load generator should cost the server as little as it can).
"""

from __future__ import annotations

import multiprocessing
import socket
import time
from typing import NamedTuple
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

__all__ = ["Load", "sign_query_requests", "sign_requests", "throughput"]


class Load(NamedTuple):
    """What one load run measured."""

    rate: float  # requests answered per second (summed over the workers)
    errors: int  # answers with a status of 300 or more
    answered: int  # requests answered (fewer than rate x seconds when a split list ran out early)


def sign_query_requests(endpoint: str, service: str, bodies: list[str], access_key: str = "test",
                        secret_key: str = "test", region: str = "us-east-1") -> list[tuple[str, dict, bytes]]:
    """Sign form-encoded query-protocol requests once: (path, headers, body) tuples ready to replay."""
    signer = SigV4Auth(Credentials(access_key, secret_key), service, region)
    prepared = []
    for body in bodies:
        request = AWSRequest(method="POST", url=endpoint + "/", data=body.encode(),
                             headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        signer.add_auth(request)
        ready = request.prepare()
        prepared.append(("/", dict(ready.headers.items()), ready.body))
    return prepared


def sign_requests(endpoint: str, service: str, requests: list[tuple[str, str, bytes, dict]], access_key: str = "test",
                  secret_key: str = "test", region: str = "us-east-1") -> list[tuple[str, dict, bytes, str]]:
    """Sign any requests once, (method, path, body, headers) each: (path, headers, body, method) tuples to replay.

    S3 requests (``service="s3"``) are signed as the SDK does (``x-amz-content-sha256`` carries the body's hash).
    """
    from botocore.auth import S3SigV4Auth

    signer = (S3SigV4Auth if service == "s3" else SigV4Auth)(Credentials(access_key, secret_key), service, region)
    prepared = []
    for method, path, body, headers in requests:
        request = AWSRequest(method=method, url=endpoint + path, data=body, headers=dict(headers))
        signer.add_auth(request)
        ready = request.prepare()
        prepared.append((path, dict(ready.headers.items()), ready.body or b"", method))
    return prepared


class _Connection:
    """One keep-alive HTTP/1.1 connection that sends pre-built requests and reads whole answers."""

    def __init__(self, host: str, port: int) -> None:
        self._address = (host, port)
        self._socket: socket.socket | None = None
        self._buffer = b""

    def exchange(self, request: bytes) -> int:
        """Send ``request`` and read its answer; the answer's status. A connection the server closed while idle is
        opened again and the request sent once more (as http.client does)."""
        fresh = self._socket is None
        if fresh:
            self._open()
        try:
            self._socket.sendall(request)
            return self._answer()
        except ConnectionError:
            if fresh:
                raise
            self._open()
            self._socket.sendall(request)
            return self._answer()

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def _open(self) -> None:
        self.close()
        self._socket = socket.create_connection(self._address, timeout=30)
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""

    def _answer(self) -> int:
        head = self._until(b"\r\n\r\n")
        status = int(head[9:12])
        headers = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        if b"content-length" in headers:
            self._take(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding") == b"chunked":
            while True:
                size = int(self._until(b"\r\n").split(b";")[0], 16)
                self._take(size + 2)
                if size == 0:
                    break
        elif status >= 200 and status not in (204, 304):
            self._until_closed()
        if headers.get(b"connection") == b"close":
            self.close()
        return status

    def _receive(self) -> None:
        chunk = self._socket.recv(65536)
        if not chunk:
            raise ConnectionResetError("the server closed the connection")
        self._buffer += chunk

    def _until(self, marker: bytes) -> bytes:
        while (end := self._buffer.find(marker)) < 0:
            self._receive()
        taken, self._buffer = self._buffer[:end], self._buffer[end + len(marker):]
        return taken

    def _take(self, size: int) -> None:
        while len(self._buffer) < size:
            self._receive()
        self._buffer = self._buffer[size:]

    def _until_closed(self) -> None:
        try:
            while True:
                self._receive()
        except ConnectionResetError:
            self.close()


def _request_bytes(host: str, request: tuple) -> bytes:
    """A pre-signed (path, headers, body[, method]) request as sent on the wire."""
    path, headers, body = request[:3]
    method = request[3] if len(request) > 3 else "POST"
    body = body.encode() if isinstance(body, str) else body or b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Accept-Encoding: identity"]
    lines += [f"{name}: {value}" for name, value in headers.items() if name.lower() not in ("host", "content-length")]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _worker(args) -> tuple[int, int, float]:
    endpoint, requests, seconds, start_at = args
    parts = urlsplit(endpoint)
    connection = _Connection(parts.hostname, parts.port)
    while time.time() < start_at:
        time.sleep(0.001)
    started = time.monotonic()
    deadline = started + seconds
    done = errors = 0
    for request in requests:
        if time.monotonic() >= deadline:
            break
        done += 1
        if connection.exchange(request) >= 300:
            errors += 1
    elapsed = time.monotonic() - started
    connection.close()
    return done, errors, elapsed


def throughput(endpoint: str, requests: list[tuple], workers: int = 4, seconds: float = 4.0,
               repeat_each: bool = True) -> Load:
    """Requests per second over ``seconds`` with ``workers`` concurrent connections, errors and requests answered.

    ``repeat_each``: every worker replays the whole list (idempotent reads); else the list is split between
    workers so that each request is sent exactly once (writes such as CreateUser).
    """
    host = urlsplit(endpoint).netloc
    wire = [_request_bytes(host, request) for request in requests]  # once, before any worker starts
    if repeat_each:
        shares = [wire * max(1, int(20000 / max(1, len(wire)))) for _ in range(workers)]
    else:
        shares = [wire[i::workers] for i in range(workers)]
    start_at = time.time() + 0.5
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        results = pool.map(_worker, [(endpoint, share, seconds, start_at) for share in shares])
    rate = sum(done / max(elapsed, 1e-9) for done, _, elapsed in results)
    return Load(rate, sum(errors for _, errors, _ in results), sum(done for done, _, _ in results))
