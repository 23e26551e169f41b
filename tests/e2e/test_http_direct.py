"""Small API calls are answered straight from the HTTP parser (gateway/http_protocol.py, issue #19): what HTTP/1.1
promises a client must still hold on one connection: pipelined requests answered in order (a write's answer waits
for its commit, and the next request sees the write), HEAD answers without a body, HTTP/1.0 and ``Connection:
close`` answered and closed, ``Expect: 100-continue`` honoured."""

from __future__ import annotations

import socket
from urllib.parse import urlencode

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

_CREDENTIALS = Credentials("test", "test")


def _signed(server, service: str, method: str = "POST", path: str = "/", body: bytes = b"",
            version: str = "HTTP/1.1", extra: dict | None = None) -> bytes:
    """A SigV4-signed request as the bytes a client sends."""
    request = AWSRequest(method=method, url=server.endpoint + path, data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded"} if body else {})
    if service == "s3":
        request.headers["X-Amz-Content-SHA256"] = "UNSIGNED-PAYLOAD"
    SigV4Auth(_CREDENTIALS, service, "us-east-1").add_auth(request)
    headers = {"Host": f"127.0.0.1:{server.port}", **dict(request.headers.items()), **(extra or {})}
    if body or method in ("POST", "PUT"):
        headers["Content-Length"] = str(len(body))
    head = f"{method} {path} {version}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode() + body


def _query(server, service: str, **params: str) -> bytes:
    return _signed(server, service, body=urlencode(params).encode())


class _Answers:
    """Reads HTTP answers one after another off a socket (Content-Length framed, as the server sends them)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def next(self, head: bool = False) -> tuple[int, dict[str, str], bytes]:
        while b"\r\n\r\n" not in self.buffer:
            assert self._fill(), "the connection closed before an answer"
        raw_head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *lines = raw_head.decode("latin-1").split("\r\n")
        headers = {name.lower(): value for name, value in (line.split(": ", 1) for line in lines)}
        length = 0 if head else int(headers["content-length"])
        while len(self.buffer) < length:
            assert self._fill(), "the connection closed inside an answer"
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(status_line.split(" ")[1]), headers, body

    def closed(self) -> bool:
        self.sock.settimeout(10)
        return not self.buffer and not self._fill()


def _connect(server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=30)


def test_pipelined_calls_are_answered_in_order_and_a_write_is_seen_by_the_next(server, unique):
    name = f"pipelined-{unique}"
    with _connect(server) as sock:
        sock.sendall(_query(server, "iam", Action="CreateUser", Version="2010-05-08", UserName=name)
                     + _query(server, "iam", Action="GetUser", Version="2010-05-08", UserName=name)
                     + _query(server, "sts", Action="GetCallerIdentity", Version="2011-06-15"))
        answers = _Answers(sock)
        created, got, identity = answers.next(), answers.next(), answers.next()
    assert created[0] == 200 and b"<CreateUserResponse" in created[2]
    assert got[0] == 200 and f"<UserName>{name}</UserName>".encode() in got[2]
    assert identity[0] == 200 and b"<Account>000000000000</Account>" in identity[2]


def test_head_is_answered_without_a_body_and_the_connection_goes_on(server, unique):
    s3 = server.client("s3")
    bucket = f"direct-{unique}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"hello")
    with _connect(server) as sock:
        sock.sendall(_signed(server, "s3", "HEAD", f"/{bucket}/k") + _signed(server, "s3", "GET", f"/{bucket}/k"))
        answers = _Answers(sock)
        status, headers, body = answers.next(head=True)
        assert (status, headers["content-length"], body) == (200, "5", b"")
        assert answers.next()[::2] == (200, b"hello")


def test_http_1_0_and_connection_close_are_answered_then_closed(server):
    for request in (_signed(server, "sts", body=b"Action=GetCallerIdentity&Version=2011-06-15", version="HTTP/1.0"),
                    _signed(server, "sts", body=b"Action=GetCallerIdentity&Version=2011-06-15",
                            extra={"Connection": "close"})):
        with _connect(server) as sock:
            sock.sendall(request)
            answers = _Answers(sock)
            status, headers, _ = answers.next()
            assert status == 200 and headers["connection"] == "close"
            assert answers.closed()


def test_expect_100_continue_gets_its_interim_answer_before_the_body_is_sent(server):
    request = _signed(server, "sts", body=b"Action=GetCallerIdentity&Version=2011-06-15",
                      extra={"Expect": "100-continue"})
    head, body = request.split(b"\r\n\r\n", 1)
    with _connect(server) as sock:
        sock.sendall(head + b"\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 100 Continue\r\n")
        sock.sendall(body)
        assert _Answers(sock).next()[0] == 200
