"""Event bus resource policies as PutPermission and RemovePermission edit them (EventBridge API Reference,
PutPermission and RemovePermission; User Guide, "Permissions for event buses in Amazon EventBridge").

PutPermission either replaces the whole policy (``Policy``) or adds one statement: an account id becomes
``{"AWS": "arn:aws:iam::<account>:root"}``, ``*`` stays ``*``, and a ``Condition`` (Type, Key, Value) becomes
``{Type: {Key: Value}}`` (the shape of the User Guide's example policies).
"""

from __future__ import annotations

import json
from typing import Any

from rootplane.core.errors import AwsError

__all__ = ["MAX_POLICY_LENGTH", "with_statement", "without_statement", "checked_policy"]

MAX_POLICY_LENGTH = 10240  # EventBridge quotas: "Event bus policy size", in characters


def _validation(message: str) -> AwsError:
    return AwsError("ValidationException", message, 400)


def checked_policy(text: str) -> str:
    """``text`` if it fits the quota (PolicyLengthExceededException) and parses as a resource policy."""
    from rootplane.policy import MalformedPolicy, parse_policy

    if len(text) > MAX_POLICY_LENGTH:
        raise AwsError("PolicyLengthExceededException", "The event bus policy is too long.", 400)
    try:
        parse_policy(text, kind="resource")
    except (MalformedPolicy, ValueError):
        raise _validation("Policy is not valid.") from None
    return text


def _statements(policy: str | None) -> list[dict[str, Any]]:
    if not policy:
        return []
    statements = json.loads(policy).get("Statement") or []
    return [statements] if isinstance(statements, dict) else list(statements)


def _document(statements: list[dict[str, Any]]) -> str | None:
    if not statements:
        return None
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":"))


def with_statement(policy: str | None, bus_arn: str, params: dict[str, Any]) -> str:
    """``policy`` with the statement PutPermission's StatementId, Principal, Action and Condition describe (one of
    the same Sid is replaced)."""
    missing = [name for name in ("Action", "Principal", "StatementId") if not params.get(name)]
    if missing:
        raise _validation(f"Parameter(s) {', '.join(missing)} must be specified.")
    principal = params["Principal"]
    statement: dict[str, Any] = {
        "Sid": params["StatementId"], "Effect": "Allow",
        "Principal": principal if principal == "*" else {"AWS": f"arn:aws:iam::{principal}:root"},
        "Action": params["Action"], "Resource": bus_arn,
    }
    condition = params.get("Condition")
    if condition:
        statement["Condition"] = {condition["Type"]: {condition["Key"]: condition["Value"]}}
    kept = [old for old in _statements(policy) if old.get("Sid") != statement["Sid"]]
    return checked_policy(_document([*kept, statement]) or "")


def without_statement(policy: str | None, statement_id: str) -> str | None:
    """``policy`` without the statement ``statement_id`` (None when none is left); ResourceNotFoundException when
    the bus has no policy or no such statement."""
    if not policy:
        raise AwsError("ResourceNotFoundException", "EventBus does not have a policy.", 400)
    statements = _statements(policy)
    kept = [statement for statement in statements if statement.get("Sid") != statement_id]
    if len(kept) == len(statements):
        raise AwsError("ResourceNotFoundException", "Statement with the provided id does not exist.", 400)
    return _document(kept)
