"""The alarm evaluator: every alarm is evaluated when due, on the server's business clock.

An alarm's evaluation window (PutMetricAlarm's ``EvaluationWindow``) is a sliding window by default: the alarm is
evaluated every minute (every period for periods under a minute), on the ``EvaluationPeriods`` periods that end at the
last minute boundary at least ``DELAY_SECONDS`` ago, so a breach counts within about a minute whatever the period
(CloudWatch User Guide, "Alarm evaluation windows"). A ``WallClockWindow`` alarm is evaluated once per period, on
periods aligned on the epoch (UTC). The delay lets data sent just before a boundary (CloudTrail deliveries, metric
filters) count. An alarm is due at creation or update, then after each step. A background thread looks for due
alarms every ``TICK_SECONDS`` of real time (install.py), so on a ``--time-travel`` server moving the clock past a
boundary gets the alarm evaluated within a tick (tests poll DescribeAlarms). ``step`` is one pass, ``evaluate_due``
its evaluation.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from rootplane.core.clock import Clock
from rootplane.services.cloudwatch import repo
from rootplane.services.cloudwatch.alarms import change_state
from rootplane.services.cloudwatch.evaluation import Point, evaluate
from rootplane.services.cloudwatch.ingest import dimensions_key
from rootplane.services.cloudwatch.statistics import buckets, period_start, statistic_value
from rootplane.services.cloudwatch.tables import AlarmRow
from rootplane.store.engine import Store

__all__ = ["evaluate_alarm", "evaluate_due", "step", "DELAY_SECONDS"]

DELAY_SECONDS = 5
BATCH = 100


def _step_seconds(config: dict) -> int:
    """How far the window moves between evaluations: a period (wall clock window), else a minute at most."""
    period = config["Period"]
    return period if "WallClockWindow" in (config.get("EvaluationWindow") or {}) else min(period, 60)


def _range(session: Session, alarm: AlarmRow, config: dict, end: datetime) -> list[Point]:
    period, count = config["Period"], config["EvaluationPeriods"]
    start = end - timedelta(seconds=period * count)
    metric = repo.find_metric(session, alarm.account_id, alarm.region, config["Namespace"], config["MetricName"],
                              dimensions_key(config.get("Dimensions")))
    rows = repo.datapoints(session, metric.id, start, end) if metric is not None else []
    found = buckets(rows, period, config.get("Unit"), origin=start)
    points = []
    for index in range(count):
        moment = start + timedelta(seconds=period * index)
        bucket = found.get(moment)
        points.append(Point(moment, statistic_value(bucket, config["Statistic"]) if bucket else None,
                            bucket.sample_count if bucket else 0.0))
    return points


def evaluate_alarm(session: Session, alarm: AlarmRow, now: datetime) -> None:
    """Evaluate one alarm at ``now`` (changing its state, running its actions) and schedule the next evaluation."""
    config = json.loads(alarm.configuration)
    step = _step_seconds(config)
    end = period_start(now - timedelta(seconds=DELAY_SECONDS), step)
    outcome = evaluate(config, _range(session, alarm, config, end), alarm.state_value, now)
    alarm.next_evaluation = end + timedelta(seconds=step + DELAY_SECONDS)
    if outcome is not None and (outcome.state != alarm.state_value or alarm.state_reason.startswith("Unchecked")):
        change_state(session, alarm, outcome.state, outcome.reason,
                     json.dumps(outcome.reason_data, separators=(",", ":")), now)


def evaluate_due(session: Session, now: datetime) -> int:
    """Evaluate every alarm due at ``now``; returns how many were evaluated."""
    alarms = repo.due_alarms(session, now, BATCH)
    for alarm in alarms:
        evaluate_alarm(session, alarm, now)
    return len(alarms)


def step(store: Store, clock: Clock) -> int:
    """One pass on ``store`` at ``clock``'s now: evaluate what is due (a read first, so an idle server writes
    nothing); returns how many alarms were evaluated."""
    now = clock.now()
    with store.transaction(write=False) as session:
        due = repo.next_due(session)
    if due is None or due > now:
        return 0
    evaluated = BATCH
    total = 0
    while evaluated == BATCH:
        with store.transaction(write=True) as session:
            evaluated = evaluate_due(session, now)
        total += evaluated
    return total
