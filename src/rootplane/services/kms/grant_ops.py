"""Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant.

A grant takes effect at once here (AWS's eventual consistency, which grant tokens work around, does not arise), so
grant tokens are accepted wherever the model has them; RetireGrant also finds a grant by its token.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.kms import repo
from rootplane.services.kms.crypto import grant_operations_of
from rootplane.services.kms.errors import check_dry_run, invalid_state, not_found, validation
from rootplane.services.kms.keys import PENDING_DELETION, resolve
from rootplane.services.kms.paging import after, page
from rootplane.services.kms.tables import GrantRow, KeyRow

__all__ = ["GrantOperations"]

_PRINCIPAL = re.compile(r"^(\d{12}|arn:aws[a-z-]*:(iam|sts)::\d{12}:[\w+=,.@/-]+|[a-z0-9.-]+\.amazonaws\.com)$")


def _check_principal(member: str, value: str) -> None:
    if not _PRINCIPAL.match(value):
        raise validation(f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
                         "Member must be a valid AWS principal")


def _check_operations(key: KeyRow, operations: list[str]) -> None:
    """A grant allows only operations its key supports: none that another key type has (a symmetric key's grant
    cannot allow Sign, an asymmetric key's cannot allow GenerateDataKey): ValidationException, as CreateGrant's
    Operations documentation says."""
    unsupported = [operation for operation in operations
                   if operation not in grant_operations_of(key.key_spec, key.key_usage)]
    if unsupported:
        raise validation(f"Grant operations {', '.join(unsupported)} are not supported for this key: {key.arn} has "
                         f"KeySpec {key.key_spec} and KeyUsage {key.key_usage}.")


def _grant_shape(key_arn: str, grant: GrantRow) -> dict[str, Any]:
    shape: dict[str, Any] = {"KeyId": key_arn, "GrantId": grant.grant_id, "CreationDate": grant.created_at,
                             "GranteePrincipal": grant.grantee_principal, "IssuingAccount": grant.issuing_account,
                             "Operations": json.loads(grant.operations_json)}
    if grant.name:
        shape["Name"] = grant.name
    if grant.retiring_principal:
        shape["RetiringPrincipal"] = grant.retiring_principal
    if grant.constraints_json:
        shape["Constraints"] = json.loads(grant.constraints_json)
    return shape


class GrantOperations:
    def create_grant(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = resolve(ctx.session, ctx.region, ctx.account_id, params["KeyId"], ctx.now(), aliases=False)
        if key.state == PENDING_DELETION:
            raise invalid_state(f"{key.arn} is pending deletion.")
        _check_principal("granteePrincipal", params.get("GranteePrincipal") or "")
        if params.get("RetiringPrincipal"):
            _check_principal("retiringPrincipal", params["RetiringPrincipal"])
        operations = list(dict.fromkeys(params["Operations"]))
        _check_operations(key, operations)
        constraints = json.dumps(params["Constraints"], sort_keys=True) if params.get("Constraints") else None
        check_dry_run(params)
        if params.get("Name"):
            for grant in repo.grants_of(ctx.session, key):
                if (grant.name, grant.grantee_principal, grant.retiring_principal, json.loads(grant.operations_json),
                        grant.constraints_json) == (params["Name"], params["GranteePrincipal"],
                                                    params.get("RetiringPrincipal"), operations, constraints):
                    return {"GrantToken": grant.token, "GrantId": grant.grant_id}
        grant = repo.put(ctx.session, GrantRow(
            grant_id=secrets.token_hex(32), key_id=key.key_id, region=key.region, token=secrets.token_urlsafe(96),
            name=params.get("Name"), grantee_principal=params["GranteePrincipal"],
            retiring_principal=params.get("RetiringPrincipal"), issuing_account=f"arn:aws:iam::{ctx.account_id}:root",
            operations_json=json.dumps(operations), constraints_json=constraints, created_at=ctx.now()))
        return {"GrantToken": grant.token, "GrantId": grant.grant_id}

    def list_grants(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = resolve(ctx.session, ctx.region, ctx.account_id, params["KeyId"], ctx.now(), aliases=False)
        limit = params.get("Limit") or 50
        rows, more = page(repo.list_grants(ctx.session, key, after(params), limit + 1, params.get("GrantId"),
                                           params.get("GranteePrincipal")), limit, lambda grant: grant.grant_id)
        return {"Grants": [_grant_shape(key.arn, grant) for grant in rows], **more}

    def list_retirable_grants(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        limit = params.get("Limit") or 50
        if not params.get("RetiringPrincipal"):
            raise validation("RetiringPrincipal is required.")
        rows, more = page(repo.list_retirable_grants(ctx.session, params["RetiringPrincipal"], ctx.region,
                                                     after(params), limit + 1), limit, lambda grant: grant.grant_id)
        shapes = []
        for grant in rows:
            key = repo.find_key(ctx.session, grant.key_id, ctx.region)
            if key is not None:
                shapes.append(_grant_shape(key.arn, grant))
        return {"Grants": shapes, **more}

    def retire_grant(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        """By token, or by key and grant id; only the retiring principal, or the grantee when RetireGrant is one of
        the grant's operations, may retire it."""
        if params.get("GrantToken"):
            grant = repo.find_grant_by_token(ctx.session, params["GrantToken"], ctx.region)
            if grant is None:
                raise AwsError("InvalidGrantTokenException", "Grant token is invalid.", 400)
        elif params.get("KeyId") and params.get("GrantId"):
            key = resolve(ctx.session, ctx.region, ctx.account_id, params["KeyId"], ctx.now(), aliases=False)
            grant = repo.find_grant(ctx.session, params["GrantId"], key)
            if grant is None:
                raise not_found(f"Grant ID {params['GrantId']} not found")
        else:
            raise validation("Either GrantToken, or both KeyId and GrantId, must be specified.")
        principal = ctx.principal
        callers = {name for name in (principal.arn, principal.role_arn,
                                     principal.account_id if principal.is_root else None) if name}
        allowed = grant.retiring_principal in callers or (
            grant.grantee_principal in callers and "RetireGrant" in json.loads(grant.operations_json))
        if not allowed:
            key = repo.find_key(ctx.session, grant.key_id, ctx.region)
            raise AwsError("AccessDeniedException", f"User: {principal.arn} is not authorized to perform: "
                           f"kms:RetireGrant on resource: {key.arn if key else grant.key_id}", 400)
        check_dry_run(params)
        repo.delete_grant(ctx.session, grant)

    def revoke_grant(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        key = resolve(ctx.session, ctx.region, ctx.account_id, params["KeyId"], ctx.now(), aliases=False)
        grant = repo.find_grant(ctx.session, params["GrantId"], key)
        if grant is None:
            raise not_found(f"Grant ID {params['GrantId']} not found")
        check_dry_run(params)
        repo.delete_grant(ctx.session, grant)
