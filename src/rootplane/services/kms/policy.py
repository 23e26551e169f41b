"""Key policies: AWS's default key policy, and the policy a request is judged by (key policy plus grants).

A grant acts like a key-policy statement allowing its grantee the granted operations, within its encryption-context
constraints; the engine (policy/evaluate.py, kind "key") then applies KMS's rule that identity policies count only
when the key policy allows the account.
"""

from __future__ import annotations

import json

from rootplane.services.kms.tables import GrantRow, KeyRow

__all__ = ["default_policy", "effective_policy", "grant_actions"]

# Grant operations whose permission goes by another name.
_GRANT_ACTIONS = {"ReEncryptFrom": "kms:ReEncryptFrom", "ReEncryptTo": "kms:ReEncryptTo"}


def default_policy(account_id: str) -> str:
    """The key policy AWS KMS gives a key created through the API without one (as GetKeyPolicy returns it)."""
    return (
        '{\n  "Version" : "2012-10-17",\n  "Id" : "key-default-1",\n  "Statement" : [ {\n'
        '    "Sid" : "Enable IAM User Permissions",\n    "Effect" : "Allow",\n    "Principal" : {\n'
        f'      "AWS" : "arn:aws:iam::{account_id}:root"\n    }},\n    "Action" : "kms:*",\n    "Resource" : "*"\n'
        '  } ]\n}'
    )


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
