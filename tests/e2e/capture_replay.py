"""Replaying aws-captures/*.json: load a recording, normalize its ids and messages, call, compare."""

from __future__ import annotations

import json
from typing import Any, Callable

from botocore import xform_name
from botocore.exceptions import ClientError

from harness import reference_data

CAPTURES = reference_data("aws-captures")


def load(name: str) -> dict:
    return json.loads((CAPTURES / name).read_text())


def substitute(value: Any, ids: dict[str, str]) -> Any:
    """Replace the recording's account/organization ids by ours, recursively."""
    if isinstance(value, str):
        for recorded, ours in ids.items():
            value = value.replace(recorded, ours)
        return value
    if isinstance(value, list):
        return [substitute(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: substitute(item, ids) for key, item in value.items()}
    return value


def recorded_message(message: str) -> str:
    """The AWS message inside an AWS CLI error line (or the message itself)."""
    marker = " operation: "
    if marker in message:
        message = message.split(marker, 1)[1]
    return message.split("\n\nAdditional error details:", 1)[0]


def call(client: Any, operation: str, params: dict) -> tuple[str, Any, int]:
    """Run one operation (CLI or API name): (code or "Success", output or message, HTTP status)."""
    method = getattr(client, operation.replace("-", "_") if "-" in operation else xform_name(operation))
    try:
        output = method(**params)
    except ClientError as error:
        return (error.response["Error"]["Code"], error.response["Error"].get("Message", ""),
                error.response["ResponseMetadata"]["HTTPStatusCode"])
    output.pop("ResponseMetadata", None)
    return "Success", output, 200


class Mismatches(list):
    """Differences between the recording and our answers, reported all at once."""

    def check(self, case: str, what: str, recorded: Any, ours: Any) -> None:
        if recorded != ours:
            self.append(f"{case}: {what}: recorded {recorded!r}, got {ours!r}")

    def compare_outputs(self, case: str, recorded: dict, ours: dict, pick: Callable[[dict], Any]) -> None:
        self.check(case, "output", pick(recorded), pick(ours))


def attempt(client: Any, operation: str, params: dict) -> tuple[str, dict, int]:
    """Like :func:`call`, but an error comes back whole: ``Message`` and its extra fields (reason, fieldList...)."""
    method = getattr(client, operation.replace("-", "_") if "-" in operation else xform_name(operation))
    try:
        output = method(**params)
    except ClientError as error:
        fields = {key: value for key, value in error.response.items() if key not in ("Error", "ResponseMetadata")}
        return (error.response["Error"]["Code"], {**fields, "Message": error.response["Error"].get("Message", "")},
                error.response["ResponseMetadata"]["HTTPStatusCode"])
    output.pop("ResponseMetadata", None)
    return "Success", output, 200


def recorded_error(observation: dict, ids: dict[str, str]) -> dict:
    """The recorded error as comparable fields: Message (from a JSON error or a CLI line) and extra fields."""
    error = observation.get("error")
    if error is None:
        return {"Message": substitute(recorded_message(observation.get("message", "")), ids)}
    extra = {key: value for key, value in error.items() if key not in ("Code", "Message", "message", "errorType")}
    return substitute({"Message": error.get("Message", error.get("message", "")), **extra}, ids)
