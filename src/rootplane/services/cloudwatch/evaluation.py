"""Deciding a metric alarm's state from its evaluation range (pure: no store, no clock).

AWS's rules (CloudWatch "Configuring how alarms treat missing data"): each of the last ``EvaluationPeriods``
periods is breaching, not breaching or missing; ``TreatMissingData`` turns missing periods into breaching
(``breaching``), not breaching (``notBreaching``), or leaves them out (``missing``, ``ignore``). ``DatapointsToAlarm``
breaching periods (default: all of them) put the alarm in ALARM, fewer in OK. When every period is missing the
alarm goes to INSUFFICIENT_DATA (``missing``) or keeps its state (``ignore``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["Point", "Outcome", "evaluate", "COMPARISONS", "TREATMENTS", "aws_time", "number_text"]

COMPARISONS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "GreaterThanOrEqualToThreshold": (operator.ge, "greater than or equal to"),
    "GreaterThanThreshold": (operator.gt, "greater than"),
    "LessThanThreshold": (operator.lt, "less than"),
    "LessThanOrEqualToThreshold": (operator.le, "less than or equal to"),
}
TREATMENTS = ("missing", "notBreaching", "breaching", "ignore")


@dataclass(frozen=True)
class Point:
    """One period of the evaluation range: its start, the statistic's value (None: no data) and sample count."""

    start: datetime
    value: float | None
    sample_count: float = 0.0


@dataclass(frozen=True)
class Outcome:
    """The state the range puts the alarm in, with AWS's StateReason and StateReasonData."""

    state: str
    reason: str
    reason_data: dict[str, Any] = field(default_factory=dict)


def aws_time(moment: datetime) -> str:
    """CloudWatch's timestamp text in reason data and alarm messages: ``2026-12-05T06:41:00.123+0000``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def number_text(value: float) -> str:
    """A double as CloudWatch (Java) prints it: ``1.0``, ``0.25``."""
    return repr(float(value))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _listing(points: list[Point]) -> str:
    return ", ".join(f"{number_text(p.value)} ({p.start:%d/%m/%y %H:%M:%S})" for p in points if p.value is not None)


def _reason_data(config: dict[str, Any], points: list[Point], now: datetime) -> dict[str, Any]:
    present = [p for p in reversed(points) if p.value is not None]
    data: dict[str, Any] = {
        "version": "1.0", "queryDate": aws_time(now), "startDate": aws_time(points[0].start),
        "statistic": config.get("Statistic"), "period": config["Period"],
        "recentDatapoints": [p.value for p in present], "threshold": config["Threshold"],
    }
    if config.get("Unit"):
        data["unit"] = config["Unit"]
    data["evaluatedDatapoints"] = [
        {"timestamp": aws_time(p.start), "sampleCount": p.sample_count, "value": p.value} if p.value is not None
        else {"timestamp": aws_time(p.start)} for p in reversed(points)]
    return data


def evaluate(config: dict[str, Any], points: list[Point], state: str, now: datetime) -> Outcome | None:
    """The alarm's state for the evaluation range ``points`` (oldest first), or None when it keeps its state."""
    compare, phrase = COMPARISONS[config["ComparisonOperator"]]
    threshold = float(config["Threshold"])
    periods = len(points)
    needed = config.get("DatapointsToAlarm") or periods
    treatment = config.get("TreatMissingData") or "missing"
    present = [p for p in points if p.value is not None]
    missing = periods - len(present)
    breaching = [p for p in present if compare(p.value, threshold)]
    data = _reason_data(config, points, now)
    if not present:
        if treatment == "ignore":
            return None
        if treatment == "missing":
            return Outcome("INSUFFICIENT_DATA",
                           f"Insufficient Data: {_plural(periods, 'datapoint')} {'was' if periods == 1 else 'were'} "
                           "unknown.", data)
        kind = "Breaching" if treatment == "breaching" else "NonBreaching"
        return Outcome("ALARM" if treatment == "breaching" else "OK",
                       f"Threshold Crossed: no datapoints were received for {_plural(periods, 'period')} and "
                       f"{_plural(missing, 'missing datapoint')} {'was' if missing == 1 else 'were'} treated as "
                       f"[{kind}].", data)
    count = len(breaching) + (missing if treatment == "breaching" else 0)
    alarm = count >= needed
    shown = breaching if alarm else [p for p in present if not compare(p.value, threshold)]
    verb = "was" if len(shown) == 1 else "were"
    transition = "OK -> ALARM" if alarm else "ALARM -> OK"
    reason = (f"Threshold Crossed: {len(shown)} out of the last {periods} datapoints [{_listing(list(reversed(shown)))}] "
              f"{verb} {'' if alarm else 'not '}{phrase} the threshold ({number_text(threshold)}) "
              f"(minimum {_plural(needed if alarm else 1, 'datapoint')} for {transition} transition).")
    return Outcome("ALARM" if alarm else "OK", reason, data)
