"""Idle keep-alive connections (issue #18). A server that closes an idle connection at the moment a client reuses it
loses that request: the client found the connection open, sent, and gets ConnectionClosedError. So the server keeps
idle connections open longer than clients keep them in their pools between calls (``--keep-alive-seconds``, 75 s)."""

from __future__ import annotations

import http.client
import select
import socket
import time

from click.testing import CliRunner
from harness import start_server

from rootplane.cli import main

UVICORN_DEFAULT = 5.0  # seconds: the keep-alive the server had before issue #18


def _health(connection: http.client.HTTPConnection) -> int:
    connection.request("GET", "/_rootplane/health")
    response = connection.getresponse()
    response.read()
    return response.status


def _closed_by_server(connection: http.client.HTTPConnection) -> bool:
    """Whether the server has closed the connection (its end of stream is waiting to be read)."""
    readable, _, _ = select.select([connection.sock], [], [], 0)
    return bool(readable) and connection.sock.recv(1, socket.MSG_PEEK) == b""


def test_a_connection_idle_longer_than_uvicorns_default_is_reused_with_an_answer(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        assert _health(connection) == 200
        first = connection.sock
        time.sleep(UVICORN_DEFAULT + 1.5)
        assert not _closed_by_server(connection)
        assert _health(connection) == 200
        assert connection.sock is first  # answered on the same connection, not on a new one
    finally:
        connection.close()


def test_keep_alive_seconds_sets_when_an_idle_connection_is_closed():
    running = start_server(args=("--keep-alive-seconds", "0.5"))
    connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=30)
    try:
        assert _health(connection) == 200
        answered = time.monotonic()
        while not _closed_by_server(connection):
            assert time.monotonic() - answered < 4, "an idle connection outlived --keep-alive-seconds 0.5"
            time.sleep(0.05)
        assert time.monotonic() - answered >= 0.4
    finally:
        connection.close()
        running.close()


def test_keep_alive_seconds_must_be_positive():
    result = CliRunner().invoke(main, ["serve", "--keep-alive-seconds", "0"])
    assert result.exit_code == 2 and "Invalid value for '--keep-alive-seconds'" in result.output
