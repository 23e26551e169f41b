"""GetResources, GetTagKeys, GetTagValues over the tagged resources of the served services (services/
resourcegroupstaggingapi/repo.py). TagResources/UntagResources answer 501: each service's own API tags."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.context import RequestContext
from rootplane.services.provider import Provider
from rootplane.services.resourcegroupstaggingapi.repo import GLOBAL_REGION, SOURCES, Source

__all__ = ["TaggingProvider", "PROVIDER"]

DEFAULT_PAGE = 50
MAX_PAGE = 100
_TYPE_FILTER = re.compile(r"[a-z0-9-]+(:[a-z0-9-]+)?")


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message, 400)


def _sources(type_filters: list[str] | None) -> list[Source]:
    """The sources ResourceTypeFilters select (``service`` selects all its types, ``service:type`` one)."""
    if not type_filters:
        return list(SOURCES)
    for wanted in type_filters:
        if not _TYPE_FILTER.fullmatch(wanted):
            raise _invalid(f"Invalid resource type filter: {wanted}")
    return [source for source in SOURCES
            if any(source.resource_type == wanted or source.resource_type.split(":")[0] == wanted
                   for wanted in type_filters)]


def _tagged(ctx: RequestContext, sources: list[Source]) -> dict[str, dict[str, str]]:
    """ARN -> tags of the caller's tagged resources in the request's region."""
    found: dict[str, dict[str, str]] = {}
    for source in sources:
        if source.is_global and ctx.region != GLOBAL_REGION:
            continue
        found.update(source.read(ctx.session, ctx.account_id, ctx.region))
    return found


def _matches(tags: dict[str, str], tag_filters: list[dict[str, Any]]) -> bool:
    """Every filter's key is present, with one of its values when it lists any."""
    for tag_filter in tag_filters:
        key = tag_filter.get("Key")
        if key not in tags:
            return False
        values = tag_filter.get("Values")
        if values and tags[key] not in values:
            return False
    return True


def _after(token: str | None, kind: str) -> str | None:
    if not token:
        return None
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith(f"{kind}|"):
        raise _invalid("The specified pagination token is invalid.")
    return text[len(kind) + 1:]


def _page(items: list[str], token: str | None, kind: str, size: int) -> tuple[list[str], str]:
    """One page of sorted ``items`` and the next token ("" on the last page, as AWS answers)."""
    after = _after(token, kind)
    remaining = [item for item in items if after is None or item > after]
    if len(remaining) <= size:
        return remaining, ""
    return remaining[:size], base64.urlsafe_b64encode(f"{kind}|{remaining[size - 1]}".encode()).decode()


class TaggingProvider(Provider):
    """The tagged resources of the caller's account in the request's region."""

    service_name = "resourcegroupstaggingapi"

    def get_resources(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        arns, type_filters, tag_filters = params.get("ResourceARNList"), params.get("ResourceTypeFilters"), \
            params.get("TagFilters") or []
        if arns and (type_filters or tag_filters):
            raise _invalid("ResourceARNList cannot be combined with ResourceTypeFilters or TagFilters.")
        size = params.get("ResourcesPerPage", DEFAULT_PAGE)
        if not 1 <= size <= MAX_PAGE:
            raise _invalid(f"ResourcesPerPage must be between 1 and {MAX_PAGE}.")
        for tag_filter in tag_filters:
            if not tag_filter.get("Key"):
                raise _invalid("A TagFilter must name a Key.")
        tagged = _tagged(ctx, _sources(type_filters))
        wanted = set(arns) if arns else None
        selected = sorted(arn for arn, tags in tagged.items()
                          if (wanted is None or arn in wanted) and _matches(tags, tag_filters))
        page, token = _page(selected, params.get("PaginationToken"), "resources", size)
        return {"PaginationToken": token, "ResourceTagMappingList": [
            {"ResourceARN": arn, "Tags": [{"Key": key, "Value": value} for key, value in tagged[arn].items()]}
            for arn in page]}

    def get_tag_keys(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        keys = sorted({key for tags in _tagged(ctx, list(SOURCES)).values() for key in tags})
        page, token = _page(keys, params.get("PaginationToken"), "keys", MAX_PAGE)
        return {"PaginationToken": token, "TagKeys": page}

    def get_tag_values(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = params["Key"]
        values = sorted({tags[key] for tags in _tagged(ctx, list(SOURCES)).values() if key in tags})
        page, token = _page(values, params.get("PaginationToken"), "values", MAX_PAGE)
        return {"PaginationToken": token, "TagValues": page}


PROVIDER = TaggingProvider()
