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

import anyio.to_thread

from rootplane.gateway.pipeline import Gateway
from rootplane.wire.http import HttpRequest, HttpResponse

__all__ = ["GatewayApp"]

MAX_BODY = 64 * 1024 * 1024
LARGE_BODY = 1024 * 1024
SIGNED_LARGE_BODIES = 4  # large bodies buffered at once for requests signed with a known key
ANONYMOUS_LARGE_BODIES = 1  # and for anonymous ones (public S3 buckets)

_TOO_LARGE = HttpResponse(413, [("Content-Type", "text/plain")], b"Request body too large")


def _closing(response: HttpResponse) -> HttpResponse:
    """``response`` sent before the request's body was read to its end: the connection closes after it, as AWS does
    (kept open, the rest of the declared body, or the next request in its place, would be read as this body)."""
    return HttpResponse(response.status, [*response.headers, ("Connection", "close")], response.body)


def _declared_length(scope) -> int | None:
    """The body length the request declares: Content-Length, 0 without a body, None when chunked (unknown)."""
    length: int | None = 0
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
        if name == b"transfer-encoding":
            length = None
    return length


def _for_console(scope) -> bool:
    """``/console`` and below, unless the request is signed (an S3 path-style request for a bucket named so)."""
    path = scope["path"]
    if path != "/console" and not path.startswith("/console/"):
        return False
    if any(name == b"authorization" for name, _ in scope["headers"]):
        return False
    return b"X-Amz-Credential=" not in scope.get("query_string", b"")


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
        if self.console is not None and _for_console(scope):
            await self.console(scope, receive, send)
            return
        length = _declared_length(scope)
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
            request = self._request(scope, body)
            route = self.gateway.route(request)
            if self.gateway.may_wait(route):
                response, wrote = await anyio.to_thread.run_sync(self._handle, request, route)
            else:
                # Inline: cheaper than a thread hand-off; nothing here waits (see Provider.waiting_operations).
                response, wrote = self._handle(request, route)
            if wrote:
                response = await self._durable(request, route, response)
            if request.method == "HEAD":
                response = HttpResponse(response.status, response.headers, b"")
        await self._send(send, response, scope["method"] == "HEAD")

    def _handle(self, request: HttpRequest, route) -> tuple[HttpResponse, bool]:
        """Run the pipeline; also say whether it committed a write on this thread (SQLite group commit)."""
        group_commit = self.gateway.store.group_commit
        if group_commit is None:
            return self.gateway.handle(request, route), False
        before = group_commit.commits_here()
        response = self.gateway.handle(request, route)
        return response, group_commit.commits_here() != before

    async def _durable(self, request: HttpRequest, route, response: HttpResponse) -> HttpResponse:
        """The answer once the request's commit is on disk (it shares the fsync with other requests' commits)."""
        try:
            await self.gateway.store.group_commit.synced()
        except OSError:
            return self.gateway.unavailable(request, route)
        return response

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
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name = raw_name.decode("latin-1").lower()
            value = raw_value.decode("latin-1")
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        client = scope.get("client") or ("127.0.0.1", 0)
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else scope["path"]
        return HttpRequest(
            method=scope["method"],
            path=path.split("?", 1)[0],
            query_string=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            body=body,
            client_ip=client[0],
            scheme=scope.get("scheme", "http"),
        )

    @staticmethod
    async def _send(send, response: HttpResponse, head: bool) -> None:
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
        names = {k for k, _ in headers}
        if b"content-length" not in names:
            headers.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else response.body})
