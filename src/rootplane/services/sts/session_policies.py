"""What AssumeRole and GetFederationToken share: the session policies passed (an inline document, managed policy
ARNs) and the PackedPolicySize they and the session tags take."""

from __future__ import annotations

import json
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.policy import MalformedPolicy, parse_policy_cached
from rootplane.services.account.regions import OPT_IN_REGIONS
from rootplane.services.context import RequestContext

__all__ = ["inline_policy", "policy_arns", "packed_size"]

OPT_IN_REGION_BASELINE = 18
PACKED_LIMIT = 2048
MAX_POLICY_ARNS = 10


def inline_policy(params: dict[str, Any]) -> str | None:
    """The ``Policy`` parameter, checked as a session policy (MalformedPolicyDocument when it is not one)."""
    policy = params.get("Policy")
    if policy is None:
        return None
    try:
        parse_policy_cached(policy, "session")
    except MalformedPolicy as exc:
        raise AwsError("MalformedPolicyDocument", str(exc), 400) from None
    return policy


def policy_arns(params: dict[str, Any]) -> list[str]:
    """The ``PolicyArns`` parameter's ARNs (at most 10)."""
    arns = [entry["arn"] for entry in params.get("PolicyArns") or []]
    if len(arns) > MAX_POLICY_ARNS:
        raise AwsError("ValidationError", "1 validation error detected: Value at 'policyArns' failed to satisfy "
                       "constraint: Member must have length less than or equal to 10", 400)
    return arns


def packed_size(ctx: RequestContext, policy: str | None, arns: list[str], tags: list[dict[str, str]]) -> int | None:
    """PackedPolicySize: percent of the packed session-policy/tag allowance used (None when nothing was passed,
    except in an opt-in region, where AWS answered 18 for a request passing nothing: aws-captures/regions*.json)."""
    if policy is None and not arns and not tags:
        return OPT_IN_REGION_BASELINE if ctx.region in OPT_IN_REGIONS else None
    packed = len(json.dumps(json.loads(policy), separators=(",", ":"))) if policy else 0
    packed += sum(len(arn) for arn in arns) + sum(len(t["Key"]) + len(t["Value"]) for t in tags)
    percent = -(-packed * 100 // PACKED_LIMIT)
    if percent > 100:
        raise AwsError("PackedPolicyTooLarge", f"Packed policy consumes {percent}% of allotted space, please use "
                       "smaller policy.", 400)
    return percent
