"""The credential scope ``<AKID>/<yyyymmdd>/<region>/<service>/aws4_request``: its syntax."""

from __future__ import annotations

import re
from functools import lru_cache

from .errors import S3_CREDENTIAL_FORMAT, incomplete, s3_header_malformed, s3_query_error

__all__ = ["parse_credential"]

_SCOPE_DATE = re.compile(r"\d{8}")


@lru_cache(maxsize=1024)
def parse_credential(credential: str, family: str, presigned: bool) -> tuple[str, str, str, str]:
    """``(access key id, scope date, region, service)`` of a ``Credential`` value; malformed ones raise AWS's
    error for the family (S3: header or query-parameter flavour)."""
    parts = credential.split("/")
    if len(parts) != 5 or not all(parts) or not _SCOPE_DATE.fullmatch(parts[1]) or parts[4] != "aws4_request":
        if family == "s3":
            if presigned:
                raise s3_query_error(f"Error parsing the X-Amz-Credential parameter; {S3_CREDENTIAL_FORMAT}")
            raise s3_header_malformed(S3_CREDENTIAL_FORMAT)
        if len(parts) != 5:
            raise incomplete(
                family,
                "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
                f"got '{credential}'",
            )
        if parts[4] != "aws4_request":
            raise incomplete(
                family, f"Credential should be scoped with a valid terminator: 'aws4_request', not '{parts[4]}'."
            )
        raise incomplete(family, f"Credential should be scoped to a valid date, region and service, got '{credential}'.")
    return parts[0], parts[1], parts[2], parts[3]
