"""Metric filters: PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter, TestMetricFilter."""

from __future__ import annotations

import json
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.logs import repo, tokens
from rootplane.services.logs.ingest import epoch_ms
from rootplane.services.logs.lookup import invalid, not_found, require_group
from rootplane.services.logs.metrics import check_transformation
from rootplane.services.logs.patterns import FilterPattern, InvalidPattern, compile_pattern
from rootplane.services.logs.tables import MetricFilterRow

__all__ = ["FilterOperations"]

MAX_FILTERS_PER_GROUP = 100
MAX_REGEX_FILTERS_PER_GROUP = 5  # AWS's quota of filter patterns with regular expressions in a log group
DEFAULT_LIMIT = 50


def _pattern(text: str) -> FilterPattern:
    try:
        return compile_pattern(text)
    except InvalidPattern:
        raise invalid("Invalid metric filter pattern") from None


def _limit_exceeded() -> AwsError:
    return AwsError("LimitExceededException", "Resource limit exceeded.", 400)


def _check_regex_quota(ctx: RequestContext, group_arn: str, name: str, pattern: FilterPattern) -> None:
    """At most five of a group's metric filters may use regular expressions (the one being replaced aside)."""
    if not pattern.has_regex:
        return
    others = [row for row in repo.filters_of(ctx.session, group_arn) if row.name != name]
    if sum(compile_pattern(row.pattern).has_regex for row in others) >= MAX_REGEX_FILTERS_PER_GROUP:
        raise _limit_exceeded()


def _filter_shape(row: MetricFilterRow, group_name: str) -> dict[str, Any]:
    return {"filterName": row.name, "filterPattern": row.pattern,
            "metricTransformations": json.loads(row.transformations_json), "creationTime": row.created_at,
            "logGroupName": group_name, "applyOnTransformedLogs": row.apply_on_transformed_logs}


class FilterOperations:
    def put_metric_filter(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = require_group(ctx, params["logGroupName"])
        pattern = _pattern(params["filterPattern"])
        # "If you omit this, the unit is set as None" (MetricTransformation.unit)
        transformations = [{**transformation, "unit": transformation.get("unit") or "None"}
                           for transformation in params["metricTransformations"]]
        for transformation in transformations:
            check_transformation(pattern, transformation)
        _check_regex_quota(ctx, group.arn, params["filterName"], pattern)
        row = repo.find_filter(ctx.session, group.arn, params["filterName"])
        if row is None:
            if len(repo.filters_of(ctx.session, group.arn)) >= MAX_FILTERS_PER_GROUP:
                raise _limit_exceeded()
            row = repo.put(ctx.session, MetricFilterRow(
                group_arn=group.arn, name=params["filterName"], pattern=params["filterPattern"],
                transformations_json=json.dumps(transformations), created_at=epoch_ms(ctx.now())),
                conflict=AwsError("OperationAbortedException", "Multiple concurrent requests to update the same "
                                  "resource were in conflict.", 400))
        row.pattern, row.transformations_json = params["filterPattern"], json.dumps(transformations)
        row.apply_on_transformed_logs = bool(params.get("applyOnTransformedLogs"))
        return {}

    def describe_metric_filters(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        metric = (params.get("metricName"), params.get("metricNamespace"))
        if bool(metric[0]) != bool(metric[1]):
            raise invalid("metricName and metricNamespace must be specified together.")
        group = require_group(ctx, params["logGroupName"]) if params.get("logGroupName") else None
        after = tokens.decode(params.get("nextToken"))
        if after is not None and not (isinstance(after, list) and len(after) == 2 and all(isinstance(x, str)
                                                                                          for x in after)):
            raise tokens.invalid_token()
        # AWS uses filterNamePrefix only together with logGroupName.
        rows = repo.list_filters(ctx.session, ctx.account_id, ctx.region, group.arn if group else None,
                                 params.get("filterNamePrefix") if group else None)
        if metric[0]:
            rows = [row for row in rows if any(
                (t["metricName"], t["metricNamespace"]) == metric for t in json.loads(row.transformations_json))]
        if after is not None:
            rows = [row for row in rows if (row.group_arn, row.name) > tuple(after)]
        limit = params.get("limit") or DEFAULT_LIMIT
        result: dict[str, Any] = {}
        if len(rows) > limit:
            rows = rows[:limit]
            result["nextToken"] = tokens.encode([rows[-1].group_arn, rows[-1].name])
        result["metricFilters"] = [_filter_shape(row, row.group_arn.split(":log-group:", 1)[1]) for row in rows]
        return result

    def delete_metric_filter(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = require_group(ctx, params["logGroupName"])
        row = repo.find_filter(ctx.session, group.arn, params["filterName"])
        if row is None:
            raise not_found("The specified metric filter does not exist.")
        ctx.session.delete(row)
        return {}

    def test_metric_filter(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        pattern = _pattern(params["filterPattern"])
        matches = []
        for number, message in enumerate(params["logEventMessages"], start=1):
            match = pattern.match(message)
            if match is not None:  # only space-delimited patterns extract values (their fields are strings)
                values = dict(match.fields) if pattern.kind == "delimited" else {}
                matches.append({"eventNumber": number, "eventMessage": message, "extractedValues": values})
        return {"matches": matches}
