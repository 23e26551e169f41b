"""Account-level IAM: alias, password policy, GetAccountSummary (the Account* flags describe the root user)."""

from __future__ import annotations

from typing import Any

from rootplane.services.context import RequestContext
from rootplane.services.iam import errors, passwords, repo, shapes
from rootplane.services.iam.quotas import QUOTAS
from rootplane.services.iam.tables import AccountAliasRow

__all__ = ["AccountMixin"]


class AccountMixin:
    def get_account_summary(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"SummaryMap": {**QUOTAS, **repo.account_summary(ctx.session, ctx.account_id)}}

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
        aliases, paging = shapes.page_of([current.alias] if current else [], params.get("Marker"), params.get("MaxItems"))
        return {"AccountAliases": aliases, **paging}

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
