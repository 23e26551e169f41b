"""Security on the wire (issue #10): the source address and TLS are the connection's own unless a proxy the
operator trusts says otherwise; a public bind refuses the published key; internal endpoints take a bearer token;
large bodies are not buffered before the headers authenticate; the test clock only moves by sane amounts."""

from __future__ import annotations

import datetime as _dt
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner
from harness import error_of, free_port, iam_user_key, policy_document, start_server

from rootplane.cli import main
from rootplane.core.config import ServerConfig

OUTSIDE_ONLY = "203.0.113.0/24"


def _sending(client, **headers: str):
    """The client, adding ``headers`` after signing (as an attacker on the path would: they are not signed)."""
    def add(request, **_):
        for name, value in headers.items():
            request.headers[name] = value
    client.meta.events.register("before-send", add)
    return client


def _ip_bound_user(server, name: str) -> dict:
    """A user allowed iam:ListUsers only from 203.0.113.0/24, and only over TLS for iam:ListRoles."""
    key = iam_user_key(server, name)
    server.client("iam").put_user_policy(UserName=name, PolicyName="net", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": ["iam:ListUsers", "iam:ListRoles"], "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": OUTSIDE_ONLY}}},
        {"Effect": "Deny", "Action": "iam:ListRoles", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ))
    return key


def _source_ips(server, access_key_id: str, event_name: str) -> set[str]:
    events = server.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "AccessKeyId", "AttributeValue": access_key_id}])["Events"]
    return {json.loads(e["CloudTrailEvent"])["sourceIPAddress"] for e in events if e["EventName"] == event_name}


# -- finding 1: spoofable source address and TLS ------------------------------------------------------------------

def test_forwarded_headers_from_an_untrusted_peer_change_neither_source_ip_nor_tls(server, unique):
    key = _ip_bound_user(server, f"net-{unique}")
    spoofing = _sending(server.client_for(key, "iam"), **{"X-Forwarded-For": "203.0.113.9",
                                                          "X-Forwarded-Proto": "https"})
    code, message, status = error_of(spoofing.list_users)
    assert (code, status) == ("AccessDenied", 403)
    assert "with an explicit deny in an identity-based policy" in message
    assert error_of(spoofing.list_roles)[0] == "AccessDenied"  # aws:SecureTransport stays false over plain HTTP
    assert _source_ips(server, key["AccessKeyId"], "ListUsers") == {"127.0.0.1"}


def test_a_trusted_proxy_supplies_source_ip_and_tls(monkeypatch, unique):
    monkeypatch.setenv("ROOTPLANE_TRUSTED_PROXY", "127.0.0.0/8 ::1")
    running = start_server()
    try:
        key = _ip_bound_user(running, f"proxied-{unique}")
        proxied = _sending(running.client_for(key, "iam"), **{"X-Forwarded-For": "203.0.113.9",
                                                              "X-Forwarded-Proto": "https"})
        assert proxied.list_users()["Users"]
        assert "Roles" in proxied.list_roles()
        assert _source_ips(running, key["AccessKeyId"], "ListUsers") == {"203.0.113.9"}
        assert "trusting X-Forwarded-For/-Proto from 127.0.0.0/8, ::1/128" in running.log()
    finally:
        running.close()


def test_the_proxy_headers_middleware_runs_only_when_a_proxy_is_trusted():
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from rootplane.server import _graceful_server

    async def app(scope, receive, send):  # pragma: no cover - never called
        pass

    plain = _graceful_server(app, ServerConfig()).config
    plain.load()
    assert plain.loaded_app is app
    proxied = _graceful_server(app, ServerConfig(trusted_proxies=("10.0.0.0/8",))).config
    proxied.load()
    assert isinstance(proxied.loaded_app, ProxyHeadersMiddleware)
    trusted = proxied.loaded_app.trusted_hosts
    assert "10.1.2.3" in trusted and "127.0.0.1" not in trusted


def test_trusted_proxy_must_be_an_address_or_cidr():
    result = CliRunner().invoke(main, ["serve", "--trusted-proxy", "proxy.example"])
    assert result.exit_code == 2
    assert "Invalid value for '--trusted-proxy'" in result.output


# -- finding 7: exposed by default on a network ------------------------------------------------------------------

