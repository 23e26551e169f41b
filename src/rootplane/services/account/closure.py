"""Closing an account from its own console (root only; AWS has no API for it outside Organizations).

The account is SUSPENDED at once (its credentials stop working, its root cannot sign in) and CLOSED after the
post-closure period, as Organizations' CloseAccount does for members. A management account cannot close itself while
its organization has other members, as on AWS.
"""

from __future__ import annotations

import datetime as _dt

from sqlalchemy.orm import Session

from rootplane.services.accounts import repo as accounts
from rootplane.services.organizations import repo as organizations

__all__ = ["close_account", "MANAGEMENT_WITH_MEMBERS"]

MANAGEMENT_WITH_MEMBERS = ("This account is the management account of an organization that still has member accounts. "
                           "Remove or close every member account and delete the organization first.")


def close_account(session: Session, account_id: str, now: _dt.datetime) -> str:
    """Close ``account_id``: "" when done, else why it cannot be closed."""
    account = accounts.find_account(session, account_id)
    if account is None or account.status != "ACTIVE":
        return "This account is already closed."
    found = organizations.organization_of(session, account_id)
    if found is not None and found[0].management_account_id == account_id \
            and organizations.count_members(session, found[0].id) > 1:
        return MANAGEMENT_WITH_MEMBERS
    account.status, account.closed_at = "SUSPENDED", now
    return ""
