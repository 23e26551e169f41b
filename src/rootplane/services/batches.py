"""Batch operations shared by the services (SQS's message batches, SNS PublishBatch): the entry ids AWS accepts and
the per-entry answer, each entry in Successful or in Failed (each service words its refusals its own way)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rootplane.core.errors import AwsError

__all__ = ["MAX_ENTRIES", "ENTRY_ID", "entry_results"]

MAX_ENTRIES = 10
ENTRY_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")  # alphanumeric characters, hyphens and underscores, at most 80


def entry_results(entries: list[dict[str, Any]], run: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """Run ``run(entry)`` per entry: its answer joins Successful with the entry's Id, an AwsError becomes a Failed
    entry with its code (the legacy query code where the service has one), message and SenderFault."""
    successful: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for entry in entries:
        try:
            successful.append({"Id": entry["Id"], **run(entry)})
        except AwsError as error:
            failed.append({"Id": entry["Id"], "SenderFault": error.sender_fault,
                           "Code": error.query_code or error.code, "Message": error.message})
    return {"Successful": successful, "Failed": failed}
