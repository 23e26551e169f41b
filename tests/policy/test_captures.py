"""Replay real AWS recordings (shared/reference/aws-captures/conditions.json: IAM SimulateCustomPolicy) through the
engine and the simulator result shape: per-resource decisions, aggregate decision and MatchedStatements positions.

mfa.json records MFA device lifecycle and GetSessionToken codes — no policy evaluation outcome — so it is not
replayed here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from rootplane.policy import NamedPolicy, PolicySet, RequestFacts, action_result, evaluate, parse_policy

from harness import reference_data

CAPTURES = reference_data("aws-captures", "conditions.json")

CASES = json.loads(CAPTURES.read_text())["cases"]


def _context(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["ContextKeyName"]: e["ContextKeyValues"] for e in entries}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_simulate_custom_policy_capture(case: dict[str, Any]) -> None:
    given = case["input"]
    policies = tuple(
        NamedPolicy(f"PolicyInputList.{i + 1}", parse_policy(text)) for i, text in enumerate(given["PolicyInputList"])
    )
    context = _context(given.get("ContextEntries", []))
    for expected in case["output"]["EvaluationResults"]:
        action = expected["EvalActionName"]
        resources = [r["EvalResourceName"] for r in expected["ResourceSpecificResults"]]
        per_resource = []
        for resource in resources:
            facts = RequestFacts(action, resource, "arn:aws:iam::123456789012:user/simulator", "123456789012",
                                 None, context)
            per_resource.append((resource, evaluate(facts, PolicySet(identity=policies), explain=True)))
        got = action_result(action, per_resource, resource_name=expected["EvalResourceName"])
        assert got["EvalDecision"] == expected["EvalDecision"]
        assert got["ResourceSpecificResults"] == expected["ResourceSpecificResults"]
        if len(resources) == 1:
            assert got["MatchedStatements"] == expected["MatchedStatements"]
        assert got["EvalResourceName"] == expected["EvalResourceName"]
