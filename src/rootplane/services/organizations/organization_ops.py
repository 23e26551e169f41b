"""CreateOrganization, DescribeOrganization, DeleteOrganization, ListRoots, EnableAllFeatures, LeaveOrganization."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from rootplane.services.accounts import repo as accounts
from rootplane.services.context import RequestContext
from rootplane.services.organizations import names, repo
from rootplane.services.organizations.caller import (
    attach_defaults, caller_org, management_account, management_only, reading_caller_org,
    reading_management_or_delegate,
)
from rootplane.services.organizations.errors import constraint, handshake_constraint, org_error
from rootplane.services.organizations.features import request_all_features
from rootplane.services.organizations.membership import remove_member
from rootplane.services.organizations.shapes import handshake_shape, organization_shape, root_shape
from rootplane.services.organizations.tables import MembershipRow, OrganizationRow

__all__ = ["OrganizationOperations"]


class OrganizationOperations:
    """The organization itself and its root."""

    def create_organization(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        # One request per account at a time across servers: of two racing creations the second finds the first.
        accounts.lock_account(ctx.session, ctx.account_id)
        if repo.find_membership(ctx.session, ctx.account_id) is not None:
            raise org_error("AlreadyInOrganizationException")
        feature_set = params.get("FeatureSet") or "ALL"
        root_id = names.new_root_id()
        org = OrganizationRow(
            id=names.new_organization_id(), management_account_id=ctx.account_id, feature_set=feature_set,
            root_id=root_id, policy_types="SERVICE_CONTROL_POLICY" if feature_set == "ALL" else "",
            created_at=ctx.now(),
        )
        repo.put(ctx.session, org)
        repo.put(ctx.session, MembershipRow(account_id=ctx.account_id, org_id=org.id, parent_id=root_id,
                                            path=f"{root_id}/", joined_method="CREATED", joined_at=ctx.now()))
        attach_defaults(ctx, org, root_id, "ROOT")
        attach_defaults(ctx, org, ctx.account_id, "ACCOUNT")
        return {"Organization": organization_shape(org, management_account(ctx, org).email)}

    def describe_organization(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        caller = reading_caller_org(ctx)
        return {"Organization": organization_shape(caller.organization, caller.management_email)}

    def delete_organization(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        org = management_only(ctx)
        if repo.count_members(ctx.session, org.id) > 1:
            raise org_error("OrganizationNotEmptyException")
        repo.delete_org_rows(ctx.session, org.id)

    def list_roots(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = reading_management_or_delegate(ctx)
        return {"Roots": [root_shape(org)]}

    def enable_all_features(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_only(ctx)
        if org.feature_set == "ALL":
            raise handshake_constraint("ORGANIZATION_ALREADY_HAS_ALL_FEATURES",
                                       "All features are already enabled on this organization.")
        handshake = request_all_features(ctx, org)
        mgmt = management_account(ctx, org)
        return {"Handshake": handshake_shape(org, handshake, mgmt.email, mgmt.name, ctx.now())}

    def leave_organization(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        org = caller_org(ctx)
        if org.management_account_id == ctx.account_id:
            raise org_error("MasterCannotLeaveOrganizationException")
        membership = repo.find_membership(ctx.session, ctx.account_id)
        assert membership is not None
        if membership.joined_method == "CREATED" and ctx.now() - membership.joined_at < _dt.timedelta(days=4):
            raise constraint("WAIT_PERIOD_ACTIVE", "You cannot remove a newly created account from an "
                             "organization until at least four days after the account was created.")
        remove_member(ctx, org, membership)
