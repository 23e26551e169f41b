"""The business clock of a ``--time-travel`` server as the test sees it: read once, then moved forward."""

from __future__ import annotations

import datetime as _dt
import time

STEP_SECONDS = 30  # TOTP time step


class ServerClock:
    """Tracks the server's clock offset from this machine's clock (both tick together; only we move it)."""

    def __init__(self, server) -> None:
        self.server = server
        now = _dt.datetime.fromisoformat(server.get_json("/_rootplane/clock")["now"])
        self.offset = now.timestamp() - time.time()

    def now(self) -> float:
        """The server's time as a POSIX timestamp."""
        return time.time() + self.offset

    def step(self) -> int:
        """The server's current TOTP step."""
        return int(self.now()) // STEP_SECONDS

    def advance(self, seconds: float) -> None:
        self.server.advance_clock(seconds)
        self.offset += seconds

    def advance_to(self, timestamp: float) -> None:
        """Move the server clock to ``timestamp`` (no-op when it is already later)."""
        ahead = timestamp - self.now()
        if ahead > 0:
            self.advance(ahead)
