"""Object tagging operations (the S3 API reference: PutObjectTagging, GetObjectTagging, DeleteObjectTagging): the
tag set of an object's current version, or of the version named."""

from __future__ import annotations

import json
from typing import Any

from rootplane.services.context import RequestContext
from rootplane.services.s3 import repo
from rootplane.services.s3.lookup import bucket_view_of
from rootplane.services.s3.repo import StoredVersion
from rootplane.services.s3.tag_sets import check_object_tags, stored_tags
from rootplane.services.s3.versions import read_version, version_output

__all__ = ["ObjectTaggingOperations"]


def _tagged(ctx: RequestContext, params: dict[str, Any], method: str) -> tuple[dict[str, Any], StoredVersion]:
    """(the VersionId member of the answer, the version whose tags the request reads or writes)."""
    bucket = bucket_view_of(ctx, params)
    row = read_version(ctx, bucket.name, params["Key"], params.get("VersionId"), method, with_body=False)
    return version_output(bucket, row), row


class ObjectTaggingOperations:
    """The S3 provider's object tagging operations."""

    def put_object_tagging(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        tags = check_object_tags((params.get("Tagging") or {}).get("TagSet") or [])
        output, row = _tagged(ctx, params, "PUT")
        repo.set_version_value(ctx.session, row, "tags_json", json.dumps(tags) if tags else None)
        return output

    def get_object_tagging(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        output, row = _tagged(ctx, params, "GET")
        return {**output, "TagSet": stored_tags(row.tags_json)}

    def delete_object_tagging(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        output, row = _tagged(ctx, params, "DELETE")
        repo.set_version_value(ctx.session, row, "tags_json", None)
        return output
