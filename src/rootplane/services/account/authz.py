"""Account service authorization: the AccountId rules (a business check, like AWS's suffixed AccessDenied) and
``account:<Operation>`` on ``arn:aws:account::<acct>:account`` or, for a member managed centrally,
``arn:aws:account::<mgmt>:account/<o-id>/<acct>``.
"""

from __future__ import annotations

import re
from typing import Any

from rootplane.authz.checks import AuthzCheck
from rootplane.core.errors import AwsError
from rootplane.services.organizations import api as organizations

__all__ = ["checks", "SERVICE_PRINCIPAL"]

SERVICE_PRINCIPAL = "account.amazonaws.com"
CONTACT_TYPES = frozenset({"BILLING", "OPERATIONS", "SECURITY"})
_REGION_NAME = re.compile(r"^[a-z0-9-]+$")
_TRUSTED_ACCESS = "Your organization must first enable trusted access with AWS Account Management."
_MANAGEMENT_SELF = "The management account can only be managed using the standalone context from the management account."


def _denied(ctx: Any, operation: str, reason: str | None = None) -> AwsError:
    message = f"User: {ctx.principal.arn} is not authorized to perform: account:{operation}"
    return AwsError("AccessDeniedException", f"{message} ({reason})" if reason else message, 403)


def resource_arn(ctx: Any, operation: str, account_id: str | None) -> str:
    """The account resource the request acts on; AccessDeniedException when the caller may not target it."""
    if not account_id:
        return f"arn:aws:account::{ctx.account_id}:account"
    org = organizations.find_organization_of(ctx.session, ctx.account_id)
    if org is None or org.feature_set != "ALL":
        raise _denied(ctx, operation)
    is_management = org.management_account_id == ctx.account_id
    if not is_management and ctx.account_id not in organizations.delegated_admin_accounts(
            ctx.session, org.id, SERVICE_PRINCIPAL):
        raise _denied(ctx, operation)
    if not organizations.is_service_access_enabled(ctx.session, org.id, SERVICE_PRINCIPAL):
        raise _denied(ctx, operation, _TRUSTED_ACCESS)
    if account_id == org.management_account_id:
        raise _denied(ctx, operation, _MANAGEMENT_SELF)
    target = organizations.find_organization_of(ctx.session, account_id)
    if target is None or target.id != org.id:
        raise _denied(ctx, operation)
    return f"arn:aws:account::{org.management_account_id}:account/{org.id}/{account_id}"


def checks(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    context: dict[str, Any] = {}
    region = params.get("RegionName")
    if region is not None:
        if not _REGION_NAME.match(region):
            raise _denied(ctx, operation, "You specified an invalid target region.")
        context["account:TargetRegion"] = region
    contact_type = params.get("AlternateContactType")
    if contact_type is not None:
        # AWS refuses an unknown type (any case but upper: "operations", "Billing", "OTHER") as a denial, not a
        # validation error (aws-captures/contacts.json).
        if contact_type not in CONTACT_TYPES:
            raise _denied(ctx, operation)
        context["account:AlternateContactTypes"] = contact_type
    resource = resource_arn(ctx, operation, params.get("AccountId"))
    return [AuthzCheck(f"account:{operation}", resource, ctx.account_id, context=context)]
