"""Datapoints into periods: the statistics CloudWatch computes over each period of a metric."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from rootplane.services.cloudwatch.tables import DatapointRow

__all__ = ["STATISTICS", "Bucket", "period_start", "buckets", "statistic_value"]

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass
class Bucket:
    """The statistic set of one period."""

    start: datetime
    sample_count: float
    total: float
    minimum: float
    maximum: float
    unit: str

    def add(self, row: DatapointRow) -> None:
        self.sample_count += row.sample_count
        self.total += row.total
        self.minimum = min(self.minimum, row.minimum)
        self.maximum = max(self.maximum, row.maximum)


def period_start(moment: datetime, period: int, origin: datetime = _EPOCH) -> datetime:
    """The start of the period that holds ``moment``, periods following one another from ``origin`` (by default the
    epoch: ``moment`` rounded down to a multiple of ``period`` seconds)."""
    seconds = int((moment - origin).total_seconds() // 1)
    return origin + timedelta(seconds=seconds - seconds % period)


def buckets(rows: Iterable[DatapointRow], period: int, unit: str | None = None,
            origin: datetime = _EPOCH) -> dict[datetime, Bucket]:
    """The datapoints grouped into periods from ``origin`` (only those of ``unit`` when given), keyed by period
    start."""
    found: dict[datetime, Bucket] = {}
    for row in rows:
        if unit is not None and row.unit != unit:
            continue
        start = period_start(row.timestamp, period, origin)
        bucket = found.get(start)
        if bucket is None:
            found[start] = Bucket(start, row.sample_count, row.total, row.minimum, row.maximum, row.unit)
        else:
            bucket.add(row)
    return found


def statistic_value(bucket: Bucket, statistic: str) -> float:
    """One statistic of a period."""
    if statistic == "SampleCount":
        return bucket.sample_count
    if statistic == "Sum":
        return bucket.total
    if statistic == "Minimum":
        return bucket.minimum
    if statistic == "Maximum":
        return bucket.maximum
    return bucket.total / bucket.sample_count if bucket.sample_count else 0.0
