"""Sign-in throttling: after a few consecutive failures a key (an account, a client address) is locked for a
period that doubles with every further failure, up to a cap. A success clears the key; so does a quiet ``window``
after the last failure once any lock has ended."""

from __future__ import annotations

import datetime as _dt
import threading
from dataclasses import dataclass

__all__ = ["Throttle"]


@dataclass
class _Entry:
    failures: int = 0
    locked_until: _dt.datetime | None = None
    last_failure: _dt.datetime | None = None


class Throttle:
    """Consecutive-failure back-off per key (thread-safe, in memory, bounded)."""

    def __init__(self, free_failures: int, base_seconds: float = 60.0, max_seconds: float = 3600.0,
                 window: _dt.timedelta = _dt.timedelta(minutes=15), max_keys: int = 100_000) -> None:
        self.free_failures = free_failures
        self.window = window
        self.base_seconds = base_seconds
        self.max_seconds = max_seconds
        self.max_keys = max_keys
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def locked(self, key: str, now: _dt.datetime) -> bool:
        """Whether ``key`` must wait before its next attempt."""
        entry = self._entries.get(key)
        return entry is not None and entry.locked_until is not None and now < entry.locked_until

    def failed(self, key: str, now: _dt.datetime) -> None:
        """Count a failure; from the ``free_failures``-th on, lock the key for a doubling period."""
        with self._lock:
            if len(self._entries) >= self.max_keys and key not in self._entries:
                self._entries.clear()
            entry = self._entries.setdefault(key, _Entry())
            quiet = entry.last_failure is not None and now - entry.last_failure > self.window
            if quiet and not self.locked(key, now):
                entry.failures = 0
            entry.failures += 1
            entry.last_failure = now
            over = entry.failures - self.free_failures
            if over >= 0:
                seconds = min(self.base_seconds * (2 ** min(over, 30)), self.max_seconds)
                entry.locked_until = now + _dt.timedelta(seconds=seconds)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)
