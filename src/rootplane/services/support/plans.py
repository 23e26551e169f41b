"""The account's support plan: a root-only setting; Basic has no Support API."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.services.support import repo
from rootplane.services.support.tables import SupportPlanRow

__all__ = ["PLANS", "DEFAULT_PLAN", "support_plan", "set_support_plan", "require_subscription"]

PLANS = ("BASIC", "DEVELOPER", "BUSINESS", "ENTERPRISE")
DEFAULT_PLAN = "BUSINESS"


def support_plan(session: Session, account_id: str) -> str:
    """BASIC, DEVELOPER, BUSINESS or ENTERPRISE (BUSINESS unless changed, so the Support API works at once)."""
    row = repo.find_plan(session, account_id)
    return row.plan if row is not None else DEFAULT_PLAN


def set_support_plan(session: Session, account_id: str, plan: str) -> None:
    if plan not in PLANS:
        raise ValueError(f"unknown support plan {plan!r}")
    row = repo.find_plan(session, account_id)
    if row is None:
        repo.put(session, SupportPlanRow(account_id=account_id, plan=plan))
    else:
        row.plan = plan


def require_subscription(session: Session, account_id: str) -> None:
    """The Support API answers SubscriptionRequiredException to accounts on the Basic plan."""
    if support_plan(session, account_id) == "BASIC":
        raise AwsError("SubscriptionRequiredException",
                       "AWS Premium Support Subscription is required to use this service.", 400)
