"""The gathering transport: what one event-loop step writes goes to the socket in one write, and before a close;
on a plain TCP connection with nothing queued, straight to the socket."""

from __future__ import annotations

import asyncio
import socket as sockets

from rootplane.gateway.http_protocol import _GatheringTransport


class _Socket(asyncio.Transport):
    """Records the writes and the close the gathering transport passes on; ``extra``: more of its extra info (its
    ``socket``, an ``sslcontext``), ``queued``: what it reports as its write buffer's size."""

    def __init__(self, extra: dict | None = None, queued: int = 0) -> None:
        super().__init__()
        self.events: list = []
        self.closing = False
        self.extra = {"peername": ("127.0.0.1", 5), **(extra or {})}
        self.queued = queued

    def write(self, data) -> None:
        self.events.append(bytes(data))

    def close(self) -> None:
        self.closing = True
        self.events.append("close")

    def get_write_buffer_size(self) -> int:
        return self.queued

    def is_closing(self) -> bool:
        return self.closing

    def get_extra_info(self, name, default=None):
        return self.extra.get(name, default)


def test_headers_and_body_written_in_one_step_leave_in_one_write():
    async def scenario():
        socket = _Socket()
        transport = _GatheringTransport(socket, asyncio.get_running_loop())
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.write(b"body")
        assert socket.events == [] and transport.get_write_buffer_size() == 23
        await asyncio.sleep(0)
        transport.write(b"next")
        await asyncio.sleep(0)
        return socket.events, transport.get_extra_info("peername")

    events, peer = asyncio.run(scenario())
    assert events == [b"HTTP/1.1 200 OK\r\n\r\nbody", b"next"]
    assert peer == ("127.0.0.1", 5)  # everything else is the real transport's


def test_a_close_writes_what_is_gathered_first_and_nothing_after():
    async def scenario():
        socket = _Socket()
        transport = _GatheringTransport(socket, asyncio.get_running_loop())
        transport.write(b"HTTP/1.1 413 \r\nconnection: close\r\n\r\n")
        transport.close()
        await asyncio.sleep(0)  # the flush scheduled by the write finds nothing left
        return socket.events

    assert asyncio.run(scenario()) == [b"HTTP/1.1 413 \r\nconnection: close\r\n\r\n", "close"]


class _StandInGateway:
    """In place of the gateway app: answers every request with ``outcome(body)`` (an answer, an awaitable of one, or
    an exception to raise); as an ASGI app too, for requests that arrive while a direct answer is pending."""

    console = None

    def __init__(self, outcome) -> None:
        self.outcome = outcome

    def answers_at_once(self, path, headers, query_string) -> bool:
        return True

    def answer(self, method, path, query_string, headers, body, client, scheme):
        result = self.outcome(body)
        if isinstance(result, Exception):
            raise result
        return result

    async def __call__(self, scope, receive, send) -> None:
        status, headers, body = self.outcome((await receive())["body"])
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _serve_bytes(outcome, *data: bytes, between=lambda protocol: None, keep_alive: float = 5.0,
                 settle: float = 0.0, tail: float = 0.0) -> list:
    """Feed each of ``data`` to a direct-answering protocol over a stand-in gateway (``between(protocol)`` after
    each, ``settle`` seconds later); what reached the socket, ``tail`` seconds after the last, and the socket's
    reading paused and resumed."""
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    from rootplane.gateway.http_protocol import RootplaneHttpProtocol
    from rootplane.gateway.warmup import WarmingApp

    async def scenario():
        warming = WarmingApp(lambda: _StandInGateway(outcome), {"status": "starting"})
        warming.start()
        warming.wait()
        config = Config(warming, log_level="warning", lifespan="off", proxy_headers=False,
                        timeout_keep_alive=keep_alive)
        config.load()
        protocol = RootplaneHttpProtocol(config=config, server_state=ServerState(), app_state={},
                                         _loop=asyncio.get_running_loop(), warming=warming)
        socket = _Socket()
        socket.pause_reading = lambda: socket.events.append("pause reading")
        socket.resume_reading = lambda: socket.events.append("resume reading")
        protocol.connection_made(socket)
        for chunk in data:
            protocol.data_received(chunk)
            for _ in range(5):
                await asyncio.sleep(0)
            await asyncio.sleep(settle)
            between(protocol)
        await asyncio.sleep(tail)
        return socket.events

    return asyncio.run(scenario())


