"""CloudWatch operations: metric data, statistics, metric listing, metric alarms and their history."""

from __future__ import annotations

from typing import Any

from rootplane.services.cloudwatch.ingest import put_metric_data
from rootplane.services.context import RequestContext
from rootplane.services.provider import Provider

__all__ = ["CloudWatchProvider", "PROVIDER"]


class CloudWatchProvider(Provider):
    service_name = "cloudwatch"

    def put_metric_data(self, ctx: RequestContext, params: dict[str, Any]) -> dict:
        put_metric_data(ctx.session, ctx.account_id, ctx.region, params["Namespace"], params.get("MetricData") or [],
                        ctx.clock.now())
        return {}


PROVIDER = CloudWatchProvider()
