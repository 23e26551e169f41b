"""Trusted access for AWS services and delegated administrators."""

from __future__ import annotations

from typing import Any

from rootplane.services.context import RequestContext
from rootplane.services.organizations import api, repo
from rootplane.services.organizations.caller import management_only, management_or_delegate, member_of
from rootplane.services.organizations.errors import constraint, invalid_input, org_error
from rootplane.services.organizations.paging import decode_token, finish_page, page_size
from rootplane.services.organizations.shapes import account_shape
from rootplane.services.organizations.tables import OrganizationRow, ServiceAccessRow

__all__ = ["AccessOperations", "SERVICE_PRINCIPALS"]

SERVICE_PRINCIPALS = frozenset({
    "iam.amazonaws.com", "account.amazonaws.com", "sso.amazonaws.com", "cloudtrail.amazonaws.com",
    "config.amazonaws.com", "config-multiaccountsetup.amazonaws.com", "guardduty.amazonaws.com",
    "securityhub.amazonaws.com", "ram.amazonaws.com", "member.org.stacksets.cloudformation.amazonaws.com",
    "access-analyzer.amazonaws.com", "backup.amazonaws.com", "fms.amazonaws.com", "inspector2.amazonaws.com",
    "macie.amazonaws.com", "ssm.amazonaws.com", "tagpolicies.tag.amazonaws.com", "health.amazonaws.com",
    "compute-optimizer.amazonaws.com", "controltower.amazonaws.com", "detective.amazonaws.com",
    "ipam.amazonaws.com", "license-manager.amazonaws.com", "servicecatalog.amazonaws.com",
    "storage-lens.s3.amazonaws.com", "reporting.trustedadvisor.amazonaws.com", "auditmanager.amazonaws.com",
    "securitylake.amazonaws.com", "malware-protection.guardduty.amazonaws.com", "events.amazonaws.com",
})


def _recognized(service_principal: str) -> str:
    if service_principal not in SERVICE_PRINCIPALS:
        raise invalid_input("UNRECOGNIZED_SERVICE_PRINCIPAL", "You specified an unrecognized service principal.")
    return service_principal


def _registered_member(ctx: Any, org: OrganizationRow, account_id: str):
    found = member_of(ctx, org, account_id)
    if found is None:
        raise org_error("AccountNotFoundException")
    return found


class AccessOperations:
    """EnableAWSServiceAccess & co., delegated administrators."""

    def enable_aws_service_access(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        org = management_only(ctx)
        principal = _recognized(params["ServicePrincipal"])
        if org.feature_set != "ALL":
            raise constraint("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
                             "You can enable trusted access only in an organization with all features enabled.")
        if repo.find_service_access(ctx.session, org.id, principal) is None:
            repo.put(ctx.session, ServiceAccessRow(org_id=org.id, service_principal=principal, enabled_at=ctx.now()))

    def disable_aws_service_access(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        org = management_only(ctx)
        principal = _recognized(params["ServicePrincipal"])
        if repo.count_delegates(ctx.session, org.id, principal):
            raise constraint("DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE",
                             "You have delegated administrator/s for this service. De-register them in order to "
                             "disable service access.")
        row = repo.find_service_access(ctx.session, org.id, principal)
        if row is not None:
            repo.remove(ctx.session, row)

    def list_aws_service_access_for_organization(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        size = page_size(params)
        rows = repo.list_service_access(ctx.session, org.id, decode_token(params.get("NextToken")), size + 1)
        rows, token = finish_page(rows, size, lambda r: r.service_principal)
        return {"EnabledServicePrincipals": [{"ServicePrincipal": r.service_principal, "DateEnabled": r.enabled_at}
                                             for r in rows], "NextToken": token}

    def register_delegated_administrator(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        org = management_only(ctx)
        principal, account_id = _recognized(params["ServicePrincipal"]), params["AccountId"]
        if account_id == org.management_account_id:
            raise constraint("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
                             "You cannot register the management account as a delegated administrator for your "
                             "organization.")
        _, account = _registered_member(ctx, org, account_id)
        if account.status != "ACTIVE":
            raise constraint("CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
                             "You cannot register a suspended account as a delegated administrator.")
        if repo.find_service_access(ctx.session, org.id, principal) is None:
            raise constraint("SERVICE_ACCESS_NOT_ENABLED",
                             "You attempted to register a delegated administrator for a service that doesn't have "
                             "trusted access enabled in your organization.")
        if repo.find_delegate(ctx.session, org.id, principal, account_id) is not None:
            raise org_error("AccountAlreadyRegisteredException")
        if repo.count_delegates(ctx.session, org.id, principal) >= api.delegate_limit(principal):
            raise constraint("MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED",
                             "You attempted to register more delegated administrators than allowed for the service "
                             "principal.")
        api.add_delegate(ctx.session, org.id, principal, account_id, ctx.now())

    def deregister_delegated_administrator(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        org = management_only(ctx)
        principal, account_id = _recognized(params["ServicePrincipal"]), params["AccountId"]
        _registered_member(ctx, org, account_id)
        if not api.remove_delegate(ctx.session, org.id, principal, account_id):
            raise org_error("AccountNotRegisteredException")

    def list_delegated_administrators(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        principal = params.get("ServicePrincipal")
        if principal:
            _recognized(principal)
        size = page_size(params)
        rows = repo.list_delegates(ctx.session, org.id, principal, decode_token(params.get("NextToken")), size + 1)
        rows, token = finish_page(rows, size, lambda r: f"{r.account_id}|{r.service_principal}")
        admins: dict[str, dict[str, Any]] = {}
        for row in rows:
            if row.account_id in admins:
                continue
            membership, account = _registered_member(ctx, org, row.account_id)
            shape = account_shape(org, membership, account, ctx.now())
            shape.pop("Paths", None)
            admins[row.account_id] = {**shape, "DelegationEnabledDate": row.enabled_at}
        return {"DelegatedAdministrators": list(admins.values()), "NextToken": token}

    def list_delegated_services_for_account(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        _registered_member(ctx, org, params["AccountId"])
        size = page_size(params)
        rows = repo.list_delegations_for_account(ctx.session, params["AccountId"],
                                                 decode_token(params.get("NextToken")), size + 1)
        if not rows and not params.get("NextToken"):
            raise org_error("AccountNotRegisteredException")
        rows, token = finish_page(rows, size, lambda r: r.service_principal)
        return {"DelegatedServices": [{"ServicePrincipal": r.service_principal,
                                       "DelegationEnabledDate": r.enabled_at} for r in rows], "NextToken": token}
