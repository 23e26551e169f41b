"""Reading metrics: GetMetricStatistics, GetMetricData (MetricStat queries) and ListMetrics."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.services.cloudwatch import repo
from rootplane.services.cloudwatch.ingest import dimensions_key
from rootplane.services.cloudwatch.statistics import STATISTICS, Bucket, buckets, period_start, statistic_value
from rootplane.services.cloudwatch.tables import MetricRow

__all__ = ["metric_statistics", "metric_data", "list_metrics", "MAX_DATAPOINTS"]

MAX_DATAPOINTS = 1440
RECENT = timedelta(hours=3)
_ROUND_TO_MINUTE, _ROUND_TO_FIVE_MINUTES = timedelta(days=15), timedelta(days=63)  # StartTime's rounding by age
_SHORT_PERIODS = (1, 5, 10, 20, 30)
QUERY_ID = re.compile(r"^[a-z][a-zA-Z0-9_]*$")  # a MetricDataQuery's Id (AWS's ValidationError quotes this pattern)


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValueException", message, 400)


def _combination(message: str) -> AwsError:
    return AwsError("InvalidParameterCombinationException", message, 400)


def _check_range(start: datetime, end: datetime, period: int, where: str = "Period") -> None:
    if period not in _SHORT_PERIODS and period % 60:
        raise _invalid(f"The parameter {where} must be a multiple of 60.")
    if start >= end:
        raise _invalid("The parameter StartTime must be less than the parameter EndTime.")


def _first_period(start: datetime, period: int, now: datetime) -> datetime:
    """Where a query's periods begin: its StartTime rounded down as the API reference's StartTime says, to the
    period's division of a minute (periods under a minute), else to the minute, five minutes or hour as StartTime is
    less than 15 days, 15 to 63 days or more than 63 days ago. The periods follow one another from there (the CLI
    reference's get-metric-statistics example: a 23:18 start time, datapoints at 23:18, 00:18...)."""
    if period < 60:
        return period_start(start, period)
    age = now - start
    return period_start(start, 60 if age < _ROUND_TO_MINUTE else 300 if age < _ROUND_TO_FIVE_MINUTES else 3600)


def _periods(session: Session, account_id: str, region: str, metric: dict[str, Any], start: datetime,
             end: datetime, period: int, unit: str | None, now: datetime) -> list[Bucket]:
    """The periods of ``[start, end)`` that hold data, oldest first."""
    row = repo.find_metric(session, account_id, region, metric["Namespace"], metric["MetricName"],
                           dimensions_key(metric.get("Dimensions")))
    if row is None:
        return []
    first = _first_period(start, period, now)
    found = buckets(repo.datapoints(session, row.id, first, end), period, unit, origin=first)
    return [found[key] for key in sorted(found)]


def metric_statistics(session: Session, account_id: str, region: str, params: dict[str, Any],
                      now: datetime) -> dict[str, Any]:
    """GetMetricStatistics."""
    statistics = params.get("Statistics") or []
    if params.get("ExtendedStatistics"):
        raise _invalid("rootplane does not compute extended statistics (percentiles).")
    if not statistics:
        raise AwsError("MissingRequiredParameterException",
                       "Must specify either Statistics or ExtendedStatistics.", 400)
    start, end, period = params["StartTime"], params["EndTime"], params["Period"]
    _check_range(start, end, period)
    requested = int((end - start).total_seconds() // period) + 1
    if requested > MAX_DATAPOINTS:
        raise _combination(f"You have requested up to {requested:,} datapoints, which exceeds the limit of 1,440. "
                           "You may reduce the datapoints requested by increasing Period, or decreasing the time "
                           "range.")
    datapoints = []
    for bucket in _periods(session, account_id, region, params, start, end, period, params.get("Unit"), now):
        point: dict[str, Any] = {"Timestamp": bucket.start, "Unit": bucket.unit}
        for statistic in statistics:
            point[statistic] = statistic_value(bucket, statistic)
        datapoints.append(point)
    return {"Label": params["MetricName"], "Datapoints": datapoints}


def _query_result(session: Session, account_id: str, region: str, query: dict[str, Any], start: datetime,
                  end: datetime, descending: bool, now: datetime) -> dict[str, Any]:
    if query.get("Expression") is not None:
        raise _invalid(f"rootplane does not evaluate metric math expressions (query {query['Id']}); use MetricStat.")
    stat = query.get("MetricStat")
    if stat is None:
        raise _combination(f"Exactly one of MetricStat and Expression must be set for query {query['Id']}.")
    if stat["Stat"] not in STATISTICS:
        raise _invalid(f"rootplane computes only the statistics {', '.join(STATISTICS)} (query {query['Id']}).")
    period = stat["Period"]
    _check_range(start, end, period, "MetricDataQueries.MetricStat.Period")
    periods = _periods(session, account_id, region, stat["Metric"], start, end, period, stat.get("Unit"), now)
    if descending:
        periods.reverse()
    return {"Id": query["Id"], "Label": query.get("Label") or stat["Metric"]["MetricName"],
            "Timestamps": [bucket.start for bucket in periods],
            "Values": [statistic_value(bucket, stat["Stat"]) for bucket in periods], "StatusCode": "Complete"}


def metric_data(session: Session, account_id: str, region: str, params: dict[str, Any],
                now: datetime) -> dict[str, Any]:
    """GetMetricData for MetricStat queries (all periods in one page)."""
    queries = params["MetricDataQueries"]
    ids = [query["Id"] for query in queries]
    wrong = [f"The value {query_id} for parameter MetricDataQueries.member.{number}.Id is not matching the expected "
             f"pattern {QUERY_ID.pattern}." for number, query_id in enumerate(ids, start=1)
             if not QUERY_ID.match(query_id)]
    if wrong:
        raise AwsError("ValidationException", "\n".join(wrong), 400)
    if len(set(ids)) != len(ids):
        raise _invalid("The value of an Id must be unique within MetricDataQueries.")
    descending = params.get("ScanBy", "TimestampDescending") == "TimestampDescending"
    results = [_query_result(session, account_id, region, query, params["StartTime"], params["EndTime"], descending,
                             now) for query in queries if query.get("ReturnData", True)]
    return {"MetricDataResults": results, "Messages": []}


def _dimensions_match(metric: MetricRow, filters: list[dict[str, str]]) -> bool:
    have = {item["Name"]: item["Value"] for item in json.loads(metric.dimensions)}
    return all(item["Name"] in have and (item.get("Value") is None or have[item["Name"]] == item["Value"])
               for item in filters)


def list_metrics(session: Session, account_id: str, region: str, params: dict[str, Any], after: int | None,
                 limit: int, now: datetime) -> tuple[list[MetricRow], bool]:
    """ListMetrics: one page of matching metrics and whether more may follow."""
    filters = params.get("Dimensions") or []
    since = now - RECENT if params.get("RecentlyActive") == "PT3H" else None
    found: list[MetricRow] = []
    while len(found) <= limit:
        rows = repo.list_metrics(session, account_id, region, namespace=params.get("Namespace"),
                                 metric_name=params.get("MetricName"), since=since, after=after, limit=limit + 1)
        found.extend(row for row in rows if _dimensions_match(row, filters))
        if len(rows) <= limit:
            break
        after = rows[-1].id
    return found[:limit], len(found) > limit
