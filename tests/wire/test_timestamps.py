"""ISO-8601 timestamps on the wire: UTC, seconds, milliseconds (cut, not rounded) when there are microseconds."""

from __future__ import annotations

import datetime as dt
import random

from rootplane.wire.protocols.values import format_timestamp

UTC = dt.timezone.utc


def test_iso8601_examples() -> None:
    assert format_timestamp(dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "iso8601") == "2026-01-02T03:04:05Z"
    assert format_timestamp(dt.datetime(2026, 1, 2, 3, 4, 5, 999999, UTC), "iso8601") == "2026-01-02T03:04:05.999Z"
    assert format_timestamp(dt.datetime(2026, 1, 2, 3, 4, 5, 999, UTC), "iso8601") == "2026-01-02T03:04:05.000Z"
    assert format_timestamp(dt.datetime(2026, 1, 2, 3, 4, 5), "iso8601") == "2026-01-02T03:04:05Z"  # naive: UTC
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert format_timestamp(dt.datetime(2026, 1, 2, 1, 0, tzinfo=plus_two), "iso8601") == "2026-01-01T23:00:00Z"
    assert format_timestamp("2026-01-02T03:04:05.5+01:00", "iso8601") == "2026-01-02T02:04:05.500Z"


def test_iso8601_agrees_with_strftime() -> None:
    rng = random.Random(19)
    for _ in range(2000):
        zone = rng.choice([UTC, dt.timezone(dt.timedelta(minutes=rng.randrange(-720, 721, 15)))])
        moment = dt.datetime(rng.randrange(1000, 9999), rng.randrange(1, 13), rng.randrange(1, 29), rng.randrange(24),
                             rng.randrange(60), rng.randrange(60), rng.choice([0, rng.randrange(10**6)]), zone)
        utc = moment.astimezone(UTC)
        expected = utc.strftime("%Y-%m-%dT%H:%M:%S") + (f".{utc.microsecond // 1000:03d}" if utc.microsecond else "")
        assert format_timestamp(moment, "iso8601") == expected + "Z"


def test_a_kept_text_is_that_of_the_instant_whatever_zone_or_format_asks_again() -> None:
    """Datetimes' texts are kept: the same instant in another zone, a naive time with that zone's clock reading, and
    another format each get their own right answer, however often and in whatever order they are asked."""
    moment = dt.datetime(2026, 3, 4, 5, 6, 7, 891000, UTC)
    same_instant = moment.astimezone(dt.timezone(dt.timedelta(hours=-5)))
    naive = dt.datetime(2026, 3, 4, 0, 6, 7, 891000)  # ``same_instant``'s clock, read as UTC: five hours earlier
    for _ in range(2):
        assert format_timestamp(same_instant, "iso8601") == "2026-03-04T05:06:07.891Z"
        assert format_timestamp(moment, "iso8601") == "2026-03-04T05:06:07.891Z"
        assert format_timestamp(naive, "iso8601") == "2026-03-04T00:06:07.891Z"
        assert format_timestamp(moment, "rfc822") == "Wed, 04 Mar 2026 05:06:07 GMT"
        assert format_timestamp(moment, "unixTimestamp") == 1772600767.891
