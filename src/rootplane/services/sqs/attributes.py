"""Queue attributes: names, defaults, validation, and the values GetQueueAttributes reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from rootplane.policy import MalformedPolicy, parse_policy_cached
from rootplane.services.sqs.errors import sqs_error

__all__ = [
    "DEFAULTS", "FIFO_DEFAULTS", "READ_ONLY", "validate_attributes", "int_attribute", "selected_names",
]

DEFAULTS = {
    "DelaySeconds": "0", "MaximumMessageSize": "1048576", "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0", "VisibilityTimeout": "30", "SqsManagedSseEnabled": "true",
}
FIFO_DEFAULTS = {"FifoQueue": "true", "ContentBasedDeduplication": "false", "DeduplicationScope": "queue",
                 "FifoThroughputLimit": "perQueue"}
READ_ONLY = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
             "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp", "QueueArn")


def _integer(low: int, high: int) -> Callable[[str], bool]:
    return lambda value: value.isdigit() and low <= int(value) <= high


def _boolean(value: str) -> bool:
    return value.lower() in ("true", "false")


def _json_object(value: str) -> bool:
    try:
        return isinstance(json.loads(value), dict)
    except ValueError:
        return False


# SQS's policy quotas (SQS Developer Guide, "Amazon SQS policy quotas").
MAX_POLICY_BYTES, MAX_POLICY_STATEMENTS = 8192, 20


def _policy(value: str) -> bool:
    if value == "":
        return True
    if len(value.encode()) > MAX_POLICY_BYTES:
        return False
    try:
        policy = parse_policy_cached(value, "resource")
    except MalformedPolicy:
        return False
    return len(policy.statements) <= MAX_POLICY_STATEMENTS


_VALID: dict[str, Callable[[str], bool]] = {
    "DelaySeconds": _integer(0, 900),
    "MaximumMessageSize": _integer(1024, 1048576),
    "MessageRetentionPeriod": _integer(60, 1209600),
    "ReceiveMessageWaitTimeSeconds": _integer(0, 20),
    "VisibilityTimeout": _integer(0, 43200),
    "Policy": _policy,
    "RedrivePolicy": lambda value: value == "" or _json_object(value),
    "RedriveAllowPolicy": lambda value: value == "" or _json_object(value),
    "KmsMasterKeyId": lambda value: True,
    "KmsDataKeyReusePeriodSeconds": _integer(60, 86400),
    "SqsManagedSseEnabled": _boolean,
    "FifoQueue": _boolean,
    "ContentBasedDeduplication": _boolean,
    "DeduplicationScope": lambda value: value in ("messageGroup", "queue"),
    "FifoThroughputLimit": lambda value: value in ("perQueue", "perMessageGroupId"),
}
_FIFO_ONLY = frozenset({"ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"})


def validate_attributes(attributes: dict[str, str], *, fifo: bool, creating: bool) -> None:
    """InvalidAttributeName / InvalidAttributeValue for anything SQS would reject."""
    for name, value in attributes.items():
        check = _VALID.get(name)
        if check is None or (name == "FifoQueue" and not creating) or (name in _FIFO_ONLY and not fifo):
            raise sqs_error("InvalidAttributeName", f"Unknown Attribute {name}.")
        if not check(value):
            raise sqs_error("InvalidAttributeValue", f"Invalid value for the parameter {name}.")


def int_attribute(attributes: dict[str, Any], name: str) -> int:
    return int(attributes.get(name, DEFAULTS.get(name, "0")))


def selected_names(requested: list[str] | None, available: list[str]) -> list[str]:
    """The attribute names a GetQueueAttributes asks for ("All" or an explicit list)."""
    if not requested:
        return []
    if "All" in requested:
        return available
    known = set(_VALID) | set(READ_ONLY)
    for name in requested:
        if name not in known:
            raise sqs_error("InvalidAttributeName", f"Unknown Attribute {name}.")
    return [name for name in requested if name in available or name in READ_ONLY]
