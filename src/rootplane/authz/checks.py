"""What an operation asks the policy engine: action(s), resource ARN(s) and request-specific context."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

__all__ = ["AuthzCheck", "checks_for", "pass_role", "SIGNING_PREFIX"]

# IAM action prefix per service name.
SIGNING_PREFIX = {
    "iam": "iam", "sts": "sts", "organizations": "organizations", "account": "account", "s3": "s3",
    "sqs": "sqs", "cloudtrail": "cloudtrail", "events": "events", "sns": "sns", "kms": "kms", "support": "support",
    "logs": "logs",
    "cloudwatch": "cloudwatch", "ec2": "ec2", "resourcegroupstaggingapi": "tag",
}


@dataclass(frozen=True, init=False)
class AuthzCheck:
    """One (action, resource) pair to authorize.

    ``resource_policy`` is the resource-based policy text that applies (bucket/queue/topic policy, role trust policy).
    ``resource_owner_exempt`` marks actions AWS lets the owning account's root do despite an explicit deny in the
    resource policy (S3 bucket-policy management, SQS queue attribute management).
    ``denial_resource`` is how AWS's AccessDenied message names the resource when it is not the ARN (IAM says
    "user bob" for an existing user).
    ``context`` may be a function giving the keys, called only when a condition needs them (keys that cost a read).
    ``acl`` gives how the resource's access control list grants the action to the requester ("account",
    "wildcard" or None: S3 ACLs); called only when the policies alone do not allow it, or first with ``acl_only``
    (an S3 object another account owns: only its ACL allows on the resource's side).
    """

    action: str
    resource: str = "*"
    resource_account: str | None = None
    resource_policy: str | None = None
    context: dict[str, Any] | Callable[[], dict[str, Any]] = field(default_factory=dict)
    resource_tags: dict[str, str] | None = None
    resource_owner_exempt: bool = False
    denial_resource: str | None = None
    acl: Callable[[], str | None] | None = None
    acl_only: bool = False

    def __init__(self, action: str, resource: str = "*", resource_account: str | None = None,
                 resource_policy: str | None = None,
                 context: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
                 resource_tags: dict[str, str] | None = None, resource_owner_exempt: bool = False,
                 denial_resource: str | None = None, acl: Callable[[], str | None] | None = None,
                 acl_only: bool = False) -> None:
        # Frozen: the fields go straight into __dict__ (one store, not object.__setattr__ per field; made for every
        # authorized request).
        self.__dict__.update(
            action=action, resource=resource, resource_account=resource_account, resource_policy=resource_policy,
            context={} if context is None else context, resource_tags=resource_tags,
            resource_owner_exempt=resource_owner_exempt, denial_resource=denial_resource, acl=acl,
            acl_only=acl_only,
        )


def pass_role(role_arn: str, service: str, account_id: str) -> AuthzCheck:
    """``iam:PassRole`` on a role an operation hands to ``service`` (``events.amazonaws.com``...), with the
    ``iam:PassedToService`` condition key.  ``account_id`` is the caller's, for a value that is not an ARN."""
    parts = role_arn.split(":")
    owner = parts[4] if len(parts) > 5 and parts[0] == "arn" and parts[4] else account_id
    return AuthzCheck("iam:PassRole", role_arn, owner, context={"iam:PassedToService": service})


ChecksFunction = Callable[[Any, str, dict[str, Any]], list[AuthzCheck]]


@lru_cache(maxsize=None)
def _service_checks(service: str) -> ChecksFunction | None:
    try:
        module = importlib.import_module(f"rootplane.services.{service}.authz")
    except ModuleNotFoundError as exc:
        if exc.name in (f"rootplane.services.{service}.authz", f"rootplane.services.{service}"):
            return None
        raise
    return getattr(module, "checks", None)


def checks_for(ctx: Any, service: str, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    """The checks of one operation: the service's ``authz.checks`` or, by default, ``<prefix>:<Operation>`` on ``*``."""
    function = _service_checks(service)
    if function is not None:
        return function(ctx, operation, params)
    return [AuthzCheck(f"{SIGNING_PREFIX.get(service, service)}:{operation}", "*", ctx.account_id)]
