"""Keys: CreateKey, DescribeKey, ListKeys, Enable/Disable, deletion, key policies, description, rotation
(automatic and on-demand, services/kms/rotation.py), tags."""

from __future__ import annotations

import datetime as _dt
import json
import uuid
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.policy import MalformedPolicy, parse_policy
from rootplane.services.context import RequestContext
from rootplane.services.iam.principal_ids import missing_principal
from rootplane.services.kms import repo
from rootplane.services.kms.authz import key_check, key_resources
from rootplane.services.kms.crypto import KEY_SPECS, new_material
from rootplane.services.kms.errors import invalid_marker, invalid_state, malformed_policy, not_found, validation
from rootplane.services.kms.keys import (DISABLED, ENABLED, PENDING_DELETION, PENDING_IMPORT, is_gone, key_arn,
                                        require_not_pending_deletion, resolve)
from rootplane.services.kms.master import seal
from rootplane.services.kms.metadata import key_metadata
from rootplane.services.kms.paging import after, page
from rootplane.services.kms.rotation import (DEFAULT_ROTATION_DAYS, Material, apply_due, current_material_id,
                                            history, next_rotation_date, rotate_on_demand)
from rootplane.services.kms.policy import default_policy
from rootplane.services.kms.tables import KeyRow
from rootplane.services.tagging import merged_tags

__all__ = ["KeyOperations", "lockout_checked_policy", "LOCKOUT_MESSAGE", "unsupported", "tags_of", "with_tags"]

LOCKOUT_MESSAGE = "The new key policy will not allow you to update the key policy in the future."
# KMS's word for a principal that is malformed or does not exist (BypassPolicyLockoutSafetyCheck does not waive it)
INVALID_PRINCIPALS = "Policy contains a statement with one or more invalid principals."
_ORIGINS = ("AWS_KMS", "EXTERNAL")
_POLICY_NAME = "default"


def unsupported(message: str) -> AwsError:
    return AwsError("UnsupportedOperationException", message, 400)


LIST_KEYS_DEFAULT_LIMIT = 100  # ListKeys' Limit when it is not given (its documentation; the most is 1000)
LIST_KEY_ROTATIONS_DEFAULT_LIMIT = 100  # ListKeyRotations' Limit when it is not given (its documentation)


MAX_POLICY_BYTES = 32768  # a key policy's size limit (the KMS Developer Guide's quotas: 32 KB)


def lockout_checked_policy(ctx: RequestContext, key: KeyRow, text: str, bypass: bool) -> str:
    """A valid key policy for ``key``, naming principals that exist; unless ``bypass``, one that still lets the caller
    call PutKeyPolicy."""
    if len(text.encode()) > MAX_POLICY_BYTES:
        raise AwsError("LimitExceededException", f"Policy size exceeds the maximum of {MAX_POLICY_BYTES} bytes.", 400)
    try:
        parse_policy(text, kind="key")
    except MalformedPolicy as error:
        raise malformed_policy(INVALID_PRINCIPALS if error.about_principal else str(error)) from None
    if missing_principal(ctx.session, text) is not None:
        raise malformed_policy(INVALID_PRINCIPALS)
    if not bypass and ctx.authorizer is not None:
        try:
            ctx.authorizer(ctx, [key_check(ctx, "kms:PutKeyPolicy", key, policy=text)])
        except AwsError:
            raise malformed_policy(LOCKOUT_MESSAGE) from None
    return text


def tags_of(params: dict[str, Any]) -> dict[str, str]:
    return {tag["TagKey"]: tag["TagValue"] for tag in params.get("Tags") or ()}


def with_tags(current: dict[str, str], added: dict[str, str]) -> dict[str, str]:
    return merged_tags(current, added, lambda: AwsError("TagException", "Too many tags", 400))


def _rotation_entry(key: KeyRow, material: Material, current: bool) -> dict[str, Any]:
    """A RotationsListEntry: a rotation's date and type; the import state of a key's imported (first) material."""
    entry: dict[str, Any] = {"KeyId": key.key_id, "KeyMaterialId": material.material_id,
                             "KeyMaterialState": "CURRENT" if current else "NON_CURRENT"}
    if material.rotation_type is not None:
        entry.update(RotationDate=material.rotation_date, RotationType=material.rotation_type)
    elif key.origin == "EXTERNAL":
        imported = bool(key.sealed_material) and key.state != PENDING_IMPORT
        entry["ImportState"] = "IMPORTED" if imported else "PENDING_IMPORT"
        if imported and key.expiration_model is not None:
            entry["ExpirationModel"] = key.expiration_model
            if key.valid_to is not None:
                entry["ValidTo"] = key.valid_to
    return entry


