"""Tags on accounts, OUs, roots, policies and the resource policy: TagResource, UntagResource, ListTagsForResource."""

from __future__ import annotations

from typing import Any

from rootplane.services.context import RequestContext
from rootplane.services.organizations import repo
from rootplane.services.organizations.caller import management_or_delegate
from rootplane.services.organizations.errors import constraint, invalid_input, org_error
from rootplane.services.organizations.paging import decode_token, encode_token
from rootplane.services.organizations.tables import OrganizationRow, TagRow

__all__ = ["TagOperations", "put_tags", "resource_exists"]

MAX_TAGS = 50


def put_tags(ctx: Any, resource_id: str, tags: list[dict[str, str]]) -> None:
    """Add or overwrite tags; at most 50 per resource, none of AWS's own (``aws:`` keys are system tags)."""
    if any(tag["Key"].lower().startswith("aws:") for tag in tags):
        raise invalid_input("INVALID_SYSTEM_TAGS_PARAMETER", "You specified a tag key that is a system tag. You can't "
                            "add, edit, or delete system tag keys because they're reserved for AWS use.")
    existing = {tag.key: tag for tag in repo.list_tags(ctx.session, resource_id, limit=MAX_TAGS + 1)}
    for tag in tags:
        row = existing.get(tag["Key"])
        if row is None:
            row = TagRow(resource_id=resource_id, key=tag["Key"], value=tag["Value"])
            repo.put(ctx.session, row)
            existing[tag["Key"]] = row
        row.value = tag["Value"]
    if len(existing) > MAX_TAGS:
        raise constraint("MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the number of tags allowed on this resource.")


def resource_exists(ctx: Any, org: OrganizationRow, resource_id: str) -> bool:
    if resource_id == org.root_id:
        return True
    if resource_id.startswith("ou-"):
        ou = repo.find_ou(ctx.session, resource_id)
        return ou is not None and ou.org_id == org.id
    if resource_id.startswith("rp-"):
        policy = repo.find_resource_policy(ctx.session, org.id)
        return policy is not None and policy.id == resource_id
    if resource_id.startswith("p-"):
        policy = repo.find_policy(ctx.session, resource_id)
        return policy is not None and policy.org_id == org.id
    membership = repo.find_membership(ctx.session, resource_id)
    return membership is not None and membership.org_id == org.id


class TagOperations:
    """Tagging."""

    def _target(self, ctx: RequestContext, resource_id: str) -> None:
        org = management_or_delegate(ctx)
        if not resource_exists(ctx, org, resource_id):
            raise org_error("TargetNotFoundException")

    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        self._target(ctx, params["ResourceId"])
        put_tags(ctx, params["ResourceId"], params["Tags"])

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        self._target(ctx, params["ResourceId"])
        keys = set(params["TagKeys"])
        for tag in repo.list_tags(ctx.session, params["ResourceId"], limit=MAX_TAGS + 1):
            if tag.key in keys:
                repo.remove(ctx.session, tag)

    def list_tags_for_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self._target(ctx, params["ResourceId"])
        rows = repo.list_tags(ctx.session, params["ResourceId"], decode_token(params.get("NextToken")), MAX_TAGS + 1)
        token = encode_token(rows[MAX_TAGS - 1].key) if len(rows) > MAX_TAGS else None
        return {"Tags": [{"Key": t.key, "Value": t.value} for t in rows[:MAX_TAGS]], "NextToken": token}