def _post(body: bytes) -> bytes:
    return b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


def _ok(body: bytes):
    return 200, [(b"content-length", b"%d" % len(body))], body


def test_a_direct_answer_that_waits_is_written_before_the_next_pipelined_one():
    async def later(body):
        await asyncio.sleep(0)
        return _ok(body)

    events = _serve_bytes(lambda body: later(body) if body == b"first" else _ok(body), _post(b"first") + _post(b"next"))
    answers = b"".join(event for event in events if isinstance(event, bytes))
    assert "pause reading" in events  # while the first answer waited
    assert answers.index(b"first") < answers.index(b"next")
    assert answers.count(b"HTTP/1.1 200 OK") == 2


class _WhenReady:
    """Stands in for a write's answer (``WrittenAnswer``): handed to ``send`` on a later loop step, with no task."""

    def __init__(self, answer) -> None:
        self.answer = answer

    def when_ready(self, send) -> None:
        asyncio.get_running_loop().call_later(0.01, send, self.answer)


def test_a_written_answer_is_sent_from_its_callback_before_the_next_pipelined_one():
    events = _serve_bytes(lambda body: _WhenReady(_ok(body)) if body == b"first" else _ok(body),
                          _post(b"first") + _post(b"next"), tail=0.05)
    answers = b"".join(event for event in events if isinstance(event, bytes))
    assert "pause reading" in events  # while the first answer waited for its commit to be on disk
    assert answers.index(b"first") < answers.index(b"next")
    assert answers.count(b"HTTP/1.1 200 OK") == 2


def test_a_written_answer_that_could_not_be_made_is_a_plain_500_and_the_connection_closes():
    events = _serve_bytes(lambda body: _WhenReady(None), _post(b"x"), tail=0.05)
    written = [event for event in events if isinstance(event, bytes)]
    assert written[0].startswith(b"HTTP/1.1 500 Internal Server Error\r\n") and events[-1] == "close"


def test_a_failing_answer_is_a_plain_500_and_the_connection_closes():
    events = _serve_bytes(lambda body: RuntimeError("boom"), _post(b"x"))
    assert events[0].startswith(b"HTTP/1.1 500 Internal Server Error\r\n") and events[-1] == "close"


def test_a_header_value_that_would_split_the_answer_is_never_sent():
    events = _serve_bytes(lambda body: (200, [(b"x-injected", b"a\r\nset-cookie: b")], b""), _post(b"x"))
    assert events == ["close"]


def test_a_header_name_that_could_split_the_answer_is_never_sent():
    events = _serve_bytes(lambda body: (200, [(b"content-length", b"0"), (b"x-bad\r\nname", b"v")], b""), _post(b"x"))
    assert events == ["close"]


def test_a_client_that_does_not_read_its_answers_is_not_read_from_until_it_does():
    def full_then_drained(protocol):
        if not protocol.flow.write_paused:
            protocol.pause_writing()  # as the transport does when its buffer is full
        else:
            protocol.resume_writing()

    events = _serve_bytes(_ok, _post(b"a"), _post(b"b"), b"", between=full_then_drained)
    reading = [event for event in events if event in ("pause reading", "resume reading")]
    assert reading == ["pause reading", "resume reading"]
    assert events.index("pause reading") > max(i for i, event in enumerate(events) if isinstance(event, bytes)
                                               and b"\r\n\r\nb" in event)


def test_the_keep_alive_timer_of_an_answer_does_not_cut_off_the_next_pipelined_request():
    """The first answer, written from the parser's callback, arms the keep-alive timer while the same read holds a
    second request whose answer takes longer than the keep-alive: it is still answered."""
    async def slow(body):
        await asyncio.sleep(0.3)
        return _ok(body)

    events = _serve_bytes(lambda body: slow(body) if body == b"slow" else _ok(body), _post(b"fast") + _post(b"slow"),
                          keep_alive=0.05, settle=0.5)
    answers = b"".join(event for event in events if isinstance(event, bytes))
    assert answers.count(b"HTTP/1.1 200 OK") == 2 and answers.endswith(b"slow")


