"""Organizations policy content: validation per type and size quotas."""

from __future__ import annotations

import json

from rootplane.policy import MalformedPolicy, parse_policy
from rootplane.services.organizations.errors import constraint, org_error

__all__ = ["validate_content", "AUTHORIZATION_TYPES"]

AUTHORIZATION_TYPES = {"SERVICE_CONTROL_POLICY": "scp", "RESOURCE_CONTROL_POLICY": "rcp"}
_SIZE_LIMITS = {"SERVICE_CONTROL_POLICY": 5120, "RESOURCE_CONTROL_POLICY": 5120}
_DEFAULT_SIZE_LIMIT = 10000


def validate_content(policy_type: str, content: str) -> None:
    """Raise ConstraintViolation (size) or MalformedPolicyDocumentException (grammar) like AWS."""
    if len(content) > _SIZE_LIMITS.get(policy_type, _DEFAULT_SIZE_LIMIT):
        raise constraint("POLICY_CONTENT_LIMIT_EXCEEDED",
                         "You attempted to create a policy that is larger than the maximum size.")
    kind = AUTHORIZATION_TYPES.get(policy_type)
    try:
        if kind is not None:
            parse_policy(content, kind=kind)  # type: ignore[arg-type]
        elif not isinstance(json.loads(content), dict):
            raise ValueError("not a JSON object")
    except (MalformedPolicy, ValueError):
        raise org_error("MalformedPolicyDocumentException") from None
