"""Managed policies by ARN: AWS managed ones (shipped data) and customer managed ones (stored), one view."""

from __future__ import annotations

import bisect
import datetime as _dt
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.orm import Session

from rootplane.data import load_managed_policies, managed_policy_by_arn
from rootplane.services.iam import errors, repo
from rootplane.services.iam.tables import ManagedPolicyRow

__all__ = ["PolicyView", "aws_policy", "aws_policies", "aws_policies_after", "resolve", "resolve_many", "resolve_locked",
           "get_policy", "check_arn", "is_task_policy", "is_service_role_policy"]

AWS_PREFIX = "arn:aws:iam::aws:policy/"
# An IAM resource ARN: partition aws, service iam, no region, an account (or "aws"), a resource type, path and name.
_IAM_ARN_RE = re.compile(r"arn:aws:iam::(aws|\d{12}):[a-z-]+(/[A-Za-z0-9.,+@=_-]+)*/[\w+=,.@-]+")


@dataclass(frozen=True)
class PolicyView:
    """A managed policy and its default version's document text."""

    arn: str
    name: str
    path: str
    policy_id: str
    default_version_id: str
    document: str
    description: str | None
    created_at: _dt.datetime
    updated_at: _dt.datetime
    is_aws: bool
    is_attachable: bool = True
    row: ManagedPolicyRow | None = None


def _parse_time(text: str) -> _dt.datetime:
    return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@lru_cache(maxsize=None)
def aws_policy(arn: str) -> PolicyView | None:
    """An AWS managed policy by ARN (cached; documents rendered once)."""
    record = managed_policy_by_arn(arn)
    if record is None:
        return None
    return PolicyView(
        arn=record["Arn"], name=record["PolicyName"], path=record["Path"], policy_id=record["PolicyId"],
        default_version_id=record["DefaultVersionId"], document=json.dumps(record["Document"], indent=4),
        description=record.get("Description"), created_at=_parse_time(record["CreateDate"]),
        updated_at=_parse_time(record["UpdateDate"]), is_aws=True,
        is_attachable=record.get("IsAttachable", True),
    )


@lru_cache(maxsize=1)
def aws_policies() -> tuple[PolicyView, ...]:
    """Every AWS managed policy, ordered by lower-cased name (built once)."""
    views = (aws_policy(record["Arn"]) for record in load_managed_policies())
    return tuple(sorted((v for v in views if v is not None), key=lambda v: v.name.lower()))


@lru_cache(maxsize=1)
def _aws_policy_keys() -> tuple[str, ...]:
    return tuple(view.name.lower() for view in aws_policies())


def aws_policies_after(name_key: str) -> Iterator[PolicyView]:
    """The AWS managed policies whose lower-cased name sorts after ``name_key``, in order (a binary search: a page
    costs its own length, not the catalog's)."""
    views = aws_policies()
    for index in range(bisect.bisect_right(_aws_policy_keys(), name_key), len(views)):
        yield views[index]


def is_task_policy(arn: str) -> bool:
    """The root-task policies are usable only as AssumeRoot task policies, never attachable."""
    return arn.startswith(AWS_PREFIX + "root-task/")


def is_service_role_policy(arn: str) -> bool:
    """An AWS managed policy of a service-linked role (path /aws-service-role/): only that role may have it."""
    return arn.startswith(AWS_PREFIX + "aws-service-role/")


def _customer_view(row: ManagedPolicyRow, document: str) -> PolicyView:
    return PolicyView(
        arn=row.arn, name=row.policy_name, path=row.path, policy_id=row.policy_id,
        default_version_id=row.default_version_id, document=document, description=row.description,
        created_at=row.created_at, updated_at=row.updated_at, is_aws=False, row=row,
    )


def resolve_many(session: Session, arns: Sequence[str]) -> list[PolicyView]:
    """Views of the known policies among ``arns`` (unknown ARNs are skipped), in input order; one query."""
    customer_arns = [arn for arn in arns if not arn.startswith(AWS_PREFIX)]
    stored = {policy.arn: _customer_view(policy, version.document)
              for policy, version in repo.policy_versions(session, customer_arns)} if customer_arns else {}
    views = []
    for arn in arns:
        view = aws_policy(arn) if arn.startswith(AWS_PREFIX) else stored.get(arn)
        if view is not None:
            views.append(view)
    return views


def resolve(session: Session, arn: str) -> PolicyView | None:
    found = resolve_many(session, [arn])
    return found[0] if found else None


def resolve_locked(session: Session, arn: str) -> PolicyView | None:
    """``resolve`` for an operation about to attach the policy or make it a boundary: a customer policy's row stays
    locked until commit, so DeletePolicy (which counts its uses under the same lock) cannot slip in between."""
    view = resolve(session, arn)
    if view is not None and not view.is_aws and not repo.lock_policy(session, arn):
        return None
    return view


def check_arn(arn: str) -> None:
    """InvalidInput unless ``arn`` is an IAM resource ARN, as IAM answers a malformed PolicyArn."""
    if _IAM_ARN_RE.fullmatch(arn) is None:
        raise errors.invalid_input(f"ARN {arn} is not valid.")


def get_policy(session: Session, arn: str) -> PolicyView:
    """A policy by ARN or NoSuchEntity with IAM's wording (InvalidInput for a malformed ARN)."""
    check_arn(arn)
    view = resolve(session, arn)
    if view is None:
        raise errors.no_such_entity(f"Policy {arn} does not exist or is not attachable.")
    return view
