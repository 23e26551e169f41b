"""KMS authorization facts: kms:<Action> on the key's ARN, judged with the key's policy (plus its grants).

Operations on a key name it by key id, key ARN or alias; Decrypt and ReEncrypt find it in the ciphertext blob.
Unknown keys answer NotFoundException before authorization, unreadable blobs InvalidCiphertextException (as KMS).
RetireGrant is authorized by the grant itself (its retiring or grantee principal), in the handler.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from rootplane.authz.checks import AuthzCheck
from rootplane.authz.context_keys import request_tag_context
from rootplane.authz.service_requests import decide_for_service
from rootplane.policy import NamedPolicy, parse_policy_cached
from rootplane.services.kms import managed, repo
from rootplane.services.kms.crypto import InvalidCiphertext, blob_key_id
from rootplane.services.kms.errors import invalid_ciphertext
from rootplane.services.kms.keys import alias_arn, resolve
from rootplane.services.kms.policy import effective_policy, grant_actions
from rootplane.services.kms.tables import KeyRow

__all__ = ["checks", "key_check", "blob_key", "key_resources", "service_allowed"]

_ON_ACCOUNT = frozenset({"CreateKey", "ListKeys", "GenerateRandom", "ListRetirableGrants"})
_ALGORITHM_KEYS = {"EncryptionAlgorithm": "kms:EncryptionAlgorithm", "SigningAlgorithm": "kms:SigningAlgorithm",
                   "MacAlgorithm": "kms:MacAlgorithm", "MessageType": "kms:MessageType",
                   "KeyPairSpec": "kms:DataKeyPairSpec"}
_ALIAS_OPERATIONS = frozenset({"CreateAlias", "UpdateAlias", "DeleteAlias"})


def _context(ctx: Any, key: KeyRow, params: dict[str, Any]) -> dict[str, Any]:
    context: dict[str, Any] = {"kms:CallerAccount": ctx.account_id, "kms:KeySpec": key.key_spec,
                               "kms:KeyUsage": key.key_usage, "kms:KeyOrigin": key.origin,
                               "kms:MultiRegion": key.primary_region is not None,
                               "kms:ResourceAliases": repo.aliases_of(ctx.session, key.key_id)}
    context.update(_encryption(params.get("EncryptionContext")))
    for member, name in _ALGORITHM_KEYS.items():
        if params.get(member):
            context[name] = params[member]
    if isinstance(params.get("KeyId"), str) and params["KeyId"].startswith(("alias/", "arn:aws:kms:")) \
            and ":key/" not in params["KeyId"]:
        context["kms:RequestAlias"] = params["KeyId"]
    if "BypassPolicyLockoutSafetyCheck" in params:
        context["kms:BypassPolicyLockoutSafetyCheck"] = bool(params["BypassPolicyLockoutSafetyCheck"])
    return context


def key_check(ctx: Any, action: str, key: KeyRow, params: dict[str, Any] | None = None, *,
              policy: str | None = None, context: dict[str, Any] | None = None) -> AuthzCheck:
    """``action`` on ``key``, judged by its policy and grants (or by ``policy``: the lockout safety check)."""
    params = params or {}
    facts = _context(ctx, key, params)
    facts.update(context or {})
    return AuthzCheck(action, key.arn, key.account_id,
                      policy if policy is not None else effective_policy(key, repo.grants_of(ctx.session, key)),
                      context=facts, resource_tags=json.loads(key.tags_json))


def service_allowed(session: Session, key: KeyRow, action: str, service: str, context: dict[str, Any], *,
                    encryption_context: dict[str, str] | None = None) -> bool:
    """Whether ``key``'s policy (with its grants) lets the AWS service principal ``service`` (CloudTrail encrypting
    log files) do ``action`` with the request keys ``context`` (aws:SourceArn...) and ``encryption_context``."""
    policy = NamedPolicy("key-policy", parse_policy_cached(effective_policy(key, repo.grants_of(session, key)), "key"),
                         "resource-based policy")
    facts = {**context, **_encryption(encryption_context)}
    return decide_for_service(session, service, action, key.arn, key.account_id, policy, facts, rcps=False).allowed


def blob_key(ctx: Any, blob: Any) -> KeyRow:
    """The key a symmetric ciphertext blob was made with."""
    if not isinstance(blob, (bytes, bytearray)):
        raise invalid_ciphertext()
    try:
        key_id = blob_key_id(bytes(blob))
    except InvalidCiphertext:
        raise invalid_ciphertext() from None
    found = repo.find_key(ctx.session, key_id, ctx.region)
    if found is None:
        raise invalid_ciphertext()
    return resolve(ctx.session, ctx.region, found.account_id, found.arn, ctx.now())


def _key(ctx: Any, identifier: str) -> KeyRow:
    return resolve(ctx.session, ctx.region, ctx.account_id, identifier, ctx.now())


def _decrypt_key(ctx: Any, params: dict[str, Any], blob_member: str, key_member: str) -> KeyRow:
    """The key of a Decrypt/ReEncrypt source: the one named, else the blob's."""
    if params.get(key_member):
        return _key(ctx, params[key_member])
    return blob_key(ctx, params.get(blob_member))


