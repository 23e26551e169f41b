"""Service-specific credentials of IAM users: CodeCommit/Keyspaces passwords and Bedrock API keys.

The secret is returned once (create/reset) and never stored: no local service verifies it.
"""

from __future__ import annotations

import base64
import datetime as _dt
import secrets
from typing import Any

from rootplane.core import ids
from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.iam import entities, errors, repo, shapes
from rootplane.services.iam.entities import Target
from rootplane.services.iam.tables import ServiceCredentialRow

__all__ = ["ServiceCredentialsMixin"]

PER_SERVICE_QUOTA = 2
_PASSWORD_SERVICES = frozenset({"codecommit.amazonaws.com", "cassandra.amazonaws.com"})
_API_KEY_SERVICES = frozenset({"bedrock.amazonaws.com"})


def _check_service(service_name: str) -> None:
    if service_name not in _PASSWORD_SERVICES | _API_KEY_SERVICES:
        raise AwsError("NotSupportedService",
                       f"No such service {service_name} is supported for Service-Specific Credentials", 404)


def _credential(ctx: RequestContext, target: Target, credential_id: str) -> ServiceCredentialRow:
    row = ctx.session.get(ServiceCredentialRow, credential_id)
    if row is None or row.user_id != target.owner_id:
        raise errors.no_such_entity(f"No such credential {credential_id} exists")
    return row


def _user_target(ctx: RequestContext, user_name: str | None) -> Target:
    target = entities.credential_target(ctx, user_name)
    if target.user is None:
        raise errors.no_such_entity("The user with name root cannot be found.")
    return target


def _metadata(row: ServiceCredentialRow, user_name: str) -> dict[str, Any]:
    shape: dict[str, Any] = {"UserName": user_name, "Status": row.status, "CreateDate": row.created_at,
                             "ServiceSpecificCredentialId": row.credential_id, "ServiceName": row.service_name}
    alias = "ServiceCredentialAlias" if row.service_name in _API_KEY_SERVICES else "ServiceUserName"
    shape[alias] = row.service_user_name
    if row.expires_at is not None:
        shape["ExpirationDate"] = row.expires_at
    return shape


def _service_user_name(user_name: str, account_id: str, existing: list[ServiceCredentialRow]) -> str:
    """``<user>-at-<account>``, or ``<user>+1-at-<account>`` while the user's other credential for the service holds
    that name (the AWS CLI reference's list-service-specific-credentials example)."""
    name = f"{user_name}-at-{account_id}"
    return f"{user_name}+1-at-{account_id}" if any(row.service_user_name == name for row in existing) else name


def _with_secret(row: ServiceCredentialRow, user_name: str) -> dict[str, Any]:
    """The credential with a fresh secret (create and reset are the only times AWS shows it)."""
    shape = _metadata(row, user_name)
    if row.service_name in _API_KEY_SERVICES:
        shape["ServiceCredentialSecret"] = "ABSK" + base64.b64encode(secrets.token_bytes(96)).decode()
    else:
        shape["ServicePassword"] = base64.b64encode(secrets.token_bytes(32)).decode()  # 44 characters, "=" last
    return shape


class ServiceCredentialsMixin:
    def create_service_specific_credential(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        user = entities.get_user(ctx.session, ctx.account_id, params["UserName"])
        service = params["ServiceName"]
        _check_service(service)
        existing = repo.list_service_credentials(ctx.session, ctx.account_id, user.user_id, service)
        if len(existing) >= PER_SERVICE_QUOTA:
            raise errors.limit_exceeded(
                f"Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: {PER_SERVICE_QUOTA}")
        now = ctx.now()
        days = params.get("CredentialAgeDays")
        row = repo.put(ctx.session, ServiceCredentialRow(
            credential_id=ids.unique_id("ACCA"), account_id=ctx.account_id, user_id=user.user_id,
            service_name=service, service_user_name=_service_user_name(user.user_name, ctx.account_id, existing),
            status="Active",
            created_at=now, expires_at=now + _dt.timedelta(days=days) if days else None,
        ))
        return {"ServiceSpecificCredential": _with_secret(row, user.user_name)}

    def list_service_specific_credentials(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        service = params.get("ServiceName")
        if service:
            _check_service(service)
        if params.get("AllUsers"):
            rows = repo.list_service_credentials(ctx.session, ctx.account_id, None, service)
            users = repo.users_by_ids(ctx.session, {row.user_id for row in rows})
            names = {user_id: user.user_name for user_id, user in users.items()}
        else:
            target = _user_target(ctx, params.get("UserName"))
            rows = repo.list_service_credentials(ctx.session, ctx.account_id, target.owner_id, service)
            names = {target.owner_id: target.user_name}
        items = [_metadata(row, names[row.user_id]) for row in rows if row.user_id in names]
        page, paging = shapes.page_of(items, params.get("Marker"), params.get("MaxItems"))
        return {"ServiceSpecificCredentials": page, **paging}

    def update_service_specific_credential(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        target = _user_target(ctx, params.get("UserName"))
        _credential(ctx, target, params["ServiceSpecificCredentialId"]).status = params["Status"]
        return None

    def reset_service_specific_credential(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        target = _user_target(ctx, params.get("UserName"))
        row = _credential(ctx, target, params["ServiceSpecificCredentialId"])
        return {"ServiceSpecificCredential": _with_secret(row, target.user_name or "")}

    def delete_service_specific_credential(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        target = _user_target(ctx, params.get("UserName"))
        repo.remove(ctx.session, _credential(ctx, target, params["ServiceSpecificCredentialId"]))
        return None
