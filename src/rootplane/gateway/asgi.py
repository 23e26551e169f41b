"""ASGI adapter: HTTP in, HttpRequest to the pipeline, HttpResponse out.

The pipeline runs inline on the event loop, except for operations that may wait (long polls, queue flushes),
which run on a worker thread so they never hold up other requests.

Bodies are buffered whole (signatures cover them), so large ones are let in with care: a body declared over
``MAX_BODY`` is refused unread; before a body over ``LARGE_BODY`` (or of unknown length) is read, the headers must
pass the authentication that needs no body (a known key, or no signature at all for anonymous S3), and only a few
such bodies are buffered at a time, fewer for anonymous callers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import anyio.to_thread

from rootplane.gateway.pipeline import Gateway
from rootplane.wire.http import HttpRequest, HttpResponse

__all__ = ["GatewayApp", "WrittenAnswer"]

log = logging.getLogger("rootplane")

MAX_BODY = 64 * 1024 * 1024
LARGE_BODY = 1024 * 1024
SIGNED_LARGE_BODIES = 4  # large bodies buffered at once for requests signed with a known key
ANONYMOUS_LARGE_BODIES = 1  # and for anonymous ones (public S3 buckets)

_TOO_LARGE = HttpResponse(413, [("Content-Type", "text/plain")], b"Request body too large")

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]  # an answer as sent: status, headers, body


def _closing(response: HttpResponse) -> HttpResponse:
    """``response`` sent before the request's body was read to its end: the connection closes after it, as AWS does
    (kept open, the rest of the declared body, or the next request in its place, would be read as this body)."""
    return HttpResponse(response.status, [*response.headers, ("Connection", "close")], response.body)


def declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    """The body length a request declares: Content-Length, 0 without a body, None when chunked (unknown)."""
    length: int | None = 0
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
        if name == b"transfer-encoding":
            length = None
    return length


def for_console(path: str, headers: list[tuple[bytes, bytes]], query_string: bytes) -> bool:
    """``/console`` and below, unless the request is signed (an S3 path-style request for a bucket named so)."""
    if path != "/console" and not path.startswith("/console/"):
        return False
    if any(name == b"authorization" for name, _ in headers):
        return False
    return b"X-Amz-Credential=" not in query_string


def http_request(method: str, raw_path: str, query_string: bytes, headers: list[tuple[bytes, bytes]], body: bytes,
                 client: tuple[str, int] | None, scheme: str) -> HttpRequest:
    """The pipeline's request from what the HTTP parser read (lower-cased header names; repeats joined by ``,``)."""
    joined = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in headers}
    if len(joined) < len(headers):  # a repeated header: its values joined in order
        joined = {}
        for raw_name, raw_value in headers:
            name = raw_name.decode("latin-1").lower()
            value = raw_value.decode("latin-1")
            joined[name] = f"{joined[name]},{value}" if name in joined else value
    return HttpRequest(method=method, path=raw_path.split("?", 1)[0], query_string=query_string.decode("latin-1"),
                       headers=joined, body=body, client_ip=(client or ("127.0.0.1", 0))[0], scheme=scheme)


def wire_answer(response: HttpResponse, head: bool) -> Answer:
    """``response`` as sent: status, lower-cased header bytes with a Content-Length when it names none, and the body
    (none in an answer to HEAD)."""
    body = b"" if head else response.body
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    if not any(name == b"content-length" for name, _ in headers):
        headers.append((b"content-length", str(len(body)).encode()))
    return response.status, headers, body


class WrittenAnswer:
    """The answer to a request that committed a write inline, due once its commit is on disk (it shares the fsync
    with other requests' commits): awaited as the response (ASGI), or, answered directly (gateway/http_protocol.py),
    handed as sent to a callback on the event loop, without the task and coroutines that cost 1.6% of a CreateUser's
    event-loop instructions (issue #19, callgrind)."""

    __slots__ = ("_app", "_request", "_route", "_response", "head")

    def __init__(self, app: GatewayApp, request: HttpRequest, route, response: HttpResponse) -> None:
        self._app, self._request, self._route, self._response = app, request, route, response
        self.head = request.method == "HEAD"  # sent without its body

    def __await__(self):
        return self._app._waited(self._request, self._route, self._response).__await__()

    def when_ready(self, send: Callable[[Answer | None], None]) -> None:
        """Call ``send`` with the answer as sent once the write is on disk (at once if it already is); a write the
        store could not make durable is answered with the operation's unavailable error. ``send(None)``: making the
        answer failed unexpectedly (logged)."""
        def synced(error: BaseException | None = None) -> None:
            try:
                response = self._response if error is None else self._app.gateway.unavailable(self._request,
                                                                                               self._route)
                wired: Answer | None = wire_answer(response, self.head)
            except Exception:  # noqa: BLE001 - as for any answer that fails: logged, then the protocol's plain 500
                log.exception("unexpected failure answering %s %s", self._request.method, self._request.path)
                wired = None
            send(wired)

        if not self._app.gateway.store.group_commit.when_synced(synced):
            synced()


