"""Pure IAM policy engine: parse/validate documents, match, evaluate conditions, decide — no I/O.

Imports only the standard library and :mod:`rootplane.core`.
"""

from rootplane.policy.conditions import OPERATORS
from rootplane.policy.document import (
    MESSAGES, MalformedPolicy, Policy, PolicyKind, Position, Statement, parse_policy, parse_policy_cached,
)
from rootplane.policy.evaluate import (
    POLICY_TYPES, ROOT_LOCKOUT_EXEMPT_ACTIONS, Decision, DecisionKind, MatchedStatement, NamedPolicy, PolicySet,
    RequestFacts, evaluate,
)
from rootplane.policy.simulate import action_result, aggregate_decision, eval_decision, matched_statements, resource_result

__all__ = [
    "OPERATORS", "MESSAGES", "MalformedPolicy", "Policy", "PolicyKind", "Position", "Statement", "parse_policy",
    "parse_policy_cached", "POLICY_TYPES", "ROOT_LOCKOUT_EXEMPT_ACTIONS", "Decision", "DecisionKind",
    "MatchedStatement", "NamedPolicy", "PolicySet", "RequestFacts", "evaluate", "action_result",
    "aggregate_decision", "eval_decision", "matched_statements", "resource_result",
]
