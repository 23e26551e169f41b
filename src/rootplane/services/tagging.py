"""Resource tags shared by the services: the Key/Value wire form as a dict, and AWS's quota of 50 tags per resource,
counted after merging with the tags already there (each service words the refusal its own way)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from rootplane.core.errors import AwsError

__all__ = ["MAX_TAGS_PER_RESOURCE", "tag_map", "merged_tags"]

MAX_TAGS_PER_RESOURCE = 50


def tag_map(pairs: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    """``[{"Key": k, "Value": v}, ...]`` as ``{k: v}`` (a later pair wins)."""
    return {pair["Key"]: pair["Value"] for pair in pairs or ()}


def merged_tags(current: Mapping[str, str], added: Mapping[str, str],
                refusal: Callable[[], AwsError]) -> dict[str, str]:
    """``current`` updated with ``added``; ``refusal()`` is raised past 50 tags (and nothing is stored then)."""
    tags = {**current, **added}
    if len(tags) > MAX_TAGS_PER_RESOURCE:
        raise refusal()
    return tags
