"""AddPermission / RemovePermission: label-named statements in the queue policy."""

from __future__ import annotations

import json
import re
from typing import Any

from rootplane.core.arn import root_arn
from rootplane.services.sqs.errors import invalid_parameter, missing_parameter
from rootplane.wire.models import service_model

__all__ = ["add_statement", "remove_statement"]


def _document(policy: str | None, queue_arn: str) -> dict[str, Any]:
    if policy:
        return json.loads(policy)
    return {"Version": "2012-10-17", "Id": f"{queue_arn}/SQSDefaultPolicy", "Statement": []}


_ACCOUNT_ID = re.compile(r"^\d{12}$")
_LABEL = re.compile(r"^[A-Za-z0-9_-]{1,80}$")  # AddPermission's Label: up to 80 alphanumerics, hyphens, underscores
MAX_ACTIONS = 7  # "An Amazon SQS policy can have a maximum of seven actions per statement" (AddPermission)


def _grantable_actions() -> frozenset[str]:
    """``*`` and every SQS action but the batch ones (granted with their single-message action)."""
    names = service_model("sqs").operation_names
    return frozenset(["*", *(name for name in names if not name.endswith("Batch"))])


def _check_grant(params: dict[str, Any]) -> None:
    """AWS's answers for AddPermission's principals and actions (the statement must be a valid policy)."""
    if not params["AWSAccountIds"]:
        raise missing_parameter("AWSAccountIds")
    if not params["Actions"]:
        raise missing_parameter("Actions")
    for account_id in params["AWSAccountIds"]:
        if not _ACCOUNT_ID.match(account_id):
            raise invalid_parameter(f"Value {account_id} for parameter PrincipalId is invalid. Reason: Unable to verify.")
    if len(params["Actions"]) > MAX_ACTIONS:
        raise invalid_parameter(f"Value {len(params['Actions'])} for parameter Actions is invalid. Reason: A policy "
                                f"statement can have at most {MAX_ACTIONS} actions.")
    grantable = _grantable_actions()
    for action in params["Actions"]:
        if action not in grantable:
            raise invalid_parameter(f"Value SQS:{action} for parameter ActionName is invalid. Reason: Please refer to "
                                    "the appropriate WSDL for a list of valid actions.")


def add_statement(policy: str | None, queue_arn: str, params: dict[str, Any]) -> str:
    """The policy with an Allow statement whose Sid is the label."""
    label = params["Label"]
    if not _LABEL.match(label):
        raise invalid_parameter(f"Value {label} for parameter Label is invalid. Reason: Must be 1 to 80 alphanumeric "
                                "characters, hyphens (-) or underscores (_).")
    document = _document(policy, queue_arn)
    statements = document.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    if any(statement.get("Sid") == label for statement in statements):
        raise invalid_parameter(f"Value {label} for parameter Label is invalid. Reason: Already exists.")
    _check_grant(params)
    principals = [root_arn(account_id) for account_id in params["AWSAccountIds"]]
    statements.append({
        "Sid": label, "Effect": "Allow",
        "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
        "Action": [f"SQS:{action}" for action in params["Actions"]], "Resource": queue_arn,
    })
    document["Statement"] = statements
    return json.dumps(document, separators=(",", ":"))


def remove_statement(policy: str | None, label: str) -> str | None:
    """The policy without the label's statement (None when nothing is left)."""
    document = json.loads(policy) if policy else {"Statement": []}
    statements = document.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    kept = [statement for statement in statements if statement.get("Sid") != label]
    if len(kept) == len(statements):
        raise invalid_parameter(f"Value {label} for parameter Label is invalid. Reason: can't find label on existing "
                                "policy.")
    if not kept:
        return None
    document["Statement"] = kept
    return json.dumps(document, separators=(",", ":"))
