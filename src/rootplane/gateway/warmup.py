"""Listen from the first moment: the port opens at once while the gateway is built on a thread.

Building the gateway (importing the stack, opening and migrating the store, creating the bootstrap identity) takes a
few hundred milliseconds. Meanwhile the server already listens: ``/_rootplane/health`` answers 503 with
``"status": "starting"``, and every other request waits until the gateway is ready and is then served by it, exactly as
later requests are (never refused, never answered by anything but the real pipeline). A build that fails is logged and
ends the server; requests that were waiting get 503.

This module imports only the standard library, so the port opens before the heavy imports run.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any

__all__ = ["WarmingApp", "HEALTH_PATH"]

HEALTH_PATH = "/_rootplane/health"

log = logging.getLogger("rootplane")

Asgi = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]


class WarmingApp:
    """An ASGI app that serves through the app ``build()`` returns, once it has been built on a background thread."""

    def __init__(self, build: Callable[[], Asgi], starting_health: dict[str, Any],
                 on_failure: Callable[[], None] = lambda: None) -> None:
        self._build = build
        self._starting_body = json.dumps(starting_health, indent=1).encode()
        self.on_failure = on_failure
        self.built: Future = Future()
        self._app: Asgi | None = None
        self._thread = threading.Thread(target=self._run_build, name="rootplane-warmup", daemon=True)

    def start(self) -> None:
        """Begin building the gateway (once)."""
        if not self._thread.is_alive() and not self.built.done():
            self._thread.start()

    @property
    def ready(self) -> Asgi | None:
        """The built app, or None while it is being built (or when the build failed)."""
        return self._app

    def wait(self) -> Asgi | None:
        """Block until the build has ended; the built app, or None if it failed."""
        try:
            return self.built.result()
        except Exception:
            return None

    def _run_build(self) -> None:
        try:
            app = self._build()
        except BaseException as exc:  # noqa: BLE001 - any failure ends the server, which must learn of it
            log.error("rootplane could not start: %s", exc, exc_info=True)
            self.built.set_exception(exc)
            self.on_failure()
            return
        self._app = app
        self.built.set_result(app)

    async def __call__(self, scope, receive, send) -> None:
        app = self._app
        if app is not None:
            await app(scope, receive, send)
            return
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"].rstrip("/") == HEALTH_PATH:
            await _respond(send, 503, "application/json", b"" if scope["method"] == "HEAD" else self._starting_body)
            return
        try:
            app = await asyncio.wrap_future(self.built)
        except Exception:  # noqa: BLE001 - the failure was logged by the build; the caller gets a plain 503
            await _respond(send, 503, "text/plain", b"rootplane failed to start; see the server log")
            return
        await app(scope, receive, send)

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _respond(send, status: int, content_type: str, body: bytes) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
