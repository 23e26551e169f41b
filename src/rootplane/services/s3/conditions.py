"""Conditional reads (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since) and byte ranges."""

from __future__ import annotations

import datetime as _dt
import email.utils
import re
from collections.abc import Callable
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.s3.repo import ObjectVersion
from rootplane.services.s3.tables import ObjectRow

__all__ = ["check_preconditions", "check_write_preconditions", "byte_range"]

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _etag_matches(header: str, etag: str) -> bool:
    wanted = {item.strip().strip('"') for item in header.split(",")}
    return "*" in wanted or etag.strip('"') in wanted


def _failed(condition: str) -> AwsError:
    return AwsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412,
                    fields={"Condition": condition})


def _not_modified(row: ObjectVersion) -> AwsError:
    """304, with the object's ETag and Last-Modified as S3 sends them."""
    return AwsError("NotModified", "Not Modified", 304, headers={
        "ETag": row.etag, "Last-Modified": email.utils.format_datetime(row.last_modified, usegmt=True)})


def _seconds(moment: _dt.datetime) -> _dt.datetime:
    return moment.replace(microsecond=0)


def check_preconditions(row: ObjectVersion, params: dict[str, Any]) -> None:
    """Raise 412 PreconditionFailed or 304 NotModified as S3 does (RFC 7232 precedence)."""
    if_match = params.get("IfMatch")
    if if_match is not None and not _etag_matches(if_match, row.etag):
        raise _failed("If-Match")
    unmodified_since = params.get("IfUnmodifiedSince")
    if if_match is None and unmodified_since is not None and _seconds(row.last_modified) > _seconds(unmodified_since):
        raise _failed("If-Unmodified-Since")
    if_none_match = params.get("IfNoneMatch")
    if if_none_match is not None and _etag_matches(if_none_match, row.etag):
        raise _not_modified(row)
    modified_since = params.get("IfModifiedSince")
    if if_none_match is None and modified_since is not None and _seconds(row.last_modified) <= _seconds(modified_since):
        raise _not_modified(row)


def check_write_preconditions(find_current: Callable[[], ObjectRow | None], params: dict[str, Any]) -> None:
    """Conditional writes (PutObject, CompleteMultipartUpload): ``If-None-Match: *`` needs no current object,
    ``If-Match`` a current object with that ETag (404 NoSuchKey without one); else 412 PreconditionFailed.
    ``find_current`` looks the key's current version up, only for a write that has a condition."""
    if_none_match, if_match = params.get("IfNoneMatch"), params.get("IfMatch")
    if if_none_match is None and if_match is None:
        return
    current = find_current()
    exists = current is not None and not current.delete_marker
    if if_none_match is not None and exists:
        raise _failed("If-None-Match")
    if if_match is not None:
        if not exists:
            raise AwsError("NoSuchKey", "The specified key does not exist.", 404, fields={"Key": params["Key"]})
        if not _etag_matches(if_match, current.etag):
            raise _failed("If-Match")


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
