"""Root-only account preferences the console sets: "IAM user and role access to Billing information" and the
AWS Support plan. Both have no public API on AWS; readers (the authorizer, the Support API) use these functions.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from rootplane.services.account.tables import AccountPreferencesRow

__all__ = ["SUPPORT_PLANS", "BASIC", "DEVELOPER", "DEFAULT_SUPPORT_PLAN", "iam_billing_access",
           "set_iam_billing_access", "support_plan", "set_support_plan", "is_billing_action"]

BASIC, DEVELOPER = "BASIC", "DEVELOPER"
SUPPORT_PLANS = (BASIC, DEVELOPER, "BUSINESS", "ENTERPRISE")
DEFAULT_SUPPORT_PLAN = "BUSINESS"  # so the Support API works out of the box (Basic has none)
_BILLING_PREFIXES = ("aws-portal:", "billing:")


def _row(session: Session, account_id: str) -> AccountPreferencesRow | None:
    return session.get(AccountPreferencesRow, account_id)


def _row_for_update(session: Session, account_id: str) -> AccountPreferencesRow:
    row = _row(session, account_id)
    if row is None:
        row = AccountPreferencesRow(account_id=account_id, iam_billing_access=False, support_plan=DEFAULT_SUPPORT_PLAN)
        session.add(row)
    return row


def iam_billing_access(session: Session, account_id: str) -> bool:
    """Whether IAM users and roles may reach Billing (off until the root user turns it on, as on AWS)."""
    row = _row(session, account_id)
    return bool(row is not None and row.iam_billing_access)


def set_iam_billing_access(session: Session, account_id: str, enabled: bool) -> None:
    _row_for_update(session, account_id).iam_billing_access = enabled


def support_plan(session: Session, account_id: str) -> str:
    """The account's Support plan (``DEFAULT_SUPPORT_PLAN`` unless the root user chose another)."""
    row = _row(session, account_id)
    return row.support_plan if row is not None else DEFAULT_SUPPORT_PLAN


def set_support_plan(session: Session, account_id: str, plan: str) -> None:
    if plan not in SUPPORT_PLANS:
        raise ValueError(f"unknown support plan {plan!r}")
    _row_for_update(session, account_id).support_plan = plan


def is_billing_action(action: str) -> bool:
    """``aws-portal:*`` and ``billing:*`` actions, which the Billing access switch governs for IAM principals."""
    return action.lower().startswith(_BILLING_PREFIXES)
