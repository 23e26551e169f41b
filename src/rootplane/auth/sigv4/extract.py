"""Which signature a request claims to carry: SigV4 header or query, or S3 SigV2 header or query."""

from __future__ import annotations

from rootplane.core.errors import AwsError
from rootplane.wire.http import HttpRequest

from .errors import check_family, incomplete
from .header import extract_header
from .presigned import extract_query
from .signed import ALGORITHM, SignedRequest
from .sigv2 import extract_v2_header, extract_v2_query

__all__ = ["extract"]

def extract(request: HttpRequest, family: str) -> SignedRequest | None:
    """Parse the signature a request claims to carry.

    Returns ``None`` when there is no AWS auth at all (no ``Authorization`` header and no ``X-Amz-Algorithm`` /
    ``X-Amz-Credential`` / ``X-Amz-Signature`` query parameters; for S3 also no SigV2 ``AWSAccessKeyId`` /
    ``Signature`` query). Raises :class:`AwsError` for malformed auth: ``IncompleteSignature`` (query),
    ``IncompleteSignatureException`` (JSON, rest-json), S3 ``AuthorizationHeaderMalformed`` /
    ``AuthorizationQueryParametersError`` / ``InvalidArgument`` (also an Authorization header on a presigned
    URL) / ``AccessDenied`` (missing date) — all 400 except the S3 missing-date/V2-query cases (403).
    """
    check_family(family)
    authorization = request.headers.get("authorization")
    if authorization is not None:
        if family == "s3" and request.query_string and ("X-Amz-Algorithm" in request.query
                                                        or "Signature" in request.query):
            raise AwsError("InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query "
                           "parameter, Signature query string parameter or the Authorization header should be "
                           "specified", 400, fields={"ArgumentName": "Authorization", "ArgumentValue": authorization})
        stripped = authorization.strip()
        if stripped.startswith(ALGORITHM + " ") or stripped == ALGORITHM:
            return extract_header(request, stripped, family)
        if family == "s3" and stripped.startswith("AWS "):
            return extract_v2_header(request, stripped)
        return _unsupported_algorithm(stripped, family)
    qs = request.query_string
    if not qs:
        return None
    if "X-Amz-" in qs:
        query = request.query
        if "X-Amz-Algorithm" in query or "X-Amz-Signature" in query or "X-Amz-Credential" in query:
            return extract_query(request, query, family)
    if family == "s3" and ("AWSAccessKeyId" in qs or "Signature" in qs):
        query = request.query
        if "AWSAccessKeyId" in query or "Signature" in query:
            return extract_v2_query(request, query)
    return None


def _unsupported_algorithm(authorization: str, family: str) -> AwsError:
    algorithm = authorization.split(" ", 1)[0]
    if family == "s3":
        raise AwsError(
            "InvalidArgument",
            "Unsupported Authorization Type",
            400,
            fields={"ArgumentName": "Authorization", "ArgumentValue": authorization},
        )
    raise incomplete(family, f"Unsupported AWS 'algorithm': '{algorithm}'.")
