"""Wire the console into the server: ``/console`` requests go to it (see ``GatewayApp``)."""

from __future__ import annotations

from rootplane.console.app import Console

__all__ = ["install"]


def install(app) -> Console:
    console = Console(app.gateway)
    app.console = console
    return console
