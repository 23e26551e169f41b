"""Shapes of IAM's SimulatePrincipalPolicy / SimulateCustomPolicy results, built from :class:`Decision` values.

Per (action, resource) a decision becomes an ``EvalDecision`` (``allowed`` | ``explicitDeny`` | ``implicitDeny``)
with ``MatchedStatements`` (``SourcePolicyId``, ``SourcePolicyType``, ``StartPosition``/``EndPosition``).  Per action,
the results of several resources aggregate as IAM does: any explicit deny wins, then any implicit deny, else allowed
(observed in aws-captures/conditions.json).
"""

from __future__ import annotations

from typing import Any, Sequence

from rootplane.policy.evaluate import Decision, MatchedStatement

__all__ = ["eval_decision", "matched_statements", "resource_result", "action_result", "aggregate_decision"]

_DECISIONS = {"allow": "allowed", "explicit_deny": "explicitDeny", "implicit_deny": "implicitDeny"}
_RANK = {"explicitDeny": 2, "implicitDeny": 1, "allowed": 0}


def eval_decision(decision: Decision) -> str:
    """``allowed`` | ``explicitDeny`` | ``implicitDeny``."""
    return _DECISIONS[decision.kind]


def matched_statements(decision: Decision) -> list[dict[str, Any]]:
    """The ``MatchedStatements`` list of a decision (implicit denies have none)."""
    return [_statement(m) for m in decision.matched]


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


def action_result(action: str, per_resource: Sequence[tuple[str, Decision]], *,
                  resource_name: str | None = None,
                  missing_context_values: Sequence[str] = ()) -> dict[str, Any]:
    """One ``EvaluationResults`` entry for ``action`` over one or more resources.

    With one resource the entry names it; with several, ``resource_name`` (IAM shows the action's ARN template,
    e.g. ``arn:aws:s3:::${BucketName}/${KeyName}``) or ``*``.  The top-level MatchedStatements are those of the
    first resource whose decision equals the aggregate.
    """
    decisions = [d for _, d in per_resource]
    aggregate = aggregate_decision(decisions)
    if len(per_resource) == 1:
        name = per_resource[0][0]
    else:
        name = resource_name or "*"
    top: list[dict[str, Any]] = []
    if len(per_resource) == 1:
        top = matched_statements(per_resource[0][1])
    return {
        "EvalActionName": action,
        "EvalResourceName": name,
        "EvalDecision": aggregate,
        "MatchedStatements": top,
        "MissingContextValues": list(missing_context_values),
        "EvalDecisionDetails": {},
        "ResourceSpecificResults": [resource_result(r, d) for r, d in per_resource],
    }
