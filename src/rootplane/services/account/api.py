"""What other services use: an account's region opt-in state (EC2 DescribeRegions)."""

from __future__ import annotations

import datetime as _dt

from sqlalchemy.orm import Session

from rootplane.services.account import repo
from rootplane.services.account.regions import ALL_REGIONS, opt_status

__all__ = ["region_opt_statuses"]


def region_opt_statuses(session: Session, account_id: str, now: _dt.datetime) -> dict[str, str]:
    """Every commercial region of the account -> its RegionOptStatus (ENABLED_BY_DEFAULT, ENABLED, ENABLING...)."""
    opts = {row.region_name: row for row in repo.list_region_opts(session, account_id)}
    return {name: opt_status(name, opts.get(name), now) for name in ALL_REGIONS}
