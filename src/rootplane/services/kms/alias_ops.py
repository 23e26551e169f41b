"""Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases."""

from __future__ import annotations

import re
from typing import Any

from rootplane.services.context import RequestContext
from rootplane.services.kms import repo
from rootplane.services.kms.crypto import key_type
from rootplane.services.kms.errors import already_exists, invalid_alias, invalid_state, not_found, validation
from rootplane.services.kms.keys import PENDING_DELETION, alias_arn, resolve
from rootplane.services.kms.managed import PREDEFINED
from rootplane.services.kms.paging import after, page
from rootplane.services.kms.tables import AliasRow, KeyRow

__all__ = ["AliasOperations"]

_ALIAS_NAME = re.compile(r"^alias/[a-zA-Z0-9/_-]+$")


def _kind(key: KeyRow) -> tuple[str, str]:
    return key_type(key.key_spec), key.key_usage


class AliasOperations:
    def _target(self, ctx: RequestContext, identifier: str) -> KeyRow:
        key = resolve(ctx.session, ctx.region, ctx.account_id, identifier, ctx.now(), aliases=False)
        if key.state == PENDING_DELETION:
            raise invalid_state(f"{key.arn} is pending deletion.")
        return key

    def _existing(self, ctx: RequestContext, name: str) -> AliasRow:
        alias = repo.find_alias(ctx.session, ctx.account_id, ctx.region, name)
        if alias is None:
            raise not_found(f"Alias {alias_arn(ctx.region, ctx.account_id, name)} is not found.")
        return alias

    def create_alias(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        name = params["AliasName"]
        if not _ALIAS_NAME.match(name):
            raise invalid_alias(f"Alias name {name} is invalid: it must begin with alias/ and contain only "
                                "alphanumeric characters, forward slashes, underscores and dashes.")
        if name.startswith("alias/aws/"):
            raise invalid_alias("Alias names that begin with alias/aws/ are reserved for AWS managed keys.")
        key = self._target(ctx, params["TargetKeyId"])
        if repo.find_alias(ctx.session, ctx.account_id, ctx.region, name) is not None:
            raise already_exists(f"An alias with the name {alias_arn(ctx.region, ctx.account_id, name)} already exists")
        now = ctx.now()
        repo.put(ctx.session, AliasRow(account_id=ctx.account_id, region=ctx.region, name=name, key_id=key.key_id,
                                       created_at=now, updated_at=now))

    def update_alias(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        """The alias moves only to a key of its current key's type (symmetric, asymmetric or HMAC) and key usage,
        as UpdateAlias's documentation says."""
        alias = self._existing(ctx, params["AliasName"])
        key, current = self._target(ctx, params["TargetKeyId"]), repo.find_key(ctx.session, alias.key_id, ctx.region)
        if current is not None and _kind(key) != _kind(current):
            raise validation(f"Alias {alias_arn(ctx.region, ctx.account_id, alias.name)} cannot be associated with "
                             f"{key.arn}: the current and new KMS key must be the same type (both symmetric or both "
                             "asymmetric or both HMAC) with the same key usage.")
        alias.key_id, alias.updated_at = key.key_id, ctx.now()

    def delete_alias(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        repo.delete_alias(ctx.session, self._existing(ctx, params["AliasName"]))

    def list_aliases(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """The aliases by name; without KeyId, also the predefined ones whose AWS managed key does not exist yet
        (no TargetKeyId), as ListAliases' documentation says."""
        key_id = None
        if params.get("KeyId"):
            key_id = resolve(ctx.session, ctx.region, ctx.account_id, params["KeyId"], ctx.now(), aliases=False).key_id
        limit, start = params.get("Limit") or 50, after(params)
        entries = [self._entry(ctx, alias.name, alias) for alias in
                   repo.list_aliases(ctx.session, ctx.account_id, ctx.region, key_id, start, limit + 1)]
        if key_id is None:
            made = repo.alias_names(ctx.session, ctx.account_id, ctx.region, PREDEFINED)
            entries = sorted(entries + [self._entry(ctx, name) for name in PREDEFINED
                                        if name not in made and (start is None or name > start)],
                             key=lambda entry: entry["AliasName"])[:limit + 1]
        rows, more = page(entries, limit, lambda entry: entry["AliasName"])
        return {"Aliases": rows, **more}

    @staticmethod
    def _entry(ctx: RequestContext, name: str, alias: AliasRow | None = None) -> dict[str, Any]:
        """An AliasListEntry; a predefined alias without its key (``alias`` None) has only its name and ARN."""
        entry: dict[str, Any] = {"AliasName": name, "AliasArn": alias_arn(ctx.region, ctx.account_id, name)}
        if alias is not None:
            entry.update(TargetKeyId=alias.key_id, CreationDate=alias.created_at, LastUpdatedDate=alias.updated_at)
        return entry
