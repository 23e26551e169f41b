"""The Support API's view of the account's support plan (a root-only setting kept with the account's preferences,
services/account/preferences.py): Basic and Developer have no Support API (the AWS Support API Reference: "You must
have a Business, Enterprise On-Ramp, or Enterprise Support plan to use the AWS Support API")."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.services.account.preferences import BASIC, DEVELOPER, support_plan

__all__ = ["require_subscription"]


def require_subscription(session: Session, account_id: str) -> None:
    """The Support API answers SubscriptionRequiredException to accounts on the Basic or Developer plan."""
    if support_plan(session, account_id) in (BASIC, DEVELOPER):
        raise AwsError("SubscriptionRequiredException",
                       "AWS Premium Support Subscription is required to use this service.", 400)
