"""Account-level IAM: alias, password policy, GetAccountSummary (the Account* flags describe the root user)."""

from __future__ import annotations

from typing import Any

from rootplane.services.accounts import repo as accounts
from rootplane.services.context import RequestContext
from rootplane.services.iam import errors, passwords, repo
from rootplane.services.iam.quotas import QUOTAS
from rootplane.services.iam.tables import (
    AccountAliasRow, GroupRow, InstanceProfileRow, ManagedPolicyRow, MfaDeviceRow, OidcProviderRow, RoleRow,
    SamlProviderRow, ServerCertificateRow, UserRow,
)

__all__ = ["AccountMixin", "root_flags"]


def root_flags(ctx: RequestContext) -> dict[str, int]:
    """Whether the root user has MFA, access keys, a password, signing certificates (0/1)."""
    session, account_id = ctx.session, ctx.account_id
    account = accounts.find_account(session, account_id)
    return {
        "AccountMFAEnabled": int(repo.count_mfa_devices(session, account_id, account_id) > 0),
        "AccountAccessKeysPresent": int(accounts.count_access_keys(session, account_id, None) > 0),
        "AccountPasswordPresent": int(bool(account is not None and account.root_password_hash)),
        "AccountSigningCertificatesPresent": int(repo.count_certificates(session, account_id, account_id) > 0),
    }


class AccountMixin:
    def get_account_summary(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        session, account_id = ctx.session, ctx.account_id
        counts = {
            "Users": repo.count_named(session, UserRow, account_id),
            "Groups": repo.count_named(session, GroupRow, account_id),
            "Roles": repo.count_named(session, RoleRow, account_id),
            "Policies": repo.count_named(session, ManagedPolicyRow, account_id),
            "InstanceProfiles": repo.count_named(session, InstanceProfileRow, account_id),
            "MFADevices": repo.count_named(session, MfaDeviceRow, account_id),
            "MFADevicesInUse": repo.count_mfa_devices(session, account_id),
            "PolicyVersionsInUse": repo.count_policy_versions_in_use(session, account_id),
            "ServerCertificates": repo.count_named(session, ServerCertificateRow, account_id),
            "Providers": repo.count_providers(session, OidcProviderRow, account_id)
            + repo.count_providers(session, SamlProviderRow, account_id),
        }
        settings = repo.find_settings(session, account_id)
        counts["GlobalEndpointTokenVersion"] = (settings.sts_token_version if settings is not None else None) or 1
        return {"SummaryMap": {**QUOTAS, **counts, **root_flags(ctx)}}

    def create_account_alias(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        alias = params["AccountAlias"]
        existing = repo.find_alias(ctx.session, alias)
        if existing is not None:
            if existing.account_id == ctx.account_id:
                return None
            raise errors.already_exists(f"The account alias {alias} already exists.")
        current = repo.alias_of(ctx.session, ctx.account_id)
        if current is not None:
            repo.remove(ctx.session, current)
        repo.put(ctx.session, AccountAliasRow(alias=alias, account_id=ctx.account_id))
        return None

    def delete_account_alias(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        alias = params["AccountAlias"]
        existing = repo.find_alias(ctx.session, alias)
        if existing is None or existing.account_id != ctx.account_id:
            raise errors.no_such_entity(f"The account alias {alias} cannot be found.")
        repo.remove(ctx.session, existing)
        return None

    def list_account_aliases(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        current = repo.alias_of(ctx.session, ctx.account_id)
        return {"AccountAliases": [current.alias] if current else [], "IsTruncated": False}

    def update_account_password_policy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        repo.settings(ctx.session, ctx.account_id).password_policy = passwords.policy_from_params(params)
        return None

    def get_account_password_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        policy = repo.password_policy(ctx.session, ctx.account_id)
        if policy is None:
            raise errors.no_such_entity(f"The Password Policy with domain name {ctx.account_id} cannot be found.")
        return {"PasswordPolicy": passwords.policy_output(policy)}

    def delete_account_password_policy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        settings = repo.find_settings(ctx.session, ctx.account_id)
        if settings is None or settings.password_policy is None:
            raise errors.no_such_entity(f"The account policy with name {ctx.account_id} cannot be found.")
        settings.password_policy = None
        return None
