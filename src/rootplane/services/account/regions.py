"""The commercial regions and their opt-in status for an account (ENABLING → ENABLED, DISABLING → DISABLED)."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the region lists are read where no table is needed (STS GetCallerIdentity)
    from rootplane.services.account.tables import RegionOptRow

__all__ = ["DEFAULT_REGIONS", "OPT_IN_REGIONS", "ALL_REGIONS", "opt_status", "ENABLE_DURATION", "DISABLE_DURATION"]

DEFAULT_REGIONS = frozenset({
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
    "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
})
OPT_IN_REGIONS = frozenset({
    "af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-6", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1",
    "me-central-1", "me-south-1", "mx-central-1",
})
ALL_REGIONS = tuple(sorted(DEFAULT_REGIONS | OPT_IN_REGIONS))
# As long as AWS took (aws-captures/regions*.json: still ENABLING 119 s after EnableRegion, ENABLED at 137 s; still
# DISABLING 48.5 s after DisableRegion, DISABLED at 49.6 s). --time-travel servers skip the wait.
ENABLE_DURATION = _dt.timedelta(seconds=128)
DISABLE_DURATION = _dt.timedelta(seconds=49)


def opt_status(region_name: str, row: RegionOptRow | None, now: _dt.datetime) -> str:
    """RegionOptStatus of a known region."""
    if region_name in DEFAULT_REGIONS:
        return "ENABLED_BY_DEFAULT"
    if row is None:
        return "DISABLED"
    if now < row.settles_at:
        return "ENABLING" if row.target == "ENABLED" else "DISABLING"
    return row.target
