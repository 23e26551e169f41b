"""CreateAccount's work: a real member account (root without credentials) and its admin role."""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from rootplane.authz.gather import source
from rootplane.core import ids
from rootplane.services.accounts import repo as accounts
from rootplane.services.accounts.tables import AccountRow
from rootplane.services.organizations.membership import add_member
from rootplane.services.organizations.tables import OrganizationRow
from rootplane.services.organizations.tags import put_tags

__all__ = ["create_member_account", "ADMIN_POLICY_ARN", "CREATION_DELAY"]

ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
CREATION_DELAY = _dt.timedelta(seconds=1)


def _new_account_id(ctx: Any) -> str:
    while True:
        account_id = ids.account_id()
        if accounts.find_account(ctx.session, account_id) is None:
            return account_id


def _trust_policy(management_account_id: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{management_account_id}:root"},
        "Action": "sts:AssumeRole",
    }]})


def create_member_account(ctx: Any, org: OrganizationRow, params: dict[str, Any]) -> str:
    """Create the account, its membership, contact details and access role; returns the new account id."""
    account_id = _new_account_id(ctx)
    accounts.put_account(ctx.session, AccountRow(
        account_id=account_id, name=params["AccountName"], email=params["Email"], status="ACTIVE",
        created_at=ctx.now(),
    ))
    ctx.session.flush()
    add_member(ctx, org, account_id, "CREATED")
    put_tags(ctx, account_id, params.get("Tags") or [])
    contacts = source("rootplane.services.account.contacts")
    if contacts is not None:
        contacts.seed_member_contact(ctx.session, org.management_account_id, account_id, params["AccountName"])
    iam = source("rootplane.services.iam.api")
    if iam is not None:
        role_name = params.get("RoleName") or "OrganizationAccountAccessRole"
        iam.create_role(ctx.session, account_id, role_name, _trust_policy(org.management_account_id),
                        [ADMIN_POLICY_ARN], ctx.now())
    return account_id
