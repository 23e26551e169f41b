"""What access advisor reports: the services a set of permissions policies allows, and who last used them.

Services allowed: the namespaces that Allow statements grant (``Action`` naming the namespace, a wildcard or a
``NotAction`` that leaves some of its actions), minus namespaces an unconditional Deny on ``*`` removes outright.
A literal namespace counts as written (``ec2:Describe*`` lists ``ec2``); wildcards over namespaces (``*``,
``s*:List*``, ``NotAction``) are matched against :data:`KNOWN_SERVICES`: the services rootplane serves plus
common AWS services (AWS itself lists its ~400 services for ``*``). Only permissions policy logic applies, as AWS
documents: no boundaries, SCPs or resource policies.

Last use: CloudTrail event history, which records every authenticated call, allowed or denied (AWS's "last
authenticated" is the last attempt). Data events (S3 object, SQS message, SNS publish calls) are not in Event
history and do not count.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from rootplane.core.services import namespace_of
from rootplane.policy import parse_policy_cached
from rootplane.policy.matching import compile_actions
from rootplane.services.cloudtrail import repo as trail_repo
from rootplane.services.cloudtrail.tables import EventRow
from rootplane.wire.models import SERVICES, service_model

__all__ = [
    "KNOWN_SERVICES", "service_name", "allowed_namespaces", "allowed_actions", "Principal", "Use", "Usage",
    "usage_of", "namespace_of",
]

KNOWN_SERVICES = {
    "access-analyzer": "IAM Access Analyzer",
    "account": "AWS Account Management",
    "cloudformation": "AWS CloudFormation",
    "cloudtrail": "AWS CloudTrail",
    "cloudwatch": "Amazon CloudWatch",
    "dynamodb": "Amazon DynamoDB",
    "ec2": "Amazon EC2",
    "ecr": "Amazon Elastic Container Registry",
    "events": "Amazon EventBridge",
    "iam": "AWS Identity and Access Management",
    "kms": "AWS Key Management Service",
    "lambda": "AWS Lambda",
    "logs": "Amazon CloudWatch Logs",
    "organizations": "AWS Organizations",
    "s3": "Amazon S3",
    "secretsmanager": "AWS Secrets Manager",
    "sns": "Amazon SNS",
    "sqs": "Amazon SQS",
    "sso": "AWS IAM Identity Center",
    "sts": "AWS Security Token Service",
}
# How long AWS reports activity for (at least the last 400 days); Event history keeps 90 days anyway.
TRACKING_PERIOD = _dt.timedelta(days=400)


def service_name(namespace: str) -> str:
    """The service's display name (the namespace itself for services this catalog does not name)."""
    return KNOWN_SERVICES.get(namespace, namespace)


def _statements(document: str) -> list[dict[str, Any]]:
    statements = json.loads(document).get("Statement") or []
    return [statements] if isinstance(statements, dict) else [s for s in statements if isinstance(s, dict)]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _split(action: str) -> tuple[str, str]:
    if action == "*":
        return "*", "*"
    service, _, name = action.lower().partition(":")
    return service, name


@lru_cache(maxsize=4096)
def _service_glob(pattern: str):
    return compile_actions([pattern])


def _namespaces(actions: Iterable[str], universe: Iterable[str], *, whole_service_only: bool) -> set[str]:
    """Namespaces the action patterns cover (with ``whole_service_only``: only where the name part is ``*``)."""
    found: set[str] = set()
    for action in actions:
        service, name = _split(action)
        if whole_service_only and name != "*":
            continue
        if "*" in service or "?" in service:
            found.update(ns for ns in universe if _service_glob(service).matches(ns))
        else:
            found.add(service)
    return found


def _universe(documents: Sequence[str], also: Iterable[str]) -> set[str]:
    """KNOWN_SERVICES, ``also``, and every literal namespace the documents name."""
    named = {_split(action)[0] for document in documents for statement in _statements(document)
             for key in ("Action", "NotAction") for action in _strings(statement.get(key))}
    return set(KNOWN_SERVICES) | set(also) | {ns for ns in named if ns and "*" not in ns and "?" not in ns}


