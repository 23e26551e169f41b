"""IAM "organizations features": the switches of centralized root access (aws-spec.md b).

Checks run in AWS's order once the gateway has authorized ``iam:<Operation>`` on ``*``: the caller's account
must be in an organization, with all features, with trusted access for IAM; then Enable* needs the management
account and Disable*/List the management account or the IAM delegated administrator.
"""

from __future__ import annotations

from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.rootaccess import features

__all__ = ["OrganizationFeaturesMixin"]


def _error(code: str, message: str) -> AwsError:
    return AwsError(code, message, 400)


def _organization_for(ctx: RequestContext, *, enabling: bool) -> Any:
    """The caller's organization once every check of the operation passed (raises the first failing one)."""
    account_id = ctx.account_id
    organization = features.organization_of(ctx.session, account_id)
    if organization is None:
        raise _error("OrganizationNotFoundException",
                     "The request was rejected because no organization is associated with your account.")
    if organization.feature_set != features.ALL_FEATURES:
        raise _error("OrganizationNotInAllFeaturesModeException",
                     "The request was rejected because your organization does not have All features enabled.")
    if not features.trusted_access_enabled(ctx.session, organization.id):
        raise _error("ServiceAccessNotEnabledException",
                     f"Trusted Access for IAM not enabled by organization of input account {account_id}.")
    is_management = organization.management_account_id == account_id
    if enabling and not is_management:
        raise _error("CallerIsNotManagementAccountException",
                     f"Caller account {account_id} is not management account of the organization "
                     "and cannot enable IAM features.")
    if not is_management and not features.is_delegated_admin(ctx.session, organization.id, account_id):
        raise _error("AccountNotManagementOrDelegatedAdministratorException",
                     f"Input account {account_id} is neither management account nor delegated admin.")
    return organization


def _toggle(ctx: RequestContext, feature: str, enabled: bool) -> dict[str, Any]:
    organization = _organization_for(ctx, enabling=enabled)
    names = features.set_feature(ctx.session, organization.id, feature, enabled, ctx.now())
    return {"OrganizationId": organization.id, "EnabledFeatures": names}


class OrganizationFeaturesMixin:
    """The five organization-feature operations, mixed into the IAM provider."""

    def enable_organizations_root_credentials_management(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return _toggle(ctx, features.ROOT_CREDENTIALS_MANAGEMENT, True)

    def disable_organizations_root_credentials_management(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return _toggle(ctx, features.ROOT_CREDENTIALS_MANAGEMENT, False)

    def enable_organizations_root_sessions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return _toggle(ctx, features.ROOT_SESSIONS, True)

    def disable_organizations_root_sessions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return _toggle(ctx, features.ROOT_SESSIONS, False)

    def list_organizations_features(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        organization = _organization_for(ctx, enabling=False)
        return {"OrganizationId": organization.id,
                "EnabledFeatures": features.enabled_features(ctx.session, organization.id)}