@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "example.com"])
def test_a_public_bind_with_the_published_key_is_refused(tmp_path, host):
    result = subprocess.run(
        [sys.executable, "-m", "rootplane.cli", "serve", "--host", host, "--port", str(free_port()),
         "--data-dir", str(tmp_path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert f"refusing to listen on {host}" in result.stderr
    assert "--allow-public-default-key" in result.stderr
    assert not list(tmp_path.iterdir())  # refused before anything was created


@pytest.mark.parametrize("host,exposed", [("127.0.0.1", False), ("127.8.0.1", False), ("localhost", False),
                                          ("::1", False), ("0.0.0.0", True), ("10.1.2.3", True)])
def test_only_loopback_binds_may_keep_the_published_key(host, exposed):
    assert ServerConfig(host=host).exposes_default_key is exposed
    assert not ServerConfig(host=host, allow_public_default_key=True).exposes_default_key
    assert not ServerConfig(host=host, bootstrap_secret_key="s3cr3t-configured").exposes_default_key


def _wait_for_health(port: int, process: subprocess.Popen) -> None:
    for _ in range(600):
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_rootplane/health", timeout=2).read()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("server did not start")


def test_a_consented_public_bind_prints_the_real_address_and_a_warning(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "rootplane.cli", "serve", "--host", "0.0.0.0", "--port", str(port),
         "--data-dir", str(tmp_path), "--allow-public-default-key"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for_health(port, process)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert f"rootplane listening on http://0.0.0.0:{port} (clients: http://localhost:{port})" in output
    assert "WARNING: 0.0.0.0 is reachable from other machines and the root key is the public default" in output


def _internal(server, path: str, token: str | None = None, method: str = "GET", body: bytes | None = None):
    request = urllib.request.Request(server.endpoint + path, data=body, method=method)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_internal_endpoints_require_the_bearer_token_when_one_is_set(monkeypatch):
    monkeypatch.setenv("ROOTPLANE_INTERNAL_TOKEN", "int-token-1")
    running = start_server(args=("--time-travel",))
    try:
        for path, method, body in (("/_rootplane/outbox", "GET", None), ("/_rootplane/clock", "GET", None),
                                   ("/_rootplane/clock", "POST", b'{"advance": 60}'),
                                   ("/_rootplane/nothing", "GET", None)):
            for token in (None, "wrong", "int-token-"):
                status, headers, answer = _internal(running, path, token, method, body)
                assert status == 401, (path, token)
                assert headers["Content-Type"] == "application/json"
                assert headers["WWW-Authenticate"] == 'Bearer realm="rootplane"'
                assert json.loads(answer)["error"].startswith("unauthorized")
        assert _internal(running, "/_rootplane/outbox", "int-token-1")[0] == 200
        assert _internal(running, "/_rootplane/clock", "int-token-1", "POST", b'{"advance": 60}')[0] == 200
        assert _internal(running, "/_rootplane/health")[0] == 200
        status, _, pem = _internal(running, "/_rootplane/sns/SimpleNotificationService.pem")
        assert status == 200 and pem.startswith(b"-----BEGIN CERTIFICATE-----")
    finally:
        running.close()


# -- finding 14: large bodies before authentication ------------------------------------------------------------

def _send_head(port: int, method: str, path: str, headers: dict[str, str]) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", *(f"{k}: {v}" for k, v in headers.items())]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return sock


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(head.split(b" ")[1]), body


AMZ_HEADERS = {"x-amz-date": "20260101T000000Z", "x-amz-content-sha256": "UNSIGNED-PAYLOAD"}


def test_a_large_body_signed_with_an_unknown_key_is_refused_before_it_is_read(server):
    authorization = ("AWS4-HMAC-SHA256 Credential=AKIANOSUCHKEY0000000/20260101/us-east-1/s3/aws4_request, "
                     "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" + "0" * 64)
    with _send_head(server.port, "PUT", "/some-bucket/big", {**AMZ_HEADERS, "Authorization": authorization,
                                                              "Content-Length": str(60_000_000)}) as sock:
        status, body = _read_response(sock)  # not one byte of the body was sent
    assert status == 403
    assert b"<Code>InvalidAccessKeyId</Code>" in body and b"AKIANOSUCHKEY0000000" in body


def test_a_large_unsigned_body_for_a_signed_only_service_is_refused_before_it_is_read(server):
    with _send_head(server.port, "POST", "/", {"Content-Type": "application/x-amz-json-1.1",
                                               "X-Amz-Target": "AWSOrganizationsV20161128.ListAccounts",
                                               "Content-Length": str(30_000_000)}) as sock:
        status, body = _read_response(sock)
    assert status == 403 and json.loads(body)["__type"] == "MissingAuthenticationTokenException"


def test_a_body_declared_over_the_limit_is_refused_unread(server):
    with _send_head(server.port, "PUT", "/some-bucket/huge", {"Content-Length": str(65 * 1024 * 1024)}) as sock:
        status, body = _read_response(sock)
    assert (status, body) == (413, b"Request body too large")


@pytest.mark.parametrize("declared", [str(65 * 1024 * 1024), "9223372036854775808"])
def test_a_refusal_before_the_body_closes_the_connection(server, declared):
    """The fuzzer's finding: after an answer that left the declared body unread, the next request on the same
    connection was read as that body and never answered. AWS closes such a connection; so do we."""
    with _send_head(server.port, "PUT", "/some-bucket/huge", {"Content-Length": declared}) as sock:
        sock.settimeout(10)
        data = b""
        while chunk := sock.recv(65536):  # the server answers, then closes (recv returns b"")
            data += chunk
    head = data.partition(b"\r\n\r\n")[0].lower()
    assert head.startswith(b"http/1.1 413") and b"connection: close" in head


def test_large_anonymous_bodies_are_buffered_one_at_a_time(server, unique):
    size = 2 * 1024 * 1024
    first = _send_head(server.port, "PUT", f"/anon-{unique}/a", {"Content-Length": str(size)})
    first.sendall(b"x" * (size // 2))
    time.sleep(1.0)  # the first request now holds the anonymous large-body slot while it trickles in
    second = _send_head(server.port, "PUT", f"/anon-{unique}/b", {"Content-Length": str(size)})
    second.sendall(b"y" * size)
    second.settimeout(1.0)
    with pytest.raises(TimeoutError):
        second.recv(1)  # waits: its body is not buffered while the first one's is
    first.sendall(b"x" * (size // 2))
    assert _read_response(first)[0] == 404  # NoSuchBucket: anonymous callers are served, not refused
    second.settimeout(10)
    status, body = _read_response(second)
    assert status == 404 and b"<Code>NoSuchBucket</Code>" in body
    first.close()
    second.close()


def test_large_signed_uploads_still_work_concurrently(server, unique):
    from concurrent.futures import ThreadPoolExecutor

    s3 = server.client("s3")
    s3.create_bucket(Bucket=f"big-{unique}")
    payloads = {f"k{i}": bytes([i]) * (3 * 1024 * 1024 + i) for i in range(6)}
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda item: s3.put_object(Bucket=f"big-{unique}", Key=item[0], Body=item[1]), payloads.items()))
    for name, payload in payloads.items():
        assert s3.get_object(Bucket=f"big-{unique}", Key=name)["Body"].read() == payload


# -- finding 16: the test clock ------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [b'{"advance": 1e300}', b'{"advance": 1e400}', b'{"advance": NaN}',
                                  b'{"advance": -5}', b'{"advance": "60"}', b'{"advance": true}', b'[60]',
                                  b'{"advance": 315360001}', b'not json', b'{"advance": 1' + b'0' * 400 + b'}'])
def test_the_clock_refuses_absurd_advances_and_keeps_serving(server, body):
    before = server.get_json("/_rootplane/clock")["now"]
    status, headers, answer = _internal(server, "/_rootplane/clock", method="POST", body=body)
    assert status == 400 and headers["Content-Type"] == "application/json"
    assert "advance" in json.loads(answer)["error"]
    assert server.get_json("/_rootplane/clock")["now"] >= before
    assert server.client("sts").get_caller_identity()["Account"] == "000000000000"


def test_the_clock_moves_at_most_ten_years_in_total(server):
    status, _, answer = _internal(server, "/_rootplane/clock", method="POST", body=b'{"advance": 3600}')
    assert status == 200 and json.loads(answer)["now"]
    status, _, answer = _internal(server, "/_rootplane/clock", method="POST", body=b'{"advance": 315360000}')
    assert status == 400 and "10 years" in json.loads(answer)["error"]
    assert server.client("sts").get_caller_identity()["Account"] == "000000000000"


def test_the_clock_freezes_and_runs_again(server):
    status, _, answer = _internal(server, "/_rootplane/clock", method="POST", body=b'{"freeze": true}')
    frozen = json.loads(answer)["now"]
    assert status == 200 and server.get_json("/_rootplane/clock")["now"] == frozen
    _internal(server, "/_rootplane/clock", method="POST", body=b'{"advance": 10}')
    later = _dt.datetime.fromisoformat(server.get_json("/_rootplane/clock")["now"])
    assert later - _dt.datetime.fromisoformat(frozen) == _dt.timedelta(seconds=10)
    status, _, answer = _internal(server, "/_rootplane/clock", method="POST", body=b'{"freeze": "yes"}')
    assert status == 400 and "freeze" in json.loads(answer)["error"]
    _internal(server, "/_rootplane/clock", method="POST", body=b'{"freeze": false}')
    assert _dt.datetime.fromisoformat(server.get_json("/_rootplane/clock")["now"]) >= later
    assert server.client("sts").get_caller_identity()["Account"] == "000000000000"
