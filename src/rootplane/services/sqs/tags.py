"""Queue tags: SQS's wording of the shared 50-tag quota, and UntagQueue's rule."""

from __future__ import annotations

from rootplane.services import tagging
from rootplane.services.sqs.errors import invalid_parameter

__all__ = ["merged_tags", "remaining_tags"]


def merged_tags(queue_name: str, current: dict[str, str], added: dict[str, str]) -> dict[str, str]:
    """``current`` updated with ``added``; InvalidParameterValue past 50 tags (nothing is stored then)."""
    return tagging.merged_tags(current, added,
                               lambda: invalid_parameter(f"Too many tags added for queue {queue_name}."))


def remaining_tags(current: dict[str, str], keys: list[str]) -> dict[str, str]:
    """``current`` without ``keys``; UntagQueue with no key is InvalidParameterValue."""
    if not keys:
        raise invalid_parameter("Tag keys must be between 1 and 128 characters in length.")
    return {key: value for key, value in current.items() if key not in keys}
