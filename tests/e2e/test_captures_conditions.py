"""Replay aws-captures/conditions.json through the API: IAM SimulateCustomPolicy with the recorded input, judged on
the whole recorded answer (per-resource and aggregate decisions, EvalResourceName, MatchedStatements positions,
MissingContextValues, EvalDecisionDetails)."""

from __future__ import annotations

import pytest

from capture_replay import load

CASES = load("conditions.json")["cases"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_simulate_custom_policy_capture(server, case):
    answer = server.client("iam").simulate_custom_policy(**case["input"])
    assert answer["EvaluationResults"] == case["output"]["EvaluationResults"]
    assert answer["IsTruncated"] is False
