"""ListRegions, GetRegionOptStatus, EnableRegion, DisableRegion."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from rootplane.services.account import repo
from rootplane.services.account.api import region_opt_statuses
from rootplane.services.account.errors import conflict, field_invalid, region_invalid, validation
from rootplane.services.account.regions import (
    ALL_REGIONS, DISABLE_DURATION, ENABLE_DURATION, OPT_IN_REGIONS, opt_status,
)
from rootplane.services.account.tables import RegionOptRow
from rootplane.services.account.scope import target_account
from rootplane.services.context import RequestContext

__all__ = ["RegionOperations"]

DEFAULT_PAGE = 20
_SWITCH_REFUSED = "Unable to switch region status because of its current opt-in status."


def _decode(token: str | None) -> str | None:
    if token is None:
        return None
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith("regions|"):
        raise field_invalid("NextToken", "NextToken is malformed")
    return text[len("regions|"):]


def _known(region_name: str) -> str:
    if region_name not in ALL_REGIONS:
        raise region_invalid(region_name)
    return region_name


class RegionOperations:
    """Region opt-in."""

    def list_regions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        account_id, now = target_account(ctx, params), ctx.now()
        size = params.get("MaxResults") or DEFAULT_PAGE
        after = _decode(params.get("NextToken"))
        wanted = set(params.get("RegionOptStatusContains") or ())
        statuses = region_opt_statuses(ctx.session, account_id, now)
        regions = [{"RegionName": name, "RegionOptStatus": status}
                   for name, status in statuses.items() if after is None or name > after]
        regions = [r for r in regions if not wanted or r["RegionOptStatus"] in wanted]
        result: dict[str, Any] = {"Regions": regions[:size]}
        if len(regions) > size:
            result["NextToken"] = base64.urlsafe_b64encode(f"regions|{regions[size - 1]['RegionName']}".encode()).decode()
        return result

    def get_region_opt_status(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = _known(params["RegionName"])
        row = repo.find_region_opt(ctx.session, target_account(ctx, params), name)
        return {"RegionName": name, "RegionOptStatus": opt_status(name, row, ctx.now())}

    def enable_region(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        self._switch(ctx, params, "ENABLED")

    def disable_region(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        self._switch(ctx, params, "DISABLED")

    @staticmethod
    def _switch(ctx: RequestContext, params: dict[str, Any], target: str) -> None:
        account_id, name, now = target_account(ctx, params), _known(params["RegionName"]), ctx.now()
        row = repo.find_region_opt(ctx.session, account_id, name)
        status = opt_status(name, row, now)
        if status in ("ENABLING", "DISABLING"):
            raise conflict(f"Account {account_id} and region {name} is currently being enabled or disabled. "
                           "Please wait until it finishes and then try again.")
        if name not in OPT_IN_REGIONS or status == target:
            raise validation(_SWITCH_REFUSED, "invalidRegionOptTarget", "RegionName")
        settles_at = now + (ENABLE_DURATION if target == "ENABLED" else DISABLE_DURATION)
        if row is None:
            repo.put(ctx.session, RegionOptRow(account_id=account_id, region_name=name, target=target,
                                               settles_at=settles_at))
        else:
            row.target, row.settles_at = target, settles_at
