"""Multi-Region keys: ReplicateKey and UpdatePrimaryRegion (CreateKey with MultiRegion makes the primary).

A replica is a row of the same ``mrk-`` key id in another Region of the account, holding the same key material
(sealed under the server master key bound to the replica's own ARN), its own policy, description, tags and state.
"""

from __future__ import annotations

import json
from typing import Any

from rootplane.services.account.regions import ALL_REGIONS
from rootplane.services.context import RequestContext
from rootplane.services.kms import repo
from rootplane.services.kms.authz import key_resources
from rootplane.services.kms.errors import already_exists, not_found, validation
from rootplane.services.kms.key_ops import lockout_checked_policy, tags_of, unsupported, with_tags
from rootplane.services.kms.keys import ENABLED, PENDING_IMPORT, key_arn, resolve
from rootplane.services.kms.master import seal, unseal
from rootplane.services.kms.metadata import key_metadata
from rootplane.services.kms.policy import default_policy
from rootplane.services.kms.rotation import current_material_id
from rootplane.services.kms.tables import KeyRow

__all__ = ["MultiRegionOperations"]


def _primary(ctx: RequestContext, identifier: str, operation: str) -> KeyRow:
    key = resolve(ctx.session, ctx.region, ctx.account_id, identifier, ctx.now(), aliases=False)
    if key.primary_region is None:
        raise unsupported(f"{key.arn} is not a multi-Region key. {operation} is only for multi-Region keys.")
    if key.primary_region != key.region:
        raise unsupported(f"{key.arn} is not a multi-Region primary key. Call {operation} on the primary key in "
                          f"{key.primary_region}.")
    return key


def _region(params: dict[str, Any], member: str) -> str:
    region = params[member]
    if region not in ALL_REGIONS:
        raise validation(f"{member} {region} is not a valid AWS Region.")
    return region


class MultiRegionOperations:
    def replicate_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        primary = _primary(ctx, params["KeyId"], "ReplicateKey")
        region = _region(params, "ReplicaRegion")
        if region == primary.region or repo.find_key(ctx.session, primary.key_id, region) is not None:
            raise already_exists(f"Replica key {key_arn(region, primary.account_id, primary.key_id)} already exists.")
        arn = key_arn(region, primary.account_id, primary.key_id)
        replica = KeyRow(
            key_id=primary.key_id, region=region, account_id=primary.account_id, arn=arn, key_spec=primary.key_spec,
            key_usage=primary.key_usage, state=ENABLED if primary.state != PENDING_IMPORT else PENDING_IMPORT,
            description=params.get("Description") or "", policy=default_policy(primary.account_id),
            rotation_enabled=primary.rotation_enabled, tags_json=json.dumps(with_tags({}, tags_of(params))),
            created_at=ctx.now(), origin=primary.origin, primary_region=primary.region,
            material_digest=primary.material_digest, valid_to=primary.valid_to,
            expiration_model=primary.expiration_model, current_material_id=primary.current_material_id,
            key_manager=primary.key_manager)
        if params.get("Policy") is not None:
            replica.policy = lockout_checked_policy(ctx, replica, params["Policy"],
                                                    bool(params.get("BypassPolicyLockoutSafetyCheck")))
        replica.sealed_material = (seal(ctx.config, unseal(ctx.config, primary.sealed_material, primary.arn), arn)
                                   if primary.sealed_material else b"")
        repo.put(ctx.session, replica)
        ctx.session.flush()
        ctx.audit["resources"] = key_resources([primary.arn, arn])
        tags = json.loads(replica.tags_json)
        return {"ReplicaKeyMetadata": key_metadata(replica, repo.replicas_of(ctx.session, primary.key_id),
                                                   current_material_id(ctx, replica)),
                "ReplicaPolicy": replica.policy,
                "ReplicaTags": [{"TagKey": k, "TagValue": v} for k, v in sorted(tags.items())]}

    def update_primary_region(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        primary = _primary(ctx, params["KeyId"], "UpdatePrimaryRegion")
        region = _region(params, "PrimaryRegion")
        rows = repo.replicas_of(ctx.session, primary.key_id)
        if region not in {row.region for row in rows}:
            raise not_found(f"Replica key {key_arn(region, primary.account_id, primary.key_id)} does not exist.")
        for row in rows:
            row.primary_region = region
        ctx.audit["resources"] = key_resources([primary.arn, key_arn(region, primary.account_id, primary.key_id)])
