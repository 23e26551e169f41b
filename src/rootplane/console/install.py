"""Wire the console into the server: ``/console`` requests go to it (see ``GatewayApp``).

The console is built on its first request, not at start: its imports (Jinja, webauthn, argon2, QR codes, botocore's
client machinery) cost about 0.3 s and 13 MiB that a server only ever called through the API never needs. The build
runs on a worker thread, so API requests arriving meanwhile are not held up.
"""

from __future__ import annotations

import asyncio
import threading

__all__ = ["install", "LazyConsole"]


class LazyConsole:
    """An ASGI app that builds the real ``Console`` of ``gateway`` on its first request and then serves through it."""

    def __init__(self, gateway) -> None:
        self.gateway = gateway
        self._console = None
        self._lock = threading.Lock()

    def build(self):
        """The console (built once, whichever thread asks first)."""
        with self._lock:
            if self._console is None:
                from rootplane.console.app import Console

                self._console = Console(self.gateway)
            return self._console

    async def __call__(self, scope, receive, send) -> None:
        console = self._console or await asyncio.to_thread(self.build)
        await console(scope, receive, send)


def install(app) -> LazyConsole:
    console = LazyConsole(app.gateway)
    app.console = console
    return console