class GatewayApp:
    """The ASGI application serving every AWS API on one port."""

    def __init__(self, gateway: Gateway, console=None) -> None:
        self.gateway = gateway
        self.console = console
        self._signed_bodies = asyncio.Semaphore(SIGNED_LARGE_BODIES)
        self._anonymous_bodies = asyncio.Semaphore(ANONYMOUS_LARGE_BODIES)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if self.console is not None and for_console(scope["path"], scope["headers"], scope.get("query_string", b"")):
            await self.console(scope, receive, send)
            return
        length = declared_length(scope["headers"])
        if length is not None and length <= LARGE_BODY:
            await self._serve(scope, receive, send)
            return
        if length is not None and length > MAX_BODY:
            await self._send(send, _closing(_TOO_LARGE), scope["method"] == "HEAD")
            return
        refusal, signed = self.gateway.admit_body(self._request(scope, b""))
        if refusal is not None:
            await self._send(send, _closing(refusal), scope["method"] == "HEAD")
            return
        async with self._signed_bodies if signed else self._anonymous_bodies:
            await self._serve(scope, receive, send)

    async def _serve(self, scope, receive, send) -> None:
        """Read the body, run the pipeline, send the answer."""
        body, too_large = await self._read_body(receive)
        if too_large:
            response = _closing(_TOO_LARGE)
        else:
            answer = self.start_answer(self._request(scope, body))
            response = answer if isinstance(answer, HttpResponse) else await answer
        await self._send(send, response, scope["method"] == "HEAD")

    def start_answer(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        """Run the pipeline for ``request`` (its whole body read): the answer, or, when it must wait (an operation
        that runs on a thread, a write whose commit is not yet on disk), an awaitable of it."""
        route = self.gateway.route(request)
        if self.gateway.may_wait(route):
            return self._waited(request, route, None)
        # Inline: cheaper than a thread hand-off; nothing here waits (see Provider.waiting_operations).
        response, wrote = self._handle(request, route)
        if wrote:
            return WrittenAnswer(self, request, route, response)
        return response

    async def _waited(self, request: HttpRequest, route, response: HttpResponse | None) -> HttpResponse:
        """The answer of an operation run on a thread (``response`` None), or of one that wrote, once its commit is
        on disk (it shares the fsync with other requests' commits)."""
        wrote = True
        if response is None:
            response, wrote = await anyio.to_thread.run_sync(self._handle, request, route)
        if wrote:
            try:
                await self.gateway.store.group_commit.synced()
            except OSError:
                response = self.gateway.unavailable(request, route)
        return response

    # -- answers without ASGI (gateway/http_protocol.py) -------------------------------------------------------
    def answers_at_once(self, path: str, headers: list[tuple[bytes, bytes]], query_string: bytes) -> bool:
        """Whether a request can be answered from its body read whole: the body is declared and small, and the
        request is not for the console."""
        length = declared_length(headers)
        if length is None or length > LARGE_BODY:
            return False
        return self.console is None or not for_console(path, headers, query_string)

    def answer(self, method: str, path: str, query_string: bytes, headers: list[tuple[bytes, bytes]], body: bytes,
               client: tuple[str, int] | None, scheme: str) -> Answer | WrittenAnswer | Awaitable[Answer]:
        """The answer, as sent, to a request read whole (``path`` still percent-encoded); an awaitable of it when it
        must wait (see ``start_answer``)."""
        answer = self.start_answer(http_request(method, path, query_string, headers, body, client, scheme))
        if isinstance(answer, HttpResponse):
            return wire_answer(answer, method == "HEAD")
        if type(answer) is WrittenAnswer:
            return answer
        return self._wire_when_ready(answer, method == "HEAD")

    @staticmethod
    async def _wire_when_ready(answer: Awaitable[HttpResponse], head: bool) -> Answer:
        return wire_answer(await answer, head)

    def _handle(self, request: HttpRequest, route) -> tuple[HttpResponse, bool]:
        """Run the pipeline; also say whether it committed a write on this thread (SQLite group commit)."""
        group_commit = self.gateway.store.group_commit
        if group_commit is None:
            return self.gateway.handle(request, route), False
        before = group_commit.commits_here()
        response = self.gateway.handle(request, route)
        return response, group_commit.commits_here() != before

    @staticmethod
    async def _lifespan(receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    @staticmethod
    async def _read_body(receive) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                return b"", True
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), False

    @staticmethod
    def _request(scope, body: bytes) -> HttpRequest:
        raw_path = scope.get("raw_path")
        return http_request(scope["method"], raw_path.decode("latin-1") if raw_path else scope["path"],
                            scope.get("query_string", b""), scope["headers"], body, scope.get("client"),
                            scope.get("scheme", "http"))

    @staticmethod
    async def _send(send, response: HttpResponse, head: bool) -> None:
        status, headers, body = wire_answer(response, head)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
