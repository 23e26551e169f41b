"""Pure AWS request-signature verification (SigV4 header + presigned, S3 SigV2 presigned/header).

No I/O, no store access, no clock: the caller passes the secret key and ``now``. Two steps:

``extract(request, family)``
    Parse what the request *claims* (access key, scope, signed headers, signature, date, token) into a
    :class:`SignedRequest`, or ``None`` when the request carries no signature at all (the caller answers
    ``MissingAuthenticationToken`` / treats S3 as anonymous). Structurally broken auth raises
    :class:`~rootplane.core.errors.AwsError` (``IncompleteSignature``, S3 ``AuthorizationHeaderMalformed`` ...).

``verify(request, signed, secret_access_key, now, family)``
    Check the scope date, the clock window / presigned expiry, rebuild the canonical request exactly as
    botocore's signers do, and compare signatures in constant time. Raises ``AwsError`` or returns ``None``.

``family`` picks AWS's error vocabulary (spec (i.3)): ``"query"`` (IAM, STS), ``"json"`` (Organizations, SQS,
CloudTrail, EventBridge), ``"rest-json"`` (Account), ``"s3"``.

One module per concern: ``signed`` (the claims, constants, dates), ``scope`` (credential scope), ``header``
(Authorization header), ``presigned`` (query-string auth), ``sigv2`` (S3 HMAC-SHA1), ``canonical`` (canonical
request, string to sign, signing key), ``verify``, ``streaming`` (aws-chunked S3 uploads), ``errors``.
Secrets never appear in messages or fields; signatures are compared with :func:`hmac.compare_digest`.
"""

from __future__ import annotations

from .canonical import (
    canonical_headers,
    canonical_query_string,
    canonical_request,
    canonical_uri,
    payload_hash,
    signing_key,
    string_to_sign,
)
from .extract import extract
from .signed import (
    ALGORITHM,
    EMPTY_SHA256,
    FAMILIES,
    MAX_PRESIGN_EXPIRES,
    MAX_SKEW,
    UNSIGNED_PAYLOAD,
    SignedRequest,
)
from .sigv2 import S3_SUBRESOURCES, string_to_sign_v2
from .verify import verify

__all__ = [
    "ALGORITHM",
    "EMPTY_SHA256",
    "FAMILIES",
    "MAX_PRESIGN_EXPIRES",
    "MAX_SKEW",
    "S3_SUBRESOURCES",
    "UNSIGNED_PAYLOAD",
    "SignedRequest",
    "canonical_headers",
    "canonical_query_string",
    "canonical_request",
    "canonical_uri",
    "extract",
    "payload_hash",
    "signing_key",
    "string_to_sign",
    "string_to_sign_v2",
    "verify",
]
