"""A request that stalls while it is sent (``--request-idle-seconds``): the server answers 400 RequestTimeout, as S3
does, and closes the connection. Before, a client that sent headers announcing a body and never sent it (or sent
half a request line) held its connection, and the server's memory for it, for as long as it liked: found by the
hostile-input run (a fuzzed UploadPart whose Content-Length was 42 and whose body was empty waited 60 s unanswered).
A request that keeps sending, however slowly, is read to its end and answered."""

from __future__ import annotations

import socket
import time

import pytest
from harness import start_server

IDLE = 0.5


@pytest.fixture(scope="module")
def server():
    running = start_server(args=("--request-idle-seconds", str(IDLE)))
    yield running
    running.close()


def _answer(sock: socket.socket, limit: float = 10.0) -> bytes:
    """Everything the server sends until it closes the connection."""
    sock.settimeout(limit)
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


@pytest.mark.parametrize("sent", [
    b"PUT /bucket/key?partNumber=1&uploadId=x HTTP/1.1\r\nHost: s3\r\nContent-Length: 42\r\n\r\n",  # no body
    b"PUT /bucket/key HTTP/1.1\r\nHost: s3\r\nContent-Length: 42\r\n\r\nonly part of it",
    b"POST / HTTP/1.1\r\nHost: iam\r\nX-Half-A-Hea",  # headers never finished
], ids=["no-body", "part-of-the-body", "part-of-the-headers"])
def test_a_stalled_request_is_answered_request_timeout_and_closed(server, sent):
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        started = time.monotonic()
        sock.sendall(sent)
        answer = _answer(sock)
        waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"<Code>RequestTimeout</Code>" in answer and b"connection: close" in answer.lower()
    assert IDLE * 0.8 <= waited < IDLE + 5


def test_a_slow_request_that_keeps_sending_is_answered(server):
    """Each byte of the body arrives within the idle time, the whole request takes longer than it: answered."""
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    head = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(head)
        for start in range(0, len(body), 10):
            time.sleep(IDLE / 3)
            sock.sendall(body[start:start + 10])
        answer = _answer(sock)
    assert b"RequestTimeout" not in answer
    assert answer.startswith(b"HTTP/1.1 403 ")  # answered: unsigned, so refused as AWS refuses it


def test_an_idle_keep_alive_connection_is_not_a_stalled_request(server):
    """Between requests the keep-alive time applies (75 s), not the request's idle time."""
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"GET /_rootplane/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        sock.settimeout(5)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
        time.sleep(IDLE * 3)
        sock.sendall(b"GET /_rootplane/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert _answer(sock).startswith(b"HTTP/1.1 200 ")
