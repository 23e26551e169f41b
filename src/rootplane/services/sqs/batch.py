"""Batch calls: entry validation and per-entry results (Successful / Failed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rootplane.services.batches import ENTRY_ID, MAX_ENTRIES, entry_results
from rootplane.services.sqs.errors import sqs_error

__all__ = ["MAX_ENTRIES", "MAX_BATCH_BYTES", "run_batch", "check_batch_length"]

MAX_BATCH_BYTES = 1048576  # SendMessageBatch: the sum of the batched messages' lengths, 1 MiB


def _check_entries(entries: list[dict[str, Any]], entry_shape: str) -> None:
    if not entries:
        raise sqs_error("EmptyBatchRequest", f"There should be at least one {entry_shape} in the request.")
    if len(entries) > MAX_ENTRIES:
        raise sqs_error("TooManyEntriesInBatchRequest",
                        f"Maximum number of entries per request are {MAX_ENTRIES}. You have sent {len(entries)}.")
    seen: set[str] = set()
    for entry in entries:
        entry_id = entry.get("Id", "")
        if not ENTRY_ID.match(entry_id):
            raise sqs_error("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, "
                            "hyphens and underscores. It can be at most 80 letters long.")
        if entry_id in seen:
            raise sqs_error("BatchEntryIdsNotDistinct", f"Id {entry_id} repeated.")
        seen.add(entry_id)


def check_batch_length(entries: list[dict[str, Any]]) -> None:
    """BatchRequestTooLong when a SendMessageBatch's message bodies add up to more than 1 MiB."""
    total = sum(len((entry.get("MessageBody") or "").encode("utf-8")) for entry in entries)
    if total > MAX_BATCH_BYTES:
        raise sqs_error("BatchRequestTooLong", f"Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. You "
                        f"have sent {total} bytes.")


def run_batch(entries: list[dict[str, Any]], entry_shape: str, run: Callable[[dict[str, Any]], dict[str, Any]],
              check: Callable[[list[dict[str, Any]]], None] | None = None) -> dict[str, Any]:
    """Run ``run(entry)`` per entry, once the entries and ``check`` (a check of the whole batch) pass; an AwsError
    becomes a Failed entry with its (legacy) code."""
    _check_entries(entries, entry_shape)
    if check is not None:
        check(entries)
    return entry_results(entries, run)
