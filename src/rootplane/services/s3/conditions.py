"""Conditional reads (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since) and byte ranges."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.s3.tables import ObjectRow

__all__ = ["check_preconditions", "byte_range"]

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _etag_matches(header: str, etag: str) -> bool:
    wanted = {item.strip().strip('"') for item in header.split(",")}
    return "*" in wanted or etag.strip('"') in wanted


def _failed(condition: str) -> AwsError:
    return AwsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412,
                    fields={"Condition": condition})


def _not_modified() -> AwsError:
    return AwsError("NotModified", "Not Modified", 304)


def _seconds(moment: _dt.datetime) -> _dt.datetime:
    return moment.replace(microsecond=0)


def check_preconditions(row: ObjectRow, params: dict[str, Any]) -> None:
    """Raise 412 PreconditionFailed or 304 NotModified as S3 does (RFC 7232 precedence)."""
    if_match = params.get("IfMatch")
    if if_match is not None and not _etag_matches(if_match, row.etag):
        raise _failed("If-Match")
    unmodified_since = params.get("IfUnmodifiedSince")
    if if_match is None and unmodified_since is not None and _seconds(row.last_modified) > _seconds(unmodified_since):
        raise _failed("If-Unmodified-Since")
    if_none_match = params.get("IfNoneMatch")
    if if_none_match is not None and _etag_matches(if_none_match, row.etag):
        raise _not_modified()
    modified_since = params.get("IfModifiedSince")
    if if_none_match is None and modified_since is not None and _seconds(row.last_modified) <= _seconds(modified_since):
        raise _not_modified()


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) bytes a Range header asks for; None to send the whole object.

    Unparsable or multi-range headers are ignored like S3 does; an unsatisfiable range is 416 InvalidRange.
    """
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None or (not match.group(1) and not match.group(2)):
        return None
    first_text, last_text = match.groups()
    if not first_text:
        length = int(last_text)
        if length == 0 or size == 0:
            raise _unsatisfiable(header, size)
        return max(0, size - length), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last < first:
        return None
    if first >= size:
        raise _unsatisfiable(header, size)
    return first, min(last, size - 1)


def _unsatisfiable(header: str, size: int) -> AwsError:
    return AwsError("InvalidRange", "The requested range is not satisfiable", 416,
                    fields={"RangeRequested": header, "ActualObjectSize": size})
