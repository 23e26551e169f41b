"""rootplane's HTTP/1.1 protocol: uvicorn's httptools protocol, made cheaper for small API calls in two ways.

- **One socket write per response.** uvicorn writes a response's status line and headers, then its body, each
  straight to the socket: two system calls (and two TCP segments) per small response. Here the connection's
  transport gathers what is written during one event-loop step and writes it once, at the start of the next step
  (before a close, at once). Flow control, close and the transport's details stay the real transport's. On a plain
  TCP connection whose transport has nothing queued, that write goes to the socket itself (``os.write``; what the
  socket does not take goes through the transport, after it): uvloop's own write held the GIL through the system
  call and cost 6-7 µs more of CPU per GetCallerIdentity (issue #19). A TLS connection always writes through its
  transport.
- **Direct answers.** Once the gateway is built, a request whose whole body is declared and small (Content-Length up
  to ``LARGE_BODY`` or no body; no chunked encoding, no ``Expect: 100-continue``, no upgrade), that is not for the
  console and whose path needs no decoding, is buffered by the parser and answered by the gateway's pipeline from
  the parser's own callback: no ASGI scope, no task, no receive/send messages (those were a third of a
  GetCallerIdentity's server CPU). An answer that must wait finishes later, and the connection reads nothing more
  until it is written, so answers keep their order: an operation run on a thread in a task, a write whose commit is
  not yet on disk from the group commit's callback (``WrittenAnswer.when_ready``). Everything else (console pages,
  large or chunked bodies, requests while the gateway is still being built, a server whose app uvicorn wraps, e.g.
  behind trusted proxies) goes through uvicorn's ASGI cycle unchanged.
  The ASGI scope is made only for those (at the end of the headers, not at the start of every message).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from collections.abc import Awaitable
from typing import TYPE_CHECKING

import httptools
from uvicorn.protocols.http.httptools_impl import HEADER_RE, HEADER_VALUE_RE, STATUS_LINE, HttpToolsProtocol

from rootplane.gateway.warmup import WarmingApp

if TYPE_CHECKING:
    from rootplane.gateway.asgi import Answer, GatewayApp

__all__ = ["RootplaneHttpProtocol"]

log = logging.getLogger("rootplane")

_INTERNAL_ERROR = (b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain; charset=utf-8\r\n"
                   b"content-length: 21\r\nconnection: close\r\n\r\nInternal Server Error")
# A request that stalls while it is being read (no byte for ``request_idle_seconds``) is answered as S3 answers one,
# before any operation is known, and its connection closed.
_REQUEST_TIMEOUT_BODY = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>RequestTimeout</Code><Message>Your '
                         b"socket connection to the server was not read from or written to within the timeout period. "
                         b"Idle connections will be closed.</Message></Error>")
_REQUEST_TIMEOUT = (b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/xml\r\ncontent-length: "
                    + str(len(_REQUEST_TIMEOUT_BODY)).encode() + b"\r\nconnection: close\r\n\r\n"
                    + _REQUEST_TIMEOUT_BODY)


class _GatheringTransport:
    """A transport whose ``write`` gathers data and writes it to the real transport once per loop step."""

    __slots__ = ("_transport", "_loop", "_pending", "_descriptor")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._descriptor = _plain_socket(transport)

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(data)

    def write_now(self, data: bytes) -> None:
        """Write ``data`` at once (after anything gathered): a whole response built in one piece."""
        if self._pending:
            self._pending.append(data)
            self._flush()
        elif not self._transport.is_closing():
            self._send(data)

    def _send(self, data: bytes) -> None:
        """Write ``data`` to the socket itself when the transport has nothing queued before it; what the socket does
        not take (or a failing socket's data: the transport meets the error again and closes) to the transport."""
        transport = self._transport
        if self._descriptor < 0 or transport.get_write_buffer_size():
            transport.write(data)
            return
        try:
            written = os.write(self._descriptor, data)
        except OSError:  # full (EAGAIN), interrupted, or failing: the transport writes or reports it
            written = 0
        if written < len(data):
            transport.write(memoryview(data)[written:])

    def writelines(self, chunks) -> None:
        for chunk in chunks:
            self.write(chunk)

    def _flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            if not self._transport.is_closing():
                self._send(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def write_eof(self) -> None:
        self._flush()
        self._transport.write_eof()

    def abort(self) -> None:
        self._pending.clear()
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(map(len, self._pending))

    def __getattr__(self, name: str):
        return getattr(self._transport, name)


def _plain_socket(transport: asyncio.Transport) -> int:
    """The file descriptor of a plain TCP transport's non-blocking socket, or -1: a TLS transport (its socket carries
    the encrypted stream), a transport without a socket, or a blocking one."""
    if transport.get_extra_info("sslcontext") is not None or transport.get_extra_info("ssl_object") is not None:
        return -1
    sock = transport.get_extra_info("socket")
    try:
        descriptor = sock.fileno() if sock is not None else -1
        return descriptor if descriptor >= 0 and not os.get_blocking(descriptor) else -1
    except (OSError, ValueError, AttributeError):
        return -1


def _invalid_header(headers: list[tuple[bytes, bytes]], body: bytes, method: str) -> bytes | None:
    """The name of a header that must not be sent (uvicorn's checks: a character that could split the response, or a
    Content-Length that is not the body's), or None. The names and the values are each searched at once, joined (a
    character found in the joined text is in one of them), and only an answer with a match is searched header by
    header."""
    if HEADER_RE.search(b"".join([name for name, _ in headers])) or \
            HEADER_VALUE_RE.search(b"".join([value for _, value in headers])):
        for name, value in headers:
            if HEADER_RE.search(name) or HEADER_VALUE_RE.search(value):
                return name
    for name, value in headers:
        if name == b"content-length" and method != "HEAD" and int(value) != len(body):
            return name
    return None


class _NoWaiter:
    """Stands in for a cycle's message event: uvicorn sets it when the connection is lost; nothing waits on it."""

    __slots__ = ()

    def set(self) -> None:
        pass


_NO_WAITER = _NoWaiter()


class _DirectExchange:
    """One request answered directly: what the parser read of it, and the state uvicorn's protocol reads off the
    request it is serving (``response_complete``, ``keep_alive``, ``disconnected``, ``message_event``)."""

    __slots__ = ("method", "path", "query", "headers", "body", "keep_alive", "response_complete", "disconnected",
                 "message_event")

    def __init__(self, method: str, path: str, query: bytes, headers: list[tuple[bytes, bytes]],
                 keep_alive: bool) -> None:
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body: list[bytes] = []
        self.keep_alive = keep_alive
        self.response_complete = False
        self.disconnected = False
        self.message_event = _NO_WAITER


class RootplaneHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol writing each response with one system call, answering small API calls directly.

    ``warming``: the app being served; requests are answered directly only when uvicorn serves it unwrapped.
    """

    def __init__(self, *args, warming: WarmingApp | None = None, request_idle_seconds: float = 20.0,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._warming = warming if warming is not None and self.app is warming else None
        self._reading_paused_for_writes = False
        self._request_idle_seconds = request_idle_seconds
        self._reading_request = False  # between a message's first byte and its end
        self._request_timer: asyncio.TimerHandle | None = None
        self._last_request_byte_at = 0.0  # loop time of the last byte of the request being read

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_GatheringTransport(transport, self.loop))  # type: ignore[arg-type]

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_request_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._reading_request:  # a request not read whole yet: its next byte is due within the idle time
            self._last_request_byte_at = self.loop.time()
            if self._request_timer is None:  # one timer per request, not one per chunk of a large body
                self._request_timer = self.loop.call_later(self._request_idle_seconds, self._request_stalled)
        elif self._request_timer is not None:
            self._stop_request_timer()

    def _stop_request_timer(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None

    def _request_stalled(self) -> None:
        """No byte of the request being read for ``request_idle_seconds``: answered 400 RequestTimeout (unless its
        answer has begun) and the connection closed, so a stalled client holds nothing."""
        self._request_timer = None
        if not self._reading_request or self.transport.is_closing():
            return
        if self.flow.read_paused:  # this server stopped reading (its app has not taken the body yet): not stalled
            self._last_request_byte_at = self.loop.time()  # the client's idle time counts from when it may send
            self._request_timer = self.loop.call_later(self._request_idle_seconds, self._request_stalled)
            return
        due = self._last_request_byte_at + self._request_idle_seconds
        if due > self.loop.time():  # bytes came since the timer was set: due that long after the last one
            self._request_timer = self.loop.call_at(due, self._request_stalled)
            return
        if not getattr(self.cycle, "response_started", False):
            self.transport.write_now(_REQUEST_TIMEOUT)  # type: ignore[attr-defined]
        self.transport.close()

    # -- parser callbacks --------------------------------------------------------------------------------------
    def on_message_begin(self) -> None:
        """As uvicorn's, without the ASGI scope: a request answered directly never needs one (``_asgi_scope``)."""
        self._reading_request = True
        self.url = b""
        self.expect_100_continue = False
        self.headers = []

    def on_headers_complete(self) -> None:
        # An answer written from a parser callback armed the keep-alive timer (``on_response_complete``) while the
        # read that held it may carry a next request: a request being served must not be cut off by it.
        self._unset_keepalive_if_required()
        exchange = self._direct_exchange()
        if exchange is None:
            self._asgi_scope()
            super().on_headers_complete()
        else:
            self.cycle = exchange  # type: ignore[assignment]

    def _asgi_scope(self) -> None:
        """uvicorn's scope of the message whose headers were just read (its ``on_message_begin`` makes it, and resets
        what the parser has read so far, which is kept)."""
        url, headers, expect_100_continue = self.url, self.headers, self.expect_100_continue
        super().on_message_begin()
        self.url, self.headers, self.expect_100_continue = url, headers, expect_100_continue
        self.scope["headers"] = headers

    def on_body(self, body: bytes) -> None:
        if type(self.cycle) is _DirectExchange:
            self.cycle.body.append(body)
        else:
            super().on_body(body)

    def on_message_complete(self) -> None:
        self._reading_request = False
        exchange = self.cycle
        if type(exchange) is _DirectExchange:
            self._answer(exchange)
        else:
            super().on_message_complete()

    def shutdown(self) -> None:
        if type(self.cycle) is _DirectExchange and not self.cycle.response_complete:
            self.cycle.keep_alive = False  # closes once its answer is written
        else:
            super().shutdown()

    # -- direct answers ----------------------------------------------------------------------------------------
    def _ready_app(self) -> GatewayApp | None:
        return self._warming.ready if self._warming is not None else None

    def _direct_exchange(self) -> _DirectExchange | None:
        """The request just parsed, when it can be answered directly (module docstring); else None."""
        app = self._ready_app()
        if (app is None or self.expect_100_continue or self.pipeline or self.limit_concurrency is not None
                or (self.cycle is not None and not self.cycle.response_complete) or self.parser.should_upgrade()):
            return None
        url = httptools.parse_url(self.url)
        raw_path = url.path
        if not raw_path.isascii() or b"%" in raw_path:
            return None
        path = raw_path.decode("ascii")
        query = url.query or b""
        if not app.answers_at_once(path, self.headers, query):
            return None
        keep_alive = self.parser.get_http_version() != "1.0" and self.parser.should_keep_alive()
        return _DirectExchange(self.parser.get_method().decode("ascii"), path, query, self.headers, keep_alive)

    def _answer(self, exchange: _DirectExchange) -> None:
        app = self._ready_app()
        try:
            answer = app.answer(exchange.method, exchange.path, exchange.query, exchange.headers,  # type: ignore
                                b"".join(exchange.body), self.client, self.scheme or "http")
        except Exception:  # noqa: BLE001 - as uvicorn does for an app that fails: logged, a plain 500
            log.exception("unexpected failure answering %s %s", exchange.method, exchange.path)
            self._fail(exchange)
            return
        if type(answer) is tuple:
            self._write_or_fail(exchange, answer)
            return
        self.flow.pause_reading()  # nothing more is read until this answer is written
        when_ready = getattr(answer, "when_ready", None)  # a WrittenAnswer (gateway/asgi.py): no task needed
        if when_ready is not None:
            when_ready(functools.partial(self._write_written, exchange))
            return
        task = self.loop.create_task(self._write_when_ready(exchange, answer))
        task.add_done_callback(self.tasks.discard)
        self.tasks.add(task)

    async def _write_when_ready(self, exchange: _DirectExchange, answer: Awaitable[Answer]) -> None:
        try:
            wired = await answer
        except Exception:  # noqa: BLE001 - see _answer
            log.exception("unexpected failure answering %s %s", exchange.method, exchange.path)
            self._fail(exchange)
            return
        self._write_or_fail(exchange, wired)

    def _write_written(self, exchange: _DirectExchange, answer: Answer | None) -> None:
        """Write the answer to a write once it is on disk (``WrittenAnswer``; None: it failed), as
        ``_write_when_ready`` does."""
        if answer is None:
            self._fail(exchange)
        else:
            self._write_or_fail(exchange, answer)

    def _write_or_fail(self, exchange: _DirectExchange, answer: Answer) -> None:
        try:
            self._write(exchange, answer)
        except Exception:  # noqa: BLE001 - as uvicorn does for an answer it cannot send: logged, closed
            log.exception("could not send the answer to %s %s", exchange.method, exchange.path)
            self._fail(exchange, respond=False)

    def _write(self, exchange: _DirectExchange, answer: Answer) -> None:
        """Send ``answer`` (head and body in one write), then go on as uvicorn does after a response. As uvicorn's
        ``send``, an answer whose headers could split the response or whose Content-Length is not its body's is
        never sent: the connection closes instead."""
        status, headers, body = answer
        invalid = _invalid_header(headers, body, exchange.method)
        if invalid is not None:
            log.error("invalid HTTP header %r in the answer to %s %s", invalid, exchange.method, exchange.path)
            self._fail(exchange, respond=False)
            return
        content = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            content += (name, b": ", value, b"\r\n")
        closes = False
        for name, value in headers:
            if name == b"connection" and b"close" in [token.strip() for token in value.lower().split(b",")]:
                closes = True
            content += (name, b": ", value, b"\r\n")
        if not exchange.keep_alive and not closes:
            content.append(b"connection: close\r\n")
        content += (b"\r\n", body)
        exchange.response_complete = True
        if exchange.disconnected or self.transport.is_closing():
            return
        self.transport.write_now(b"".join(content))  # type: ignore[attr-defined]
        if closes or not exchange.keep_alive:
            self.transport.close()
        self.on_response_complete()
        if self.flow.write_paused:  # the client is not reading its answers: read no more requests until it does
            self._reading_paused_for_writes = True
            self.flow.pause_reading()

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._reading_paused_for_writes:
            self._reading_paused_for_writes = False
            self.flow.resume_reading()

    def _fail(self, exchange: _DirectExchange, respond: bool = True) -> None:
        """A plain 500 (unless ``respond`` is False), and the connection closed."""
        exchange.response_complete = True
        if not self.transport.is_closing():
            if respond:
                self.transport.write_now(_INTERNAL_ERROR)  # type: ignore[attr-defined]
            self.transport.close()