def test_a_connection_in_use_outlives_the_keep_alive_and_is_closed_once_idle_that_long():
    """The keep-alive timeout counts from the last answer, not the first."""
    closed = []
    events = _serve_bytes(_ok, _post(b"a"), _post(b"b"), _post(b"c"), keep_alive=0.2, settle=0.13,
                          between=lambda protocol: closed.append(protocol.transport.is_closing()), tail=0.3)
    answers = b"".join(event for event in events if isinstance(event, bytes))
    assert closed == [False, False, False]  # 0.39 s after the first answer, never idle for 0.2 s
    assert answers.count(b"HTTP/1.1 200 OK") == 3 and events[-1] == "close"  # idle 0.43 s at the end


def test_an_answer_whose_content_length_is_not_its_body_is_never_sent():
    events = _serve_bytes(lambda body: (200, [(b"content-length", b"10")], b"short"), _post(b"x"))
    assert events == ["close"]


def _connected_pair(blocking: bool = False) -> tuple[sockets.socket, sockets.socket]:
    server_side, client_side = sockets.socketpair()
    server_side.setblocking(blocking)
    return server_side, client_side


def _received(client_side: sockets.socket, size: int) -> bytes:
    client_side.settimeout(5)
    data = b""
    while len(data) < size:
        data += client_side.recv(size - len(data))
    return data


def test_a_whole_answer_on_a_plain_connection_goes_to_the_socket_itself():
    server_side, client_side = _connected_pair()
    with server_side, client_side:
        real = _Socket({"socket": server_side})
        transport = _GatheringTransport(real, asyncio.new_event_loop())
        transport.write_now(b"HTTP/1.1 200 OK\r\n\r\nbody")
        assert _received(client_side, 23) == b"HTTP/1.1 200 OK\r\n\r\nbody"
        assert real.events == []  # the transport wrote nothing


def test_what_the_socket_does_not_take_follows_through_the_transport_in_order():
    server_side, client_side = _connected_pair()
    with server_side, client_side:
        server_side.setsockopt(sockets.SOL_SOCKET, sockets.SO_SNDBUF, 4096)
        real = _Socket({"socket": server_side})
        transport = _GatheringTransport(real, asyncio.new_event_loop())
        answer = bytes(range(256)) * 40_000  # far more than the socket's buffers hold
        transport.write_now(answer)
        assert len(real.events) == 1 and 0 < len(real.events[0]) < len(answer)
        taken = len(answer) - len(real.events[0])
        assert _received(client_side, taken) + real.events[0] == answer


def test_tls_queued_data_and_blocking_sockets_write_through_the_transport():
    server_side, client_side = _connected_pair()
    blocking_side, blocking_peer = _connected_pair(blocking=True)
    with server_side, client_side, blocking_side, blocking_peer:
        for real in (_Socket({"socket": server_side, "sslcontext": object()}),  # the socket carries TLS records
                     _Socket({"socket": server_side}, queued=10),  # an earlier answer is still queued: keep order
                     _Socket({"socket": blocking_side})):  # a blocking socket could hold up the event loop
            _GatheringTransport(real, asyncio.new_event_loop()).write_now(b"answer")
            assert real.events == [b"answer"]
        client_side.setblocking(False)
        try:
            leaked = client_side.recv(100)
        except BlockingIOError:
            leaked = b""
        assert leaked == b""


def test_a_failing_socket_leaves_the_answer_to_the_transport():
    server_side, client_side = _connected_pair()
    with server_side:
        client_side.close()
        server_side.shutdown(sockets.SHUT_WR)  # writing now fails (EPIPE): the transport reports and closes
        real = _Socket({"socket": server_side})
        _GatheringTransport(real, asyncio.new_event_loop()).write_now(b"answer")
        assert real.events == [b"answer"]
