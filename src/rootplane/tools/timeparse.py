"""Times on the command line: ISO 8601 (``2026-01-31T12:00:00Z``) or a duration ago (``30m``, ``2h``, ``7d``)."""

from __future__ import annotations

import datetime as _dt
import re

__all__ = ["parse_time"]

_AGO = re.compile(r"^(\d+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_time(text: str, now: _dt.datetime | None = None) -> _dt.datetime:
    """An aware UTC datetime; raises ValueError with a readable message."""
    now = now or _dt.datetime.now(_dt.timezone.utc)
    match = _AGO.match(text.strip().lower())
    if match:
        return now - _dt.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        moment = _dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not a time: use ISO 8601 (2026-01-31T12:00:00Z) or an age (30m, 2h, 7d)")
    return moment if moment.tzinfo else moment.replace(tzinfo=_dt.timezone.utc)
