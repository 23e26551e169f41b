"""Member accounts: CreateAccount (async status), Describe/List, MoveAccount, CloseAccount, RemoveAccount."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from rootplane.services.context import RequestContext
from rootplane.services.organizations import names, repo
from rootplane.services.organizations.caller import (
    management_only, management_or_delegate, member_of, reading_management_or_delegate,
)
from rootplane.services.organizations.creation import CREATION_DELAY, create_member_account
from rootplane.services.organizations.errors import constraint, invalid_input, org_error
from rootplane.services.organizations.membership import remove_member
from rootplane.services.organizations.org_views import member_page
from rootplane.services.organizations.paging import decode_token, finish_page, page_size
from rootplane.services.organizations.quota import LIMIT_MESSAGE, organization_full
from rootplane.services.organizations.shapes import account_shape, account_states, request_shape
from rootplane.services.organizations.tables import CreateAccountRequestRow
from rootplane.services.organizations.unit_ops import parent_path

__all__ = ["AccountOperations", "PENDING_CLOSURE"]

PENDING_CLOSURE = _dt.timedelta(seconds=10)
CLOSURE_WINDOW = _dt.timedelta(days=30)
RESERVED_ROLE_PREFIX = "AWSServiceRoleFor"  # service-linked roles' names


def _closure_quota(member_count: int) -> int:
    return min(1000, max(250, member_count // 5))


class AccountOperations:
    """Accounts of the organization."""

    def create_account(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_only(ctx)
        if (params.get("RoleName") or "").startswith(RESERVED_ROLE_PREFIX):
            raise invalid_input("INVALID_ROLE_NAME", "You provided a role name that isn't valid. A role name can't "
                                f"begin with the reserved prefix '{RESERVED_ROLE_PREFIX}'.")
        repo.lock_tree(ctx.session, org)
        if organization_full(ctx, org):
            raise constraint("ACCOUNT_NUMBER_LIMIT_EXCEEDED", LIMIT_MESSAGE)
        now = ctx.now()
        request = CreateAccountRequestRow(id=names.new_request_id(), org_id=org.id, account_name=params["AccountName"],
                                          state="SUCCEEDED", requested_at=now, completes_at=now + CREATION_DELAY)
        if repo.find_account_by_email(ctx.session, params["Email"]) is not None:
            request.state, request.failure_reason = "FAILED", "EMAIL_ALREADY_EXISTS"
        else:
            request.account_id = create_member_account(ctx, org, params)
        repo.put(ctx.session, request)
        ctx.audit["create_account_request_id"] = request.id
        return {"CreateAccountStatus": request_shape(request, now)}

    def describe_create_account_status(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        request = repo.find_request(ctx.session, params["CreateAccountRequestId"])
        if request is None or request.org_id != org.id:
            raise org_error("CreateAccountStatusNotFoundException")
        return {"CreateAccountStatus": request_shape(request, ctx.now())}

    def list_create_account_status(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        size, after, now = page_size(params), decode_token(params.get("NextToken")), ctx.now()
        wanted = set(params.get("States") or ())
        found: list[dict[str, Any]] = []
        while len(found) <= size:
            chunk = repo.list_requests(ctx.session, org.id, after, 100)
            if not chunk:
                break
            for request in chunk:
                shape = request_shape(request, now)
                if not wanted or shape["State"] in wanted:
                    found.append(shape)
            after = chunk[-1].id
        rows, token = finish_page(found, size, lambda shape: shape["Id"])
        return {"CreateAccountStatuses": rows, "NextToken": token}

    def describe_account(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        found = member_of(ctx, org, params["AccountId"])
        if found is None:
            raise org_error("AccountNotFoundException")
        return {"Account": account_shape(org, found[0], found[1], ctx.now())}

    def list_accounts(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = reading_management_or_delegate(ctx)
        size = page_size(params)
        members = member_page(ctx.session, org.id, decode_token(params.get("NextToken")), size + 1)
        members, token = finish_page(members, size, lambda member: member.account_id)
        # A Member carries its membership's columns and its account's.
        return {"Accounts": [account_shape(org, member, member, ctx.now()) for member in members], "NextToken": token}

    def list_accounts_for_parent(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        if parent_path(ctx, org, params["ParentId"]) is None:
            raise org_error("ParentNotFoundException")
        size = page_size(params)
        rows = repo.list_members_for_parent(ctx.session, params["ParentId"], decode_token(params.get("NextToken")),
                                            size + 1)
        rows, token = finish_page(rows, size, lambda pair: pair[0].account_id)
        return {"Accounts": [account_shape(org, m, a, ctx.now()) for m, a in rows], "NextToken": token}

    def move_account(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        org = management_only(ctx)
        repo.lock_tree(ctx.session, org)
        if parent_path(ctx, org, params["SourceParentId"]) is None:
            raise org_error("SourceParentNotFoundException")
        destination = parent_path(ctx, org, params["DestinationParentId"])
        if destination is None:
            raise org_error("DestinationParentNotFoundException")
        found = member_of(ctx, org, params["AccountId"])
        if found is None or found[0].parent_id != params["SourceParentId"]:
            raise org_error("AccountNotFoundException")
        membership = found[0]
        if params["SourceParentId"] == params["DestinationParentId"]:
            raise org_error("DuplicateAccountException")
        membership.parent_id, membership.path = params["DestinationParentId"], destination[0]

    def close_account(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        org = management_or_delegate(ctx)
        account_id = params["AccountId"]
        if account_id == org.management_account_id:
            raise constraint("CANNOT_CLOSE_MANAGEMENT_ACCOUNT",
                             "You attempted to close the management account. You can't close the management account "
                             "with this operation.")
        found = member_of(ctx, org, account_id)
        if found is None:
            raise org_error("AccountNotFoundException")
        account = found[1]
        if account_states(account, ctx.now())[0] != "ACTIVE":
            raise org_error("AccountAlreadyClosedException")
        if org.feature_set != "ALL":
            raise constraint("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
                             "You can close accounts only in an organization with all features enabled.")
        now = ctx.now()
        quota = _closure_quota(repo.count_members(ctx.session, org.id) - 1)
        if repo.count_closures_since(ctx.session, org.id, now - CLOSURE_WINDOW) >= quota:
            raise constraint("CLOSE_ACCOUNT_QUOTA_EXCEEDED",
                             "You have exceeded close account quota for the past 30 days.")
        account.status, account.closed_at = "SUSPENDED", now + PENDING_CLOSURE
        # Every credential of the account stops working now: drop the gateway's whole credential cache.
        ctx.audit.setdefault("revoked_access_keys", []).append(None)

    def remove_account_from_organization(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        org = management_only(ctx)
        if params["AccountId"] == org.management_account_id:
            raise org_error("MasterCannotLeaveOrganizationException")
        found = member_of(ctx, org, params["AccountId"])
        if found is None:
            raise org_error("AccountNotFoundException")
        remove_member(ctx, org, found[0])
