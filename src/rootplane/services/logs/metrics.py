"""Metric filters turn matching log events into CloudWatch metric data.

A filter's one transformation gives the metric (namespace, name, unit), its value (a number, or ``$.field`` /
``$name`` read from each matching event) and dimensions (``{"Name": "$.field"}``, JSON and space-delimited
patterns only). The values of the matching events are published per minute and dimension set (one datum with
StatisticValues, or a Value when there is one); every event the pattern does not match counts the filter's
``defaultValue``, when it has one, in its minute. The data go to CloudWatch through
``rootplane.services.cloudwatch.ingest.put_metric_data`` when that service is built (1,000 data per call, each call in
a savepoint; data CloudWatch refuses are logged and dropped, the log events stay stored).
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from rootplane.authz.gather import source
from rootplane.core.errors import AwsError
from rootplane.services.logs.patterns import FilterPattern, compile_pattern, field_value, is_reference
from rootplane.services.logs.tables import MetricFilterRow

__all__ = ["check_transformation", "datums", "publish"]

MAX_DIMENSIONS = 3
MAX_DATUMS_PER_CALL = 1000  # PutMetricData's limit
_MINUTE = 60_000
log = logging.getLogger(__name__)


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message, 400)


def _number(value: Any) -> float | None:
    """A finite number, or None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def check_transformation(pattern: FilterPattern, transformation: dict[str, Any]) -> None:
    """PutMetricFilter's checks of a transformation against its pattern."""
    value = transformation["metricValue"]
    if not (is_reference(pattern, value) or _number(value) is not None):
        raise _invalid(f"Invalid metric value: {value}")
    dimensions = transformation.get("dimensions") or {}
    if dimensions and pattern.kind == "terms":
        raise _invalid("The specified filter pattern does not support dimensions")
    if len(dimensions) > MAX_DIMENSIONS:
        raise _invalid(f"A metric filter can have at most {MAX_DIMENSIONS} dimensions")
    if dimensions and transformation.get("defaultValue") is not None:
        raise _invalid("A metric filter with dimensions cannot have a default value")
    for name, reference in dimensions.items():
        if not is_reference(pattern, reference):
            raise _invalid(f"Invalid dimension value {reference} for dimension {name}")


def _timestamp(milliseconds: int) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(milliseconds / 1000, _dt.timezone.utc)


def _datum(transformation: dict[str, Any], timestamp: int, dimensions: tuple[tuple[str, str], ...],
           values: list[float]) -> dict[str, Any]:
    """One datum: the values of one minute and dimension set as StatisticValues (a single value as Value)."""
    datum: dict[str, Any] = {"MetricName": transformation["metricName"], "Timestamp": _timestamp(timestamp)}
    if dimensions:
        datum["Dimensions"] = [{"Name": name, "Value": value} for name, value in dimensions]
    if len(values) == 1:
        datum["Value"] = values[0]
    else:
        datum["StatisticValues"] = {"SampleCount": float(len(values)), "Sum": sum(values), "Minimum": min(values),
                                    "Maximum": max(values)}
    if transformation.get("unit"):
        datum["Unit"] = transformation["unit"]
    return datum


def _event_value(pattern: FilterPattern, transformation: dict[str, Any],
                 message: str) -> tuple[float, tuple[tuple[str, str], ...]] | None:
    """(value, dimensions) of one event: the default value when it does not match (None without one), None when
    it lacks a field the metric needs."""
    match = pattern.match(message)
    if match is None:
        default = transformation.get("defaultValue")
        return None if default is None else (float(default), ())
    reference = transformation["metricValue"]
    value = _number(field_value(pattern, message, match, reference) if reference.startswith("$") else reference)
    if value is None:
        return None
    dimensions = []
    for name, ref in (transformation.get("dimensions") or {}).items():
        found = field_value(pattern, message, match, ref)
        if found is None or isinstance(found, (dict, list)):
            return None
        dimensions.append((name, json.dumps(found) if isinstance(found, bool) else str(found)))
    return value, tuple(dimensions)


def datums(filters: Sequence[MetricFilterRow], events: Sequence[tuple[int, str]]) -> dict[str, list[dict[str, Any]]]:
    """The metric data (botocore's MetricDatum shape) of ``events`` (timestamp ms, message), by namespace: the
    matching events' values (and the others' default value) per minute and dimension set."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if not events:
        return found
    for row in filters:
        pattern = compile_pattern(row.pattern)
        for transformation in json.loads(row.transformations_json):
            minutes: dict[tuple[int, tuple[tuple[str, str], ...]], list[float]] = defaultdict(list)
            for timestamp, message in events:
                if (matched := _event_value(pattern, transformation, message)) is not None:
                    minutes[(timestamp - timestamp % _MINUTE, matched[1])].append(matched[0])
            found[transformation["metricNamespace"]].extend(
                _datum(transformation, minute, dimensions, values) for (minute, dimensions), values in minutes.items())
    return found


def publish(session: Session, account_id: str, region: str, filters: Sequence[MetricFilterRow],
            events: Sequence[tuple[int, str]], now: _dt.datetime) -> None:
    """Hand the metric data of ``events`` to CloudWatch (nothing when that service is not built)."""
    if not filters:
        return
    cloudwatch = source("rootplane.services.cloudwatch.ingest")
    if cloudwatch is None:
        return
    for namespace, data in datums(filters, events).items():
        for start in range(0, len(data), MAX_DATUMS_PER_CALL):
            try:
                with session.begin_nested():
                    cloudwatch.put_metric_data(session, account_id, region, namespace,
                                               data[start:start + MAX_DATUMS_PER_CALL], now)
            except AwsError as refused:  # CloudWatch's own limits: the log events are stored all the same
                log.warning("metric data of %s refused by CloudWatch: %s", namespace, refused.message)
