"""The business clock of a ``--time-travel`` server as the test sees it: read once, then moved forward."""

from __future__ import annotations

import datetime as _dt
import json
import time
import urllib.request

STEP_SECONDS = 30  # TOTP time step


class ServerClock:
    """Tracks the server's clock offset from this machine's clock (both tick together; only we move it)."""

    def __init__(self, server) -> None:
        self.server = server
        now = _dt.datetime.fromisoformat(server.get_json("/_rootplane/clock")["now"])
        self.offset = now.timestamp() - time.time()
        self.frozen_at: float | None = None

    def now(self) -> float:
        """The server's time as a POSIX timestamp."""
        return self.frozen_at if self.frozen_at is not None else time.time() + self.offset

    def step(self) -> int:
        """The server's current TOTP step."""
        return int(self.now()) // STEP_SECONDS

    def advance(self, seconds: float) -> None:
        self.server.advance_clock(seconds)
        self.offset += seconds
        if self.frozen_at is not None:
            self.frozen_at += seconds

    def freeze(self, frozen: bool = True) -> None:
        """Stop the server's clock (only ``advance`` moves it) or let it run again."""
        body = json.dumps({"freeze": frozen}).encode()
        request = urllib.request.Request(self.server.endpoint + "/_rootplane/clock", data=body, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            now = _dt.datetime.fromisoformat(json.loads(response.read())["now"]).timestamp()
        self.frozen_at = now if frozen else None
        self.offset = now - time.time()

    def advance_to(self, timestamp: float) -> None:
        """Move the server clock to ``timestamp`` (no-op when it is already later)."""
        ahead = timestamp - self.now()
        if ahead > 0:
            self.advance(ahead)
