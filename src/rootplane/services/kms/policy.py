"""Key policies: AWS's default key policy, and the policy a request is judged by (key policy plus grants).

A grant acts like a key-policy statement allowing its grantee the granted operations, within its encryption-context
constraints; the engine (policy/evaluate.py, kind "key") then applies KMS's rule that identity policies count only
when the key policy allows the account.
"""

from __future__ import annotations

import json
from typing import Any

from rootplane.services.kms.tables import GrantRow, KeyRow

__all__ = ["aws_layout", "default_policy", "effective_policy", "grant_actions"]

# Grant operations whose permission goes by another name.
_GRANT_ACTIONS = {"ReEncryptFrom": "kms:ReEncryptFrom", "ReEncryptTo": "kms:ReEncryptTo"}


def aws_layout(value: Any, depth: int = 0) -> str:
    """A policy document laid out as GetKeyPolicy returns the policies AWS writes: one member a line, two-space
    indent, ``"Name" : value``, arrays on the line of their member (``[ "a", "b" ]``, ``[ {`` ... ``} ]``)."""
    if isinstance(value, dict):
        pad = "  " * (depth + 1)
        members = ",\n".join(f"{pad}{json.dumps(name)} : {aws_layout(item, depth + 1)}" for name, item in value.items())
        return "{\n" + members + "\n" + "  " * depth + "}"
    if isinstance(value, list):
        return "[ " + ", ".join(aws_layout(item, depth) for item in value) + " ]"
    return json.dumps(value)


def default_policy(account_id: str) -> str:
    """The key policy AWS KMS gives a key created through the API without one (as GetKeyPolicy returns it)."""
    return aws_layout({"Version": "2012-10-17", "Id": "key-default-1", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
         "Action": "kms:*", "Resource": "*"}]})


def grant_actions(operations: list[str]) -> list[str]:
    return [_GRANT_ACTIONS.get(operation, f"kms:{operation}") for operation in operations]


def _principal(name: str) -> dict[str, str]:
    return {"Service": name} if name.endswith(".amazonaws.com") else {"AWS": name}


def _grant_statement(grant: GrantRow) -> dict:
    statement: dict = {"Sid": f"grant {grant.grant_id}", "Effect": "Allow", "Principal": _principal(grant.grantee_principal),
                       "Action": grant_actions(json.loads(grant.operations_json)), "Resource": "*"}
    constraints = json.loads(grant.constraints_json) if grant.constraints_json else {}
    subset = constraints.get("EncryptionContextSubset") or {}
    equals = constraints.get("EncryptionContextEquals")
    context = {**subset, **(equals or {})}
    condition: dict = {}
    if context:
        condition["StringEquals"] = {f"kms:EncryptionContext:{key}": value for key, value in context.items()}
    if equals is not None:
        condition["ForAllValues:StringEquals"] = {"kms:EncryptionContextKeys": sorted(equals) or [""]}
    if condition:
        statement["Condition"] = condition
    return statement


def effective_policy(key: KeyRow, grants: list[GrantRow]) -> str:
    """The key policy with one Allow statement per grant (the key policy itself when there are none)."""
    if not grants:
        return key.policy
    document = json.loads(key.policy)
    statements = document.get("Statement")
    statements = [statements] if isinstance(statements, dict) else list(statements or [])
    document["Statement"] = statements + [_grant_statement(grant) for grant in grants]
    return json.dumps(document, separators=(",", ":"))
