"""IAM's policy simulator (SimulatePrincipalPolicy / SimulateCustomPolicy): decisions and deciding statements."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

from rootplane.tools.aws import Connection

__all__ = ["Decision", "simulate", "statement_text", "context_entries"]


@dataclass(frozen=True)
class Decision:
    """One (action, resource) evaluation and the statements that decided it."""

    action: str
    resource: str
    decision: str
    statements: tuple[str, ...]

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"


def statement_text(document: str, start: dict[str, int], end: dict[str, int]) -> str:
    """The statement between two 1-based (Line, Column) positions, on one line."""
    lines = document.splitlines()
    first, last = start["Line"] - 1, end["Line"] - 1
    if not (0 <= first <= last < len(lines)):
        return ""
    if first == last:
        piece = lines[first][start["Column"] - 1:end["Column"]]
    else:
        piece = "\n".join([lines[first][start["Column"] - 1:], *lines[first + 1:last], lines[last][:end["Column"]]])
    return " ".join(piece.split())


def context_entries(pairs: Sequence[str]) -> list[dict[str, Any]]:
    """``key=value`` options as ContextEntries (a value that looks boolean or numeric gets that type)."""
    entries = []
    for pair in pairs:
        key, _, value = pair.partition("=")
        kind = "boolean" if value.lower() in ("true", "false") else "numeric" if value.isdigit() else "string"
        entries.append({"ContextKeyName": key, "ContextKeyValues": [value], "ContextKeyType": kind})
    return entries


def _statements(result: dict[str, Any], documents: Sequence[str]) -> tuple[str, ...]:
    described = []
    for matched in result.get("MatchedStatements", []):
        source = matched.get("SourcePolicyId", "?")
        where = f"{source} ({matched.get('SourcePolicyType', '?')}) line {matched['StartPosition']['Line']}"
        if source.startswith("PolicyInputList.") and source.rsplit(".", 1)[1].isdigit():
            index = int(source.rsplit(".", 1)[1]) - 1
            if 0 <= index < len(documents):
                text = statement_text(documents[index], matched["StartPosition"], matched["EndPosition"])
                where += f": {text}" if text else ""
        described.append(where)
    return tuple(described)


def simulate(connection: Connection, actions: Sequence[str], resources: Sequence[str] = (),
             principal_arn: str | None = None, documents: Sequence[str] = (),
             context: Sequence[dict[str, Any]] = ()) -> list[Decision]:
    """Evaluate every action on every resource for a principal (its attached policies) or for policy documents."""
    iam = connection.client("iam")
    request: dict[str, Any] = {"ActionNames": list(actions)}
    if resources:
        request["ResourceArns"] = list(resources)
    if context:
        request["ContextEntries"] = list(context)
    if principal_arn:
        pages = iam.get_paginator("simulate_principal_policy").paginate(PolicySourceArn=principal_arn, **request)
    else:
        for document in documents:
            json.loads(document)  # a readable error for a file that is not JSON, before AWS's
        pages = iam.get_paginator("simulate_custom_policy").paginate(PolicyInputList=list(documents), **request)
    decisions = []
    for page in pages:
        for result in page["EvaluationResults"]:
            per_resource = result.get("ResourceSpecificResults") or [result]
            for item in per_resource:
                decisions.append(Decision(
                    result["EvalActionName"], item.get("EvalResourceName", result.get("EvalResourceName", "*")),
                    item.get("EvalResourceDecision", result["EvalDecision"]), _statements(item, documents)))
    return decisions
