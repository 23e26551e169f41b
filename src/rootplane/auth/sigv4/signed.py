"""What a request claims about its signature (:class:`SignedRequest`), the SigV4 constants and date formats."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "ALGORITHM",
    "EMPTY_SHA256",
    "FAMILIES",
    "MAX_PRESIGN_EXPIRES",
    "MAX_SKEW",
    "UNSIGNED_PAYLOAD",
    "SignedRequest",
    "fmt_amz",
    "fmt_iso",
    "parse_amz_date",
    "parse_http_date",
    "parse_signed_headers",
]

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
FAMILIES = frozenset({"query", "json", "rest-json", "s3"})

#: Allowed clock skew per protocol family (spec i.1 step 5 / limits table). Override per call with ``max_skew``.
MAX_SKEW: dict[str, timedelta] = {
    "query": timedelta(minutes=15),
    "json": timedelta(minutes=5),
    "rest-json": timedelta(minutes=5),
    "s3": timedelta(minutes=15),
}
#: Longest presigned validity (X-Amz-Expires), one week.
MAX_PRESIGN_EXPIRES = 604800

_AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")


class SignedRequest(NamedTuple):
    """What a request claims about its signature (nothing here is verified yet).

    ``signature_version`` is ``"v4"`` for SigV4 (header or presigned) and ``"v2"`` for S3's legacy HMAC-SHA1
    schemes (``Authorization: AWS AKID:sig`` or ``?AWSAccessKeyId=…&Signature=…&Expires=…``); for v2 the scope
    fields are empty, ``signed_headers`` is ``()``, and for presigned v2 ``date`` is the ``Expires`` instant.
    ``amz_date`` is the signing timestamp in ISO-8601 basic form as it enters the string to sign.
    ``expires_at`` is when a presigned URL stops working (``None`` for header auth).
    Immutable; a named tuple, made on every signed request for a fraction of a frozen dataclass's cost.
    """

    access_key_id: str
    date: datetime
    scope_date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    session_token: str | None
    presigned: bool
    expires_seconds: int | None
    payload_hash: str | None
    signature_version: str = "v4"
    amz_date: str = ""
    expires_at: datetime | None = None

    @property
    def credential_scope(self) -> str:
        """``yyyymmdd/region/service/aws4_request``."""
        return f"{self.scope_date}/{self.region}/{self.service}/aws4_request"


def fmt_amz(dt: datetime) -> str:
    """ISO-8601 basic form (``20150830T123600Z``)."""
    return dt.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def fmt_iso(dt: datetime) -> str:
    """ISO-8601 extended form (``2015-08-30T12:36:00Z``)."""
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=256)
def parse_amz_date(value: str) -> datetime | None:
    """``X-Amz-Date`` (basic form) as an aware datetime, None when malformed; cached (requests signed in the same
    second carry the same value)."""
    if len(value) != 16 or value[8] != "T" or value[15] != "Z" or not _AMZ_DATE.fullmatch(value):
        return None
    try:
        return datetime(
            int(value[0:4]), int(value[4:6]), int(value[6:8]),
            int(value[9:11]), int(value[11:13]), int(value[13:15]), tzinfo=timezone.utc,
        )
    except ValueError:
        return None


def parse_http_date(value: str) -> datetime | None:
    """An RFC 7231 ``Date`` header as an aware UTC datetime, None when malformed."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


@lru_cache(maxsize=256)
def parse_signed_headers(value: str) -> tuple[str, ...]:
    """``SignedHeaders`` / ``X-Amz-SignedHeaders`` as a tuple of names, in the order given."""
    return tuple(value.split(";"))
