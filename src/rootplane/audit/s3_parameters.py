"""S3's own ``requestParameters`` style in CloudTrail records.

S3 does not echo its API members in lower camel case like other services: it records ``bucketName``, ``key``,
the ``Host`` header the client sent, the sub-resource of the request as an empty query parameter (``"policy": ""``
for the bucket-policy operations) and, for PutBucketPolicy, the policy document itself as ``bucketPolicy``
(IAM User Guide, "Track privileged tasks in AWS CloudTrail", DeleteBucketPolicy example).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["s3_request_parameters"]

# Operation -> the sub-resource query parameter that selects it.
_SUBRESOURCES = {
    "GetBucketPolicy": "policy", "PutBucketPolicy": "policy", "DeleteBucketPolicy": "policy",
    "GetBucketLocation": "location",
}


def s3_request_parameters(operation: str, params: dict[str, Any], host: str) -> dict[str, Any]:
    """The record's ``requestParameters`` of an S3 call."""
    recorded: dict[str, Any] = {}
    if operation == "PutBucketPolicy" and params.get("Policy"):
        try:
            recorded["bucketPolicy"] = json.loads(params["Policy"])
        except (TypeError, ValueError):
            pass
    if params.get("Bucket"):
        recorded["bucketName"] = params["Bucket"]
    if params.get("Key"):
        recorded["key"] = params["Key"]
    if host:
        recorded["Host"] = host
    if operation in _SUBRESOURCES:
        recorded[_SUBRESOURCES[operation]] = ""
    return recorded