def _alias_checks(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    action = f"kms:{operation}"
    name = params["AliasName"]
    found = [AuthzCheck(action, alias_arn(ctx.region, ctx.account_id, name), ctx.account_id)]
    if operation == "DeleteAlias" or operation == "UpdateAlias":
        alias = repo.find_alias(ctx.session, ctx.account_id, ctx.region, name)
        if alias is not None:
            current = repo.find_key(ctx.session, alias.key_id, ctx.region)
            if current is not None:
                found.append(key_check(ctx, action, current))
    if params.get("TargetKeyId"):
        found.append(key_check(ctx, action, _key(ctx, params["TargetKeyId"])))
    return found


def _create_key(ctx: Any, params: dict[str, Any]) -> list[AuthzCheck]:
    tags = {tag["TagKey"]: tag["TagValue"] for tag in params.get("Tags") or ()}
    context = request_tag_context(tags)
    if "BypassPolicyLockoutSafetyCheck" in params:
        context["kms:BypassPolicyLockoutSafetyCheck"] = bool(params["BypassPolicyLockoutSafetyCheck"])
    for member, name in (("KeySpec", "kms:KeySpec"), ("KeyUsage", "kms:KeyUsage"), ("Origin", "kms:KeyOrigin")):
        if params.get(member):
            context[name] = params[member]
    found = [AuthzCheck("kms:CreateKey", "*", ctx.account_id, context=context)]
    if tags:
        found.append(AuthzCheck("kms:TagResource", "*", ctx.account_id, context=context))
    return found


def key_resources(arns: list[str]) -> list[dict[str, str]]:
    """The keys a call touched, as its CloudTrail record lists them."""
    return [{"type": "AWS::KMS::Key", "name": arn, "arn": arn} for arn in dict.fromkeys(arns)]


def checks(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    """The checks of a KMS operation; the keys they are on become the call's CloudTrail resources (denied calls'
    too)."""
    found = _checks(ctx, operation, params)
    keys = [check.resource for check in found if ":key/" in check.resource]
    if keys:
        ctx.audit["resources"] = key_resources(keys)
    return found


def _checks(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    action = f"kms:{operation}"
    if operation == "CreateKey":
        return _create_key(ctx, params)
    if operation in _ON_ACCOUNT or (operation == "ListAliases" and not params.get("KeyId")):
        return [AuthzCheck(action, "*", ctx.account_id)]
    if operation in _ALIAS_OPERATIONS:
        return _alias_checks(ctx, operation, params)
    if operation == "RetireGrant":
        return []
    if operation == "Decrypt":
        return [key_check(ctx, action, _decrypt_key(ctx, params, "CiphertextBlob", "KeyId"), params)]
    if operation == "ReEncrypt":
        source = _decrypt_key(ctx, params, "CiphertextBlob", "SourceKeyId")
        destination = _key(ctx, params["DestinationKeyId"])
        source_params = {"EncryptionAlgorithm": params.get("SourceEncryptionAlgorithm")}
        destination_params = {"EncryptionAlgorithm": params.get("DestinationEncryptionAlgorithm")}
        return [key_check(ctx, "kms:ReEncryptFrom", source, source_params,
                          context=_encryption(params.get("SourceEncryptionContext"))),
                key_check(ctx, "kms:ReEncryptTo", destination, destination_params,
                          context=_encryption(params.get("DestinationEncryptionContext")))]
    if operation == "CreateGrant":
        key = _key(ctx, params["KeyId"])
        context = {"kms:GrantOperations": grant_actions(params.get("Operations") or []),
                   "kms:GranteePrincipal": params.get("GranteePrincipal")}
        if params.get("RetiringPrincipal"):
            context["kms:RetiringPrincipal"] = params["RetiringPrincipal"]
        return [key_check(ctx, action, key, params, context=context)]
    if operation in ("TagResource", "UntagResource"):
        key = _key(ctx, params["KeyId"])
        tags = {tag["TagKey"]: tag["TagValue"] for tag in params.get("Tags") or ()}
        context = request_tag_context(tags) if tags else {"aws:TagKeys": list(params.get("TagKeys") or [])}
        return [key_check(ctx, action, key, params, context=context)]
    if operation == "ReplicateKey":  # the replica is also a new key in its Region
        context = {"kms:ReplicaRegion": params.get("ReplicaRegion")}
        return [key_check(ctx, action, _key(ctx, params["KeyId"]), params, context=context),
                AuthzCheck("kms:CreateKey", "*", ctx.account_id, context=request_tag_context(
                    {tag["TagKey"]: tag["TagValue"] for tag in params.get("Tags") or ()}))]
    if operation == "UpdatePrimaryRegion":
        context = {"kms:PrimaryRegion": params.get("PrimaryRegion")}
        return [key_check(ctx, action, _key(ctx, params["KeyId"]), params, context=context)]
    if operation in managed.MADE_BY:
        managed.ensure(ctx, params["KeyId"])
    if params.get("KeyId"):
        return [key_check(ctx, action, _key(ctx, params["KeyId"]), params)]
    return [AuthzCheck(action, "*", ctx.account_id)]


def _encryption(context: dict[str, str] | None) -> dict[str, Any]:
    if not context:
        return {}
    return {"kms:EncryptionContextKeys": list(context), **{f"kms:EncryptionContext:{k}": v for k, v in context.items()}}
