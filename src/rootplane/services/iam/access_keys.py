"""Long-term access keys of IAM users and of the root user (UserName omitted by root: root's keys)."""

from __future__ import annotations

from typing import Any

from rootplane.core import ids
from rootplane.services.accounts import repo as accounts
from rootplane.services.accounts.tables import AccessKeyRow
from rootplane.services.context import RequestContext
from rootplane.services.iam import entities, errors, repo, shapes
from rootplane.services.iam.entities import Target
from rootplane.services.iam.quotas import QUOTAS

__all__ = ["AccessKeysMixin"]


def _key(ctx: RequestContext, target: Target, access_key_id: str) -> AccessKeyRow:
    key = accounts.find_access_key(ctx.session, access_key_id)
    if key is None or key.account_id != ctx.account_id or key.user_name != target.user_name:
        raise errors.no_such_entity(f"The Access Key with id {access_key_id} cannot be found.")
    return key


def _revoke(ctx: RequestContext, access_key_id: str) -> None:
    """The gateway drops the key from its credential cache after commit, so it stops working at once."""
    ctx.audit.setdefault("revoked_access_keys", []).append(access_key_id)


def _metadata(key: AccessKeyRow | accounts.KeyMetadata) -> dict[str, Any]:
    item: dict[str, Any] = {"AccessKeyId": key.access_key_id, "Status": key.status, "CreateDate": key.created_at}
    if key.user_name:
        item["UserName"] = key.user_name
    return item


class AccessKeysMixin:
    def create_access_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        target = entities.credential_target(ctx, params.get("UserName"))
        if accounts.count_access_keys(ctx.session, ctx.account_id, target.user_name) >= QUOTAS["AccessKeysPerUserQuota"]:
            raise errors.limit_exceeded(f"Cannot exceed quota for AccessKeysPerUser: {QUOTAS['AccessKeysPerUserQuota']}")
        key = accounts.put_access_key(ctx.session, AccessKeyRow(
            access_key_id=ids.access_key_id(), secret_access_key=ids.secret_access_key(), account_id=ctx.account_id,
            user_name=target.user_name, user_id=target.user.user_id if target.user else None, status="Active",
            created_at=ctx.now(),
        ))
        shape = _metadata(key)
        shape["SecretAccessKey"] = key.secret_access_key
        return {"AccessKey": shape}

    def list_access_keys(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        target = entities.reading_target(ctx, params.get("UserName"))
        keys = accounts.access_key_metadata(ctx.session, ctx.account_id, target.user_name)
        page, paging = shapes.page_of(keys, params.get("Marker"), params.get("MaxItems"))
        return {"AccessKeyMetadata": [_metadata(key) for key in page], **paging}

    def update_access_key(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        target = entities.credential_target(ctx, params.get("UserName"))
        key = _key(ctx, target, params["AccessKeyId"])
        key.status = params["Status"]
        _revoke(ctx, key.access_key_id)
        return None

    def delete_access_key(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        target = entities.credential_target(ctx, params.get("UserName"))
        key = _key(ctx, target, params["AccessKeyId"])
        repo.remove(ctx.session, key)
        _revoke(ctx, key.access_key_id)
        return None

    def get_access_key_last_used(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        access_key_id = params["AccessKeyId"]
        key = accounts.find_access_key(ctx.session, access_key_id)
        if key is None or key.account_id != ctx.account_id:
            raise errors.no_such_entity(f"The Access Key with id {access_key_id} cannot be found.")
        last_used: dict[str, Any] = {"ServiceName": key.last_used_service or "N/A",
                                     "Region": key.last_used_region or "N/A"}
        if key.last_used_at is not None:
            last_used["LastUsedDate"] = key.last_used_at
        result: dict[str, Any] = {"AccessKeyLastUsed": last_used}
        if key.user_name:
            result["UserName"] = key.user_name
        return result


