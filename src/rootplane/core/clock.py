"""Time source. Inject a Clock so tests can fix or move time."""

from __future__ import annotations

import datetime as _dt
import math
import time as _time

__all__ = ["Clock", "SystemClock", "FixedClock", "OffsetClock", "utcnow", "MAX_TIME_TRAVEL"]

# How far a --time-travel clock may get ahead of the real one in total: 10 years (of 365 days), in seconds.
MAX_TIME_TRAVEL = 10 * 365 * 86400


class Clock:
    """Interface: ``now()`` returns an aware UTC datetime."""

    def now(self) -> _dt.datetime:  # pragma: no cover - interface
        raise NotImplementedError

    def epoch(self) -> float:
        return self.now().timestamp()


class SystemClock(Clock):
    """The real clock."""

    def now(self) -> _dt.datetime:
        return _dt.datetime.now(_dt.timezone.utc)

    def epoch(self) -> float:
        return _time.time()


class FixedClock(Clock):
    """A clock that only moves when told to (tests)."""

    def __init__(self, at: _dt.datetime) -> None:
        self.at = at

    def now(self) -> _dt.datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += _dt.timedelta(seconds=seconds)


class OffsetClock(SystemClock):
    """The real clock shifted by an offset that only grows (``--time-travel`` test servers)."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.frozen_at: float | None = None  # the real time at which a frozen clock stopped

    def _real(self) -> float:
        return self.frozen_at if self.frozen_at is not None else _time.time()

    def now(self) -> _dt.datetime:
        return _dt.datetime.fromtimestamp(self._real() + self.offset, _dt.timezone.utc)

    def epoch(self) -> float:
        return self._real() + self.offset

    def freeze(self, frozen: bool) -> None:
        """Stop the clock (only ``advance`` moves it), or let it run again from the real time plus the offset
        (a jump forward by the time it stood still: the clock never goes back)."""
        if frozen and self.frozen_at is None:
            self.frozen_at = _time.time()
        elif not frozen:
            self.frozen_at = None

    def advance(self, seconds: float) -> None:
        """Move forward; ValueError unless ``seconds`` is finite, not negative and keeps the offset within
        ``MAX_TIME_TRAVEL`` (a clock beyond year 9999 would fail every request)."""
        if not math.isfinite(seconds) or seconds < 0 or self.offset + seconds > MAX_TIME_TRAVEL:
            raise ValueError(
                f"advance must be a finite number of seconds, at least 0, that keeps the clock at most "
                f"{MAX_TIME_TRAVEL} seconds (10 years) ahead; it is {self.offset:g} seconds ahead now"
            )
        self.offset += seconds

    def rewind(self) -> None:
        """Back to the real time, as on a fresh start (``POST /_rootplane/reset``)."""
        self.offset = 0.0
        self.frozen_at = None


def utcnow() -> _dt.datetime:
    """Current aware UTC time (for code that has no injected clock)."""
    return _dt.datetime.now(_dt.timezone.utc)