def _denies_everything(statement: dict[str, Any]) -> bool:
    return (statement.get("Effect") == "Deny" and "Condition" not in statement and "Action" in statement
            and "*" in _strings(statement.get("Resource")))


def allowed_namespaces(documents: Sequence[str], also: Iterable[str] = ()) -> set[str]:
    """The service namespaces some Allow statement of the documents grants, less those denied outright
    (``also``: namespaces to consider for wildcards besides the known ones)."""
    universe = _universe(documents, also)
    allowed: set[str] = set()
    denied: set[str] = set()
    for document in documents:
        for statement in _statements(document):
            if statement.get("Effect") == "Allow" and "Action" in statement:
                allowed |= _namespaces(_strings(statement["Action"]), universe, whole_service_only=False)
            elif statement.get("Effect") == "Allow" and "NotAction" in statement:
                allowed |= universe - _namespaces(_strings(statement["NotAction"]), universe, whole_service_only=True)
            elif _denies_everything(statement):
                denied |= _namespaces(_strings(statement["Action"]), universe, whole_service_only=True)
    return allowed - denied


@lru_cache(maxsize=None)
def _operation_names(namespace: str) -> tuple[str, ...]:
    return tuple(service_model(namespace).operation_names) if namespace in SERVICES else ()


def allowed_actions(documents: Sequence[str], namespace: str, used: Iterable[str]) -> list[str]:
    """Action names of a served service (its botocore operations, plus ``used`` ones) the documents allow,
    decided by the policy engine (an Allow covers the action and no unconditional Deny does)."""
    policies = [parse_policy_cached(document, "identity") for document in documents]
    found = []
    for name in sorted(set(_operation_names(namespace)) | set(used)):
        action = f"{namespace}:{name}".lower()
        covering = [policy.applicable(action) for policy in policies]
        if any(allows for _, allows in covering) and not any(s.unconditional for denies, _ in covering for s in denies):
            found.append(name)
    return found


@dataclass(frozen=True)
class Principal:
    """An IAM user or role whose calls count (``kind`` USER or ROLE, as EntityInfo names it)."""

    arn: str
    name: str
    kind: str
    id: str
    path: str

    @property
    def needle(self) -> str:
        """Text every record of this principal's calls contains (user id, or the role id of its sessions)."""
        return f'"principalId":"{self.id}"' if self.kind == "USER" else f'"principalId":"{self.id}:'

    def made(self, identity: dict[str, Any]) -> bool:
        principal_id = identity.get("principalId") or ""
        if self.kind == "USER":
            return identity.get("type") == "IAMUser" and principal_id == self.id
        return identity.get("type") == "AssumedRole" and principal_id.startswith(self.id + ":")


@dataclass(frozen=True)
class Use:
    """The last call one principal made to one service (or action)."""

    time: _dt.datetime
    region: str
    principal: Principal


@dataclass
class Usage:
    """Last uses per service namespace, per (namespace, action) and per (namespace, principal ARN)."""

    services: dict[str, Use]
    actions: dict[tuple[str, str], Use]
    principals: dict[tuple[str, str], Use]


def usage_of(session: Session, account_id: str, principals: Sequence[Principal], until: _dt.datetime) -> Usage:
    """The principals' last calls per service and action up to ``until``, from the account's event history."""
    usage = Usage({}, {}, {})
    if not principals:
        return usage
    events: list[EventRow] = trail_repo.events_mentioning(
        session, account_id, [p.needle for p in principals], until - TRACKING_PERIOD, until)
    for event in events:  # newest first: the first use seen of each key is the last one
        identity = json.loads(event.record).get("userIdentity") or {}
        principal = next((p for p in principals if p.made(identity)), None)
        if principal is None:
            continue
        namespace = namespace_of(event.event_source)
        use = Use(event.event_time, event.region, principal)
        usage.services.setdefault(namespace, use)
        usage.actions.setdefault((namespace, event.event_name), use)
        usage.principals.setdefault((namespace, principal.arn), use)
    return usage
