"""Metric data in: AWS's PutMetricData validation and storage. The PutMetricData operation and other services
(CloudWatch Logs metric filters) call the same ``put_metric_data``."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.services.cloudwatch import repo

__all__ = ["put_metric_data", "dimensions_key", "MAX_DATUMS", "MAX_VALUES"]

MAX_DATUMS = 1000
MAX_VALUES = 150
MAX_DIMENSIONS = 30
STORAGE_RESOLUTIONS = (1, 60)  # seconds: high resolution, standard
PAST_LIMIT = timedelta(days=14)
FUTURE_LIMIT = timedelta(hours=2)


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValueException", message, 400)


def _combination(message: str) -> AwsError:
    return AwsError("InvalidParameterCombinationException", message, 400)


def dimensions_key(dimensions: list[dict[str, str]] | None) -> str:
    """A metric's dimensions as canonical JSON (sorted by name): the identity of a metric within its name."""
    pairs = sorted((item["Name"], item["Value"]) for item in dimensions or ())
    return json.dumps([{"Name": name, "Value": value} for name, value in pairs], separators=(",", ":"))


def _finite(value: float, where: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise _invalid(f"The value {value} for parameter {where} is invalid.")
    return float(value)


def _statistics(datum: dict[str, Any], where: str) -> tuple[float, float, float, float]:
    """(sample count, sum, minimum, maximum) of one datum, whichever way it gives its values."""
    given = [name for name in ("Value", "StatisticValues", "Values") if datum.get(name) is not None]
    if len(given) > 1:
        raise _combination(f"The parameters {where}.{given[0]} and {where}.{given[1]} are mutually exclusive and "
                           "you have specified both.")
    if datum.get("Counts") is not None and not given == ["Values"]:
        raise _combination(f"The parameter {where}.Counts must be specified with {where}.Values.")
    if not given:
        raise AwsError("MissingRequiredParameterException",
                       f"At least one of the parameters {where}.Value, {where}.StatisticValues or {where}.Values "
                       "must be specified.", 400)
    if given == ["Value"]:
        value = _finite(datum["Value"], f"{where}.Value")
        return 1.0, value, value, value
    if given == ["StatisticValues"]:
        stats = datum["StatisticValues"]
        count = _finite(stats["SampleCount"], f"{where}.StatisticValues.SampleCount")
        total = _finite(stats["Sum"], f"{where}.StatisticValues.Sum")
        low = _finite(stats["Minimum"], f"{where}.StatisticValues.Minimum")
        high = _finite(stats["Maximum"], f"{where}.StatisticValues.Maximum")
        if count <= 0:
            raise _invalid(f"The value {count} for parameter {where}.StatisticValues.SampleCount is invalid.")
        if low > high:
            raise _invalid(f"The parameter {where}.StatisticValues.Maximum must be greater than or equal to "
                           f"{where}.StatisticValues.Minimum.")
        return count, total, low, high
    values = [_finite(v, f"{where}.Values") for v in datum["Values"]]
    counts = [_finite(c, f"{where}.Counts") for c in datum.get("Counts") or [1.0] * len(values)]
    if len(values) > MAX_VALUES:
        raise _invalid(f"The collection {where}.Values must not have a size greater than {MAX_VALUES}.")
    if len(counts) != len(values):
        raise _invalid(f"The parameters {where}.Values and {where}.Counts must be of the same size.")
    if not values:
        raise AwsError("MissingRequiredParameterException", f"The parameter {where}.Values is required.", 400)
    if any(count < 0 for count in counts):
        raise _invalid(f"The parameter {where}.Counts must not contain negative values.")
    return sum(counts), sum(v * c for v, c in zip(values, counts)), min(values), max(values)


def _check_datum(datum: dict[str, Any], where: str, now: datetime) -> tuple[float, float, float, float]:
    dimensions = datum.get("Dimensions") or []
    if len(dimensions) > MAX_DIMENSIONS:
        raise _invalid(f"The collection {where}.Dimensions must not have a size greater than {MAX_DIMENSIONS}.")
    names = [item["Name"] for item in dimensions]
    if len(set(names)) != len(names):
        raise _invalid(f"No metric may have duplicate dimension names: {where}.Dimensions.")
    resolution = datum.get("StorageResolution")
    if resolution is not None and resolution not in STORAGE_RESOLUTIONS:
        raise _invalid(f"The parameter {where}.StorageResolution must be a value in the set "
                       f"[ {', '.join(map(str, STORAGE_RESOLUTIONS))} ].")
    timestamp = datum.get("Timestamp")
    if timestamp is not None:
        if timestamp > now + FUTURE_LIMIT:
            raise _invalid(f"The parameter {where}.Timestamp must specify a time no more than two hours in the "
                           "future.")
        if timestamp < now - PAST_LIMIT:
            raise _invalid(f"The parameter {where}.Timestamp must specify a time within the past two weeks.")
    return _statistics(datum, where)


def put_metric_data(session: Session, account_id: str, region: str, namespace: str, metric_data: list[dict],
                    now: datetime) -> None:
    """Validate (AWS's PutMetricData rules, all datums before any is stored) and store ``metric_data`` (dicts in
    botocore's MetricDatum shape) under ``namespace``; raises AwsError with AWS's code on bad input."""
    if namespace.startswith("AWS/"):
        raise _invalid(f"The value {namespace} for parameter Namespace is invalid.")
    if len(metric_data) > MAX_DATUMS:
        raise _invalid(f"The collection MetricData must not have a size greater than {MAX_DATUMS}.")
    checked = [(datum, _check_datum(datum, f"MetricData.member.{index}", now))
               for index, datum in enumerate(metric_data, start=1)]
    if not checked:
        return
    identities = [(datum["MetricName"], dimensions_key(datum.get("Dimensions"))) for datum, _ in checked]
    ids = repo.metric_ids(session, account_id, region, namespace, set(identities), now)
    repo.add_datapoints(session, [
        {"metric_id": ids[identity], "timestamp": datum.get("Timestamp") or now, "sample_count": count, "total": total,
         "minimum": low, "maximum": high, "unit": datum.get("Unit") or "None"}
        for identity, (datum, (count, total, low, high)) in zip(identities, checked)])
