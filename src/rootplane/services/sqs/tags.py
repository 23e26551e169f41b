"""Queue tags: AWS's quota of 50 tags per queue, counted after merging with the queue's tags."""

from __future__ import annotations

from rootplane.services.sqs.errors import invalid_parameter

__all__ = ["MAX_TAGS", "merged_tags", "remaining_tags"]

MAX_TAGS = 50


def merged_tags(queue_name: str, current: dict[str, str], added: dict[str, str]) -> dict[str, str]:
    """``current`` updated with ``added``; InvalidParameterValue past 50 tags (nothing is stored then)."""
    tags = {**current, **added}
    if len(tags) > MAX_TAGS:
        raise invalid_parameter(f"Too many tags added for queue {queue_name}.")
    return tags


def remaining_tags(current: dict[str, str], keys: list[str]) -> dict[str, str]:
    """``current`` without ``keys``; UntagQueue with no key is InvalidParameterValue."""
    if not keys:
        raise invalid_parameter("Tag keys must be between 1 and 128 characters in length.")
    return {key: value for key, value in current.items() if key not in keys}
