"""ListObjectsV2: prefix/delimiter grouping with O(page) seeks and opaque continuation tokens."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

from sqlalchemy.orm import Session

from rootplane.core import page_token
from rootplane.core.errors import AwsError
from rootplane.services.s3 import repo

__all__ = ["Page", "list_page", "encode_token", "decode_token", "bucket_token", "bucket_after", "url_encode", "page_size", "MAX_LIST"]

_DELIMITED_BATCH = 50
MAX_LIST = 1000
_MAX_ARGUMENT = 2147483647


@dataclass
class Page:
    """One page: objects, common prefixes, and where the next page starts (None when complete)."""

    contents: list[repo.StoredVersion] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    next_start: tuple[str, bool] | None = None


def encode_token(start: tuple[str, bool]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(start)).encode()).decode()


def decode_token(token: str) -> tuple[str, bool]:
    """The (key, inclusive) position a continuation token encodes; InvalidArgument otherwise."""
    try:
        key, inclusive = json.loads(base64.urlsafe_b64decode(token.encode()))
        if isinstance(key, str) and isinstance(inclusive, bool):
            return key, inclusive
    except (ValueError, TypeError):
        pass
    raise _incorrect_token()


def bucket_token(name: str) -> str:
    """The ContinuationToken of a ListBuckets page that ends at bucket ``name`` (core/page_token.py)."""
    return page_token.issue("s3.buckets", name)


def bucket_after(token: str | None) -> str | None:
    """The bucket name ListBuckets resumes after, from a ContinuationToken it issued (core/page_token.py);
    InvalidArgument for any other token."""
    return page_token.after("s3.buckets", token, _incorrect_token)


def _incorrect_token() -> AwsError:
    return AwsError("InvalidArgument", "The continuation token provided is incorrect", 400,
                    fields={"ArgumentName": "continuation-token"})


def page_size(params: dict[str, Any], member: str, argument: str) -> int:
    """The page size a listing asked for (``member``, the query ``argument``), at most 1,000; AWS's
    InvalidArgument when it is not between 0 and 2^31-1."""
    value = params.get(member, MAX_LIST)
    if not 0 <= value <= _MAX_ARGUMENT:
        raise AwsError("InvalidArgument", f"Argument {argument} must be an integer between 0 and {_MAX_ARGUMENT}", 400,
                       fields={"ArgumentName": argument, "ArgumentValue": str(value)})
    return min(value, MAX_LIST)


def url_encode(text: str) -> str:
    """S3's ``encoding-type=url`` form (what botocore decodes with unquote_plus)."""
    return quote_plus(text, safe="/")


def list_page(session: Session, bucket: str, prefix: str, delimiter: str, start: tuple[str, bool],
              max_keys: int) -> Page:
    """Walk keys from ``start``; each common prefix counts as one entry and is skipped with one seek."""
    page = Page()
    position = start
    while len(page.contents) + len(page.prefixes) < max_keys:
        wanted = max_keys - len(page.contents) - len(page.prefixes)
        if delimiter:  # a common prefix ends the batch early: read small batches, then seek past it
            wanted = min(wanted, _DELIMITED_BATCH)
        rows = repo.list_objects_from(session, bucket, position[0], position[1], prefix, wanted)
        if not rows:
            return page
        for row in rows:
            cut = row.key.find(delimiter, len(prefix)) if delimiter else -1
            if cut >= 0:
                common = row.key[:cut + len(delimiter)]
                page.prefixes.append(common)
                position = (repo.successor(common), True)
                break
            page.contents.append(row)
            position = (row.key, False)
        else:
            if len(rows) < wanted:
                return page
    if repo.list_objects_from(session, bucket, position[0], position[1], prefix, 1):
        page.next_start = position
    return page
