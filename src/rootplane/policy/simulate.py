"""Shapes of IAM's SimulatePrincipalPolicy / SimulateCustomPolicy results, built from :class:`Decision` values.

Per (action, resource) a decision becomes an ``EvalDecision`` (``allowed`` | ``explicitDeny`` | ``implicitDeny``)
with ``MatchedStatements`` (``SourcePolicyId``, ``SourcePolicyType``, ``StartPosition``/``EndPosition``).  Per action,
the results of several resources aggregate as IAM does: any explicit deny wins, then any implicit deny, else allowed
(observed in aws-captures/conditions.json).
"""

from __future__ import annotations

from typing import Any, Sequence

from rootplane.policy.evaluate import SCP, Decision, MatchedStatement

__all__ = ["eval_decision", "matched_statements", "resource_result", "resource_template", "action_result",
           "aggregate_decision"]

_DECISIONS = {"allow": "allowed", "explicit_deny": "explicitDeny", "implicit_deny": "implicitDeny"}
_RANK = {"explicitDeny": 2, "implicitDeny": 1, "allowed": 0}


def eval_decision(decision: Decision) -> str:
    """``allowed`` | ``explicitDeny`` | ``implicitDeny``."""
    return _DECISIONS[decision.kind]


def matched_statements(decision: Decision) -> list[dict[str, Any]]:
    """The ``MatchedStatements`` list of a decision (implicit denies have none). SCP statements are never listed:
    only identity-based and resource-based policies' (IAM API Reference, EvaluationResult)."""
    return [_statement(m) for m in decision.matched if m.policy_type != SCP]


def _statement(m: MatchedStatement) -> dict[str, Any]:
    return {
        "SourcePolicyId": m.policy_name,
        "SourcePolicyType": m.source_type,
        "StartPosition": {"Line": m.start.line, "Column": m.start.column},
        "EndPosition": {"Line": m.end.line, "Column": m.end.column},
    }


def resource_result(resource: str, decision: Decision) -> dict[str, Any]:
    """One ``ResourceSpecificResults`` entry."""
    result: dict[str, Any] = {"EvalResourceName": resource, "EvalResourceDecision": eval_decision(decision)}
    if decision.matched:
        result["MatchedStatements"] = matched_statements(decision)
    return result


def aggregate_decision(decisions: Sequence[Decision]) -> str:
    """Combine per-resource decisions of one action: explicitDeny > implicitDeny > allowed."""
    if not decisions:
        return "implicitDeny"
    return max((eval_decision(d) for d in decisions), key=_RANK.__getitem__)


def resource_template(resource: str) -> str:
    """The ARN template IAM's simulator names for several resources of one action (``*`` when unknown).

    Recorded for S3 objects (aws-captures/conditions.json: ``arn:aws:s3:::${BucketName}/${KeyName}``).
    """
    if resource.startswith("arn:aws:s3:::"):
        return "arn:aws:s3:::${BucketName}/${KeyName}" if "/" in resource else "arn:aws:s3:::${BucketName}"
    return "*"


def action_result(action: str, per_resource: Sequence[tuple[str, Decision]], *,
                  missing_context_values: Sequence[str] = ()) -> dict[str, Any]:
    """One ``EvaluationResults`` entry for ``action`` over one or more resources.

    With one resource the entry names it; with several, the resource type's ARN template
    (:func:`resource_template`), and the top-level MatchedStatements are every resource's, each once, in order
    (aws-captures/conditions.json).
    """
    decisions = [d for _, d in per_resource]
    if len(per_resource) == 1:
        name = per_resource[0][0]
    else:
        name = resource_template(per_resource[0][0]) if per_resource else "*"
    top: list[dict[str, Any]] = []
    for decision in decisions:
        top += [statement for statement in matched_statements(decision) if statement not in top]
    return {
        "EvalActionName": action,
        "EvalResourceName": name,
        "EvalDecision": aggregate_decision(decisions),
        "MatchedStatements": top,
        "MissingContextValues": list(missing_context_values),
        "EvalDecisionDetails": {},
        "ResourceSpecificResults": [resource_result(r, d) for r, d in per_resource],
    }
