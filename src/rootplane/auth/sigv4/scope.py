"""The credential scope ``<AKID>/<yyyymmdd>/<region>/<service>/aws4_request``: its syntax, and that it names
the endpoint's service and a real region.

There is no host-based region on a local endpoint (and botocore signs even IAM with the client's region when
``endpoint_url`` is set, spec i.1 step 4), so a region is valid when one of botocore's partitions
(``botocore/data/partitions.json``: ``aws``, ``aws-cn``, ``aws-us-gov``, ...) would have it: ``us-east-1`` and
``eu-west-1`` are, ``xx-evil-9`` is not.
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import lru_cache
from pathlib import Path

from .errors import S3_CREDENTIAL_FORMAT, bad_signature, incomplete, s3_header_malformed, s3_query_error
from .signed import SignedRequest

__all__ = ["parse_credential", "check_scope", "is_known_region"]

#: What S3 answers a region it does not serve with (the region of the global endpoint).
_S3_EXPECTED_REGION = "us-east-1"

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


@lru_cache(maxsize=1)
def _region_patterns() -> tuple[re.Pattern[str], ...]:
    # Read from botocore's package directory: importlib.resources' first read costs several times the read itself.
    package = Path(importlib.util.find_spec("botocore").origin).parent  # type: ignore[union-attr, arg-type]
    data = json.loads((package / "data" / "partitions.json").read_text(encoding="utf-8"))
    return tuple(re.compile(partition["regionRegex"]) for partition in data["partitions"])


@lru_cache(maxsize=256)
def is_known_region(region: str) -> bool:
    """Whether ``region`` has the form of a region of one of AWS's partitions."""
    return any(pattern.fullmatch(region) for pattern in _region_patterns())


def check_scope(signed: SignedRequest, family: str, signing_name: str | None) -> None:
    """The scope's region must be a real region and its service the endpoint's signing name (``signing_name``,
    not checked when None). Query/JSON/rest-json: ``SignatureDoesNotMatch`` / ``InvalidSignatureException``
    "Credential should be scoped to a valid region, not 'xx-evil-9'. " / "... to correct service: 'iam'. ";
    S3: ``AuthorizationHeaderMalformed`` (``AuthorizationQueryParametersError`` when presigned)."""
    if not is_known_region(signed.region):
        if family == "s3":
            detail = f"the region '{signed.region}' is wrong; expecting '{_S3_EXPECTED_REGION}'"
            if signed.presigned:
                raise s3_query_error(f"Error parsing the X-Amz-Credential parameter; {detail}",
                                     Region=_S3_EXPECTED_REGION)
            raise s3_header_malformed(detail, Region=_S3_EXPECTED_REGION)
        raise bad_signature(family, f"Credential should be scoped to a valid region, not '{signed.region}'. ")
    if signing_name is not None and signed.service != signing_name:
        if family == "s3":
            detail = f'incorrect service "{signed.service}". This endpoint belongs to "{signing_name}".'
            if signed.presigned:
                raise s3_query_error(f"Error parsing the X-Amz-Credential parameter; {detail}")
            raise s3_header_malformed(detail)
        raise bad_signature(family, f"Credential should be scoped to correct service: '{signing_name}'. ")
