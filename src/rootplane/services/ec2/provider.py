"""EC2 operations audit tools call: DescribeRegions. Every other EC2 operation answers 501 NotImplemented."""

from __future__ import annotations

from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.account.api import region_opt_statuses
from rootplane.services.context import RequestContext
from rootplane.services.ec2.filters import compile_filters
from rootplane.services.provider import Provider

__all__ = ["Ec2Provider", "PROVIDER"]

# Account RegionOptStatus -> EC2 OptInStatus. A region being disabled still serves until it is; one being
# enabled does not yet.
_OPT_IN_STATUS = {
    "ENABLED_BY_DEFAULT": "opt-in-not-required",
    "ENABLED": "opted-in",
    "DISABLING": "opted-in",
    "ENABLING": "not-opted-in",
    "DISABLED": "not-opted-in",
}
_REGION_FILTERS = frozenset({"endpoint", "opt-in-status", "region-name"})


def _dry_run(params: dict[str, Any]) -> None:
    """The answer to an authorized DryRun request (authorization already ran)."""
    if params.get("DryRun"):
        raise AwsError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412)


class Ec2Provider(Provider):
    """DescribeRegions, backed by the Account service's region opt-in state of the caller's account."""

    service_name = "ec2"

    def describe_regions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _dry_run(params)
        matches = compile_filters(params.get("Filters"), _REGION_FILTERS)
        statuses = region_opt_statuses(ctx.session, ctx.account_id, ctx.now())
        named = params.get("RegionNames")
        for name in named or ():
            if name not in statuses:
                raise AwsError("InvalidParameterValue", f"Invalid region names: [{name}]", 400)
        regions = []
        for name, status in statuses.items():
            opt_in = _OPT_IN_STATUS[status]
            if named and name not in named:
                continue
            if not named and not params.get("AllRegions") and opt_in == "not-opted-in":
                continue
            region = {"RegionName": name, "Endpoint": f"ec2.{name}.amazonaws.com", "OptInStatus": opt_in}
            if matches({"region-name": name, "endpoint": region["Endpoint"], "opt-in-status": opt_in}):
                regions.append(region)
        return {"Regions": regions}


PROVIDER = Ec2Provider()
