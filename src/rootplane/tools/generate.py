"""Least-privilege policy generation from recorded calls, as IAM Access Analyzer's policy generation does it.

Each recorded call of the principal (allowed ones: a denied call was never granted) becomes its IAM action,
limited to the resource ARN it touched wherever the Service Authorization Reference lets that action name a
resource; actions that take no resource get ``*``. Actions with the same resources share one statement.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable
from urllib.parse import urlparse

from rootplane.tools.catalog import Catalog, ResourceType
from rootplane.tools.trail import action_of, call_of

__all__ = ["Generated", "generate_policy", "made_by"]

_ASSUMED_ROLE = re.compile(r"^arn:([^:]+):sts::(\d{12}):assumed-role/([^/]+)/.+$")


def made_by(record: dict[str, Any], principal_arn: str) -> bool:
    """Whether ``record`` is a call of ``principal_arn``: a user, a root, a role (any of its sessions) or a session."""
    identity = record.get("userIdentity") or {}
    if identity.get("arn") == principal_arn:
        return True
    issuer = ((identity.get("sessionContext") or {}).get("sessionIssuer") or {}).get("arn")
    if issuer == principal_arn:
        return True
    match = _ASSUMED_ROLE.match(identity.get("arn") or "")
    return bool(match) and principal_arn.endswith(f":{match.group(2)}:role/{match.group(3)}") \
        and principal_arn.startswith(f"arn:{match.group(1)}:iam::")


@dataclass
class Generated:
    """The generated policy and what could not be narrowed to a resource."""

    policy: dict[str, Any]
    calls: int
    unresolved: list[str] = field(default_factory=list)
    unknown_actions: list[str] = field(default_factory=list)


def _parameters(record: dict[str, Any]) -> dict[str, str]:
    """Request parameters by lower-case name, plus the queue account/name a queue URL carries."""
    found = {key.lower(): value for key, value in (record.get("requestParameters") or {}).items()
             if isinstance(value, str)}
    if "queueurl" in found:
        path = [part for part in urlparse(found["queueurl"]).path.split("/") if part]
        if len(path) >= 2:
            found.setdefault("queuename", path[-1])
            found["queueaccount"] = path[-2]
    return found


def _fill(resource_type: ResourceType, record: dict[str, Any], parameters: dict[str, str]) -> str | None:
    """The template filled from the record, or None when a part is unknown."""
    known = {"partition": "aws", "region": record.get("awsRegion", ""),
             "account": parameters.get("queueaccount") or record.get("recipientAccountId", "")}
    arn = resource_type.arn_format
    for variable in resource_type.variables:
        name = variable.lower()
        value = known.get(name) or parameters.get(name) or parameters.get(name.removesuffix("withpath")) \
            or parameters.get({"objectname": "key"}.get(name, name))
        if not value:
            return None
        arn = arn.replace("${" + variable + "}", value)
    return arn


def _resource(catalog: Catalog, action: str, record: dict[str, Any]) -> str | None:
    """The ARN the call touched in a form ``action`` can be limited to; "*" if it takes none; None if unknown."""
    types = catalog.resource_types(action)
    if not types:
        return "*"
    seen = [item.get("ARN", "") for item in record.get("resources") or []]
    seen.append((record.get("userIdentity") or {}).get("arn", ""))  # e.g. iam:GetUser on oneself
    parameters = _parameters(record)
    for resource_type in types:
        for arn in seen:
            if arn and resource_type.pattern.match(arn):
                return arn
        filled = _fill(resource_type, record, parameters)
        if filled:
            return filled
    return None


def generate_policy(catalog: Catalog, records: Iterable[dict[str, Any]], principal_arn: str) -> Generated:
    """The least-privilege identity policy allowing exactly ``principal_arn``'s recorded, allowed calls."""
    resources_by_action: dict[str, set[str]] = defaultdict(set)
    generated = Generated({}, 0)
    for record in records:
        if not made_by(record, principal_arn) or call_of(record).denied:
            continue
        generated.calls += 1
        action = action_of(record)
        if catalog.privilege(action) is None:
            generated.unknown_actions.append(action)
            continue
        action = catalog.action_name(action)
        resource = _resource(catalog, action, record)
        if resource is None:
            generated.unresolved.append(action)
            resource = "*"
        resources_by_action[action].add(resource)
    actions_by_resources: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for action, resources in sorted(resources_by_action.items()):
        actions_by_resources[("*",) if "*" in resources else tuple(sorted(resources))].append(action)
    statements = [{"Effect": "Allow", "Action": actions if len(actions) > 1 else actions[0],
                   "Resource": list(resources) if len(resources) > 1 else resources[0]}
                  for resources, actions in sorted(actions_by_resources.items(), key=lambda pair: pair[1])]
    generated.policy = {"Version": "2012-10-17", "Statement": statements}
    generated.unknown_actions = sorted(set(generated.unknown_actions))
    generated.unresolved = sorted(set(generated.unresolved))
    return generated
