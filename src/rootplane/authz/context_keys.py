"""The global condition keys of a request (aws:*), filled from the principal and the request."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from typing import Any

from rootplane.auth.principal import ASSUMED_ROLE, FEDERATED_USER, IAM_USER, ROOT, ROOT_SESSION
from rootplane.authz.service_requests import organization_keys
from rootplane.core.services import home_region

__all__ = ["global_context", "request_tag_context"]

_PRINCIPAL_TYPE = {ROOT: "Account", ROOT_SESSION: "Account", IAM_USER: "User", ASSUMED_ROLE: "AssumedRole",
                   FEDERATED_USER: "FederatedUser"}
# IAM users and roles also expose their tags as iam:ResourceTag/<key> (the ABAC tutorial's AssumeRole policy).
_IAM_TAGGED = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:(?:user|role)/")


def global_context(ctx: Any, resource: str, resource_account: str | None,
                   resource_tags: dict[str, str] | None) -> dict[str, Any]:
    """Condition keys every request carries (lower-cased names; the engine matches keys case-insensitively)."""
    principal = ctx.principal
    now: _dt.datetime = ctx.now()
    keys: dict[str, Any] = {
        "aws:principalarn": principal.role_arn if principal.kind == ASSUMED_ROLE else principal.arn,
        "aws:principalaccount": principal.account_id,
        "aws:principaltype": _PRINCIPAL_TYPE.get(principal.kind, principal.kind),
        "aws:userid": principal.user_id,
        "aws:requestedregion": home_region(getattr(ctx, "service", ""), ctx.region),
        "aws:sourceip": ctx.source_ip,
        "aws:useragent": ctx.user_agent,  # "always included in the request context" (IAM User Guide)
        "aws:currenttime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:epochtime": str(int(now.timestamp())),
        "aws:securetransport": "true" if ctx.secure_transport else "false",
        "aws:viaawsservice": "false",
    }
    if principal.kind == IAM_USER:
        keys["aws:username"] = principal.name
    if principal.kind == ROOT_SESSION:
        keys["aws:assumedroot"] = "true"
    if principal.is_temporary:
        keys["aws:multifactorauthpresent"] = "true" if principal.mfa_authenticated else "false"
        keys["aws:tokenissuetime"] = principal.session_issued_at.strftime("%Y-%m-%dT%H:%M:%SZ") if principal.session_issued_at else None
    elif principal.from_console:
        keys["aws:multifactorauthpresent"] = "true" if principal.mfa_authenticated else "false"
    if principal.mfa_authenticated and principal.mfa_authenticated_at is not None:
        keys["aws:multifactorauthage"] = str(int((now - principal.mfa_authenticated_at).total_seconds()))
    if principal.source_identity:
        keys["aws:sourceidentity"] = principal.source_identity
    for key, value in principal.tags:
        keys[f"aws:principaltag/{key.lower()}"] = value
    if resource_account:
        keys["aws:resourceaccount"] = resource_account
    _organization_keys(ctx, keys, principal.account_id, resource_account)
    tag_prefixes = ("aws:resourcetag/", "iam:resourcetag/") if _IAM_TAGGED.match(resource) else ("aws:resourcetag/",)
    for key, value in (resource_tags or {}).items():
        for prefix in tag_prefixes:
            keys[prefix + key.lower()] = value
    return {k: v for k, v in keys.items() if v is not None}


def _organization_keys(ctx: Any, keys: dict[str, Any], principal_account: str | None,
                       resource_account: str | None) -> None:
    """aws:PrincipalOrgID/OrgPaths and aws:ResourceOrgID/OrgPaths: present only for an account in an organization
    (IAM User Guide, global condition keys), the paths multivalued."""
    session = getattr(ctx, "session", None)
    if session is None:
        return
    for prefix, account_id in (("aws:principal", principal_account), ("aws:resource", resource_account)):
        keys.update((key.lower(), value) for key, value in organization_keys(session, prefix, account_id).items())


def request_tag_context(tags: Mapping[str, str] | None) -> dict[str, Any]:
    """The tags a request sets, as conditions see them: aws:RequestTag/<key> for each, and aws:TagKeys."""
    if not tags:
        return {}
    return {**{f"aws:RequestTag/{key}": value for key, value in tags.items()}, "aws:TagKeys": list(tags)}
