"""Sign-in throttling: after a few consecutive failures a key (an account, a client address) is locked for a
period that doubles with every further failure, up to a cap. A success clears the key; so does a quiet ``window``
after the last failure once any lock has ended. Counters live in the store (services/signin), so a restart or
another server process keeps them."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy.orm import Session

from rootplane.services.signin import repo

__all__ = ["Throttle"]


class Throttle:
    """Consecutive-failure back-off per key; every method works in the caller's store transaction."""

    def __init__(self, free_failures: int, base_seconds: float = 60.0, max_seconds: float = 3600.0,
                 window: _dt.timedelta = _dt.timedelta(minutes=15)) -> None:
        self.free_failures = free_failures
        self.window = window
        self.base_seconds = base_seconds
        self.max_seconds = max_seconds

    def locked(self, session: Session, key: str, now: _dt.datetime) -> bool:
        """Whether ``key`` must wait before its next attempt."""
        row = repo.throttle_row(session, key)
        return row is not None and row.locked_until is not None and now < row.locked_until

    def failed(self, session: Session, key: str, now: _dt.datetime) -> None:
        """Count a failure; from the ``free_failures``-th on, lock the key for a doubling period."""
        repo.prune_throttle(session, now - self.window, now)
        row = repo.throttle_row(session, key, created_at=now)
        locked = row.locked_until is not None and now < row.locked_until
        if now - row.last_failure > self.window and not locked:
            row.failures = 0
        row.failures += 1
        row.last_failure = now
        over = row.failures - self.free_failures
        if over >= 0:
            seconds = min(self.base_seconds * (2 ** min(over, 30)), self.max_seconds)
            row.locked_until = now + _dt.timedelta(seconds=seconds)

    def succeeded(self, session: Session, key: str) -> None:
        repo.delete_throttle(session, key)