class KeyOperations:
    def _key(self, ctx: RequestContext, identifier: str, aliases: bool = False) -> KeyRow:
        """The key a key operation acts on, locked in writing transactions (``repo.find_key``). Named by its key ID
        or key ARN: only DescribeKey (``aliases``) also takes an alias name or ARN, as the operations' KeyId
        documentation says; the others answer NotFoundException for an alias, as CreateGrant does."""
        return resolve(ctx.session, ctx.region, ctx.account_id, identifier, ctx.now(), aliases=aliases, lock=True)

    def create_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        spec = params.get("KeySpec") or params.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
        if params.get("KeySpec") and params.get("CustomerMasterKeySpec"):
            raise validation("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
                             "CustomerMasterKeySpec parameter is deprecated. Use KeySpec instead.")
        if spec not in KEY_SPECS:
            raise unsupported(f"KeySpec {spec} is not supported.")
        usage = params.get("KeyUsage") or "ENCRYPT_DECRYPT"  # AWS's default: other key specs must name theirs
        if usage not in KEY_SPECS[spec]:
            raise validation(f"KeyUsage {usage} is not compatible with KeySpec {spec}")
        origin = params.get("Origin") or "AWS_KMS"
        if origin not in _ORIGINS or params.get("CustomKeyStoreId") or params.get("XksKeyId"):
            raise unsupported("Only keys with Origin AWS_KMS or EXTERNAL in the default key store are supported.")
        multi_region = bool(params.get("MultiRegion"))
        key_id, now = ("mrk-" + uuid.uuid4().hex) if multi_region else str(uuid.uuid4()), ctx.now()
        arn = key_arn(ctx.region, ctx.account_id, key_id)
        key = KeyRow(key_id=key_id, account_id=ctx.account_id, region=ctx.region, arn=arn, key_spec=spec,
                     key_usage=usage, state=ENABLED if origin == "AWS_KMS" else PENDING_IMPORT,
                     description=params.get("Description") or "", policy=default_policy(ctx.account_id),
                     rotation_enabled=False, tags_json=json.dumps(with_tags({}, tags_of(params))), created_at=now,
                     origin=origin, primary_region=ctx.region if multi_region else None, key_manager="CUSTOMER")
        if params.get("Policy") is not None:
            key.policy = lockout_checked_policy(ctx, key, params["Policy"],
                                                bool(params.get("BypassPolicyLockoutSafetyCheck")))
        key.sealed_material = seal(ctx.config, new_material(spec), arn) if origin == "AWS_KMS" else b""
        repo.put(ctx.session, key)
        ctx.audit["resources"] = key_resources([arn])
        return {"KeyMetadata": key_metadata(key)}

    def describe_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = self._key(ctx, params["KeyId"], aliases=True)
        replicas = repo.replicas_of(ctx.session, key.key_id) if key.primary_region is not None else None
        return {"KeyMetadata": key_metadata(key, replicas, current_material_id(ctx, key))}

    def list_keys(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        limit, now = params.get("Limit") or LIST_KEYS_DEFAULT_LIMIT, ctx.now()
        rows, more = page(repo.list_keys(ctx.session, ctx.account_id, ctx.region, after(params), limit + 1), limit,
                          lambda key: key.key_id)
        return {"Keys": [{"KeyId": key.key_id, "KeyArn": key.arn} for key in rows if not is_gone(key, now)], **more}

    def enable_key(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        self._set_state(self._key(ctx, params["KeyId"]), ENABLED)

    def disable_key(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        self._set_state(self._key(ctx, params["KeyId"]), DISABLED)

    @staticmethod
    def _set_state(key: KeyRow, state: str) -> None:
        if key.state in (PENDING_DELETION, PENDING_IMPORT):
            raise invalid_state(f"{key.arn} is {'pending deletion' if key.state == PENDING_DELETION else 'pending import'}.")
        key.state = state

    def schedule_key_deletion(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = self._key(ctx, params["KeyId"])
        days = params.get("PendingWindowInDays")
        days = 30 if days is None else days
        if not 7 <= days <= 30:
            bound = "greater than or equal to 7" if days < 7 else "less than or equal to 30"
            raise validation(f"1 validation error detected: Value '{days}' at 'pendingWindowInDays' failed to "
                             f"satisfy constraint: Member must have value {bound}")
        if key.state == PENDING_DELETION:
            raise invalid_state(f"{key.arn} is pending deletion.")
        key.state, key.pending_window_days = PENDING_DELETION, days
        key.deletion_date = ctx.now() + _dt.timedelta(days=days)
        return {"KeyId": key.arn, "DeletionDate": key.deletion_date, "KeyState": key.state,
                "PendingWindowInDays": days}

    def cancel_key_deletion(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = self._key(ctx, params["KeyId"])
        if key.state != PENDING_DELETION:
            raise invalid_state(f"{key.arn} is not pending deletion.")
        key.state, key.deletion_date, key.pending_window_days = DISABLED, None, None
        return {"KeyId": key.arn}

    # -- key policy ----------------------------------------------------------------------------------------------
    @staticmethod
    def _policy_name(params: dict[str, Any]) -> None:
        name = params.get("PolicyName") or _POLICY_NAME
        if name != _POLICY_NAME:
            raise not_found(f"Policy {name} does not exist.")

    def get_key_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = self._key(ctx, params["KeyId"])
        self._policy_name(params)
        return {"Policy": key.policy, "PolicyName": _POLICY_NAME}

    def put_key_policy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        key = self._key(ctx, params["KeyId"])
        self._policy_name(params)
        key.policy = lockout_checked_policy(ctx, key, params["Policy"], bool(params.get("BypassPolicyLockoutSafetyCheck")))

    def list_key_policies(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self._key(ctx, params["KeyId"])
        return {"PolicyNames": [_POLICY_NAME], "Truncated": False}

    def update_key_description(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        key = self._key(ctx, params["KeyId"])
        require_not_pending_deletion(key)
        key.description = params["Description"]

    # -- rotation ------------------------------------------------------------------------------------------------
    def _rotatable(self, ctx: RequestContext, params: dict[str, Any], kind: str | None = "automatic") -> KeyRow:
        """A symmetric encryption key; to rotate it (``kind`` automatic or on-demand), one with KMS-made material
        (the Developer Guide's "Rotate AWS KMS keys")."""
        key = self._key(ctx, params["KeyId"])
        if key.key_spec != "SYMMETRIC_DEFAULT" or (kind and key.origin != "AWS_KMS"):
            raise unsupported(f"{key.arn} does not support {kind + ' ' if kind else ''}key rotation.")
        return key

    @staticmethod
    def _require_enabled(key: KeyRow) -> None:
        if key.state != ENABLED:
            raise invalid_state(f"{key.arn} is {'pending deletion' if key.state == PENDING_DELETION else 'disabled'}.")

    def enable_key_rotation(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        """Rotation every RotationPeriodInDays (90 to 2560, the model's range the wire checks; default 365) from
        now, or, for a key already rotating, from when its rotation was enabled (only the period changes, for the
        rotations after now)."""
        key = self._rotatable(ctx, params)
        self._require_enabled(key)
        apply_due(ctx, key)
        if not key.rotation_enabled:
            key.rotation_enabled, key.rotation_started_at = True, ctx.now()
        key.rotation_period_days = params.get("RotationPeriodInDays") or DEFAULT_ROTATION_DAYS
        key.rotation_checked_at = ctx.now()

    def disable_key_rotation(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        key = self._rotatable(ctx, params)
        if key.state == PENDING_DELETION:
            raise invalid_state(f"{key.arn} is pending deletion.")
        apply_due(ctx, key)
        key.rotation_enabled, key.rotation_period_days, key.rotation_started_at = False, None, None

    def get_key_rotation_status(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """No OnDemandRotationStartDate: an on-demand rotation here completes before RotateKeyOnDemand answers."""
        key = self._key(ctx, params["KeyId"])
        status: dict[str, Any] = {"KeyRotationEnabled": key.rotation_enabled, "KeyId": key.arn}
        if key.rotation_enabled:
            status["RotationPeriodInDays"] = key.rotation_period_days or DEFAULT_ROTATION_DAYS
            status["NextRotationDate"] = next_rotation_date(key, ctx.now())
        return status

    def rotate_key_on_demand(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """New key material now (the RotateKeyOnDemand API reference): enabled symmetric keys with KMS-made
        material only, a multi-Region key through its primary, 25 times per key at most."""
        key = self._rotatable(ctx, params, "on-demand")
        self._require_enabled(key)
        if key.primary_region not in (None, key.region):
            raise unsupported(f"{key.arn} is a multi-Region replica key. Rotate its primary key in "
                              f"{key.primary_region}.")
        rotate_on_demand(ctx, key)
        return {"KeyId": key.arn}

    def list_key_rotations(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """The key's materials, oldest first: the rotations' (ROTATIONS_ONLY, the default) or all, the first too."""
        key = self._rotatable(ctx, params, None)
        start = after(params, invalid_marker)
        if start is not None and not start.isdigit():  # another listing's marker
            raise invalid_marker()
        materials = list(enumerate(history(ctx, key)))
        first = 0 if params.get("IncludeKeyMaterial") == "ALL_KEY_MATERIAL" else 1
        rows, more = page(materials[max(first, int(start or -1) + 1):],
                          params.get("Limit") or LIST_KEY_ROTATIONS_DEFAULT_LIMIT, lambda pair: str(pair[0]))
        return {"Rotations": [_rotation_entry(key, material, index == len(materials) - 1) for index, material in rows],
                **more}

    # -- tags ----------------------------------------------------------------------------------------------------
    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        """Tags change on keys in any state but PendingDeletion (the Developer Guide's "Tags in AWS KMS")."""
        key = self._key(ctx, params["KeyId"])
        require_not_pending_deletion(key)
        key.tags_json = json.dumps(with_tags(json.loads(key.tags_json), tags_of(params)))

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        key = self._key(ctx, params["KeyId"])
        require_not_pending_deletion(key)
        removed = set(params["TagKeys"])
        key.tags_json = json.dumps({k: v for k, v in json.loads(key.tags_json).items() if k not in removed})

    def list_resource_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = self._key(ctx, params["KeyId"])
        tags = sorted(json.loads(key.tags_json).items())
        start = after(params)
        if start is not None:
            tags = [(k, v) for k, v in tags if k > start]
        rows, more = page(tags, params.get("Limit") or 50, lambda pair: pair[0])
        return {"Tags": [{"TagKey": k, "TagValue": v} for k, v in rows], **more}
