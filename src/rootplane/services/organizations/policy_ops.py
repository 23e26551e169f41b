"""Policy types on the root, policies (SCP, RCP, tag...), attachments and effective policies."""

from __future__ import annotations

import json
from typing import Any

from rootplane.services.context import RequestContext
from rootplane.services.organizations import names, repo
from rootplane.services.organizations.caller import DEFAULT_POLICY, caller_org, management_or_delegate
from rootplane.services.organizations.documents import AUTHORIZATION_TYPES, validate_content
from rootplane.services.organizations.errors import constraint, invalid_input, org_error
from rootplane.services.organizations.inheritance import effective_policy
from rootplane.services.organizations.managed import managed_for_type
from rootplane.services.organizations.paging import decode_token, finish_page, page_size
from rootplane.services.organizations.shapes import policy_shape, policy_summary, root_shape
from rootplane.services.organizations.tables import AttachmentRow, OrganizationRow, PolicyRow
from rootplane.services.organizations.tags import put_tags
from rootplane.services.organizations.targets import find_org_policy, target_summary, target_type

__all__ = ["PolicyOperations"]

MAX_POLICIES_PER_TYPE = 1000
MAX_ATTACHED_PER_TYPE = 5


def _immutable() -> Exception:
    return invalid_input("IMMUTABLE_POLICY", "You specified a policy that is managed by AWS and can't be modified.")


def _root(ctx: Any, root_id: str) -> OrganizationRow:
    org = management_or_delegate(ctx)
    if root_id != org.root_id:
        raise org_error("RootNotFoundException")
    return org


class PolicyOperations:
    """Organization policies."""

    def enable_policy_type(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = _root(ctx, params["RootId"])
        policy_type = params["PolicyType"]
        if org.feature_set != "ALL":
            raise org_error("PolicyTypeNotAvailableForOrganizationException")
        if policy_type in org.enabled_types():
            raise org_error("PolicyTypeAlreadyEnabledException")
        org.policy_types = " ".join([*org.enabled_types(), policy_type])
        default = DEFAULT_POLICY.get(policy_type)
        if default is not None:
            targets = [(org.root_id, "ROOT")] + [(i, "ORGANIZATIONAL_UNIT") for i in repo.ou_ids(ctx.session, org.id)]
            targets += [(i, "ACCOUNT") for i in repo.member_ids_except(ctx.session, org.id, "")]
            for target_id, kind in targets:
                repo.put(ctx.session, AttachmentRow(policy_id=default, target_id=target_id, org_id=org.id,
                                                    policy_type=policy_type, target_type=kind))
        return {"Root": root_shape(org)}

    def disable_policy_type(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = _root(ctx, params["RootId"])
        policy_type = params["PolicyType"]
        if policy_type not in org.enabled_types():
            raise org_error("PolicyTypeNotEnabledException")
        org.policy_types = " ".join(t for t in org.enabled_types() if t != policy_type)
        repo.delete_attachments(ctx.session, org.id, policy_type=policy_type)
        return {"Root": root_shape(org)}

    def create_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        policy_type = params["Type"]
        if org.feature_set != "ALL":
            raise org_error("PolicyTypeNotAvailableForOrganizationException")
        validate_content(policy_type, params["Content"])
        if repo.count_policies(ctx.session, org.id, policy_type) >= MAX_POLICIES_PER_TYPE:
            raise constraint("POLICY_NUMBER_LIMIT_EXCEEDED",
                             "You have reached the maximum number of policies of this type in the organization.")
        if repo.find_policy_by_name(ctx.session, org.id, params["Name"], policy_type) is not None:
            raise org_error("DuplicatePolicyException")
        row = PolicyRow(id=names.new_policy_id(), org_id=org.id, type=policy_type, name=params["Name"],
                        description=params.get("Description", ""), content=params["Content"], created_at=ctx.now())
        repo.put(ctx.session, row)
        put_tags(ctx, row.id, params.get("Tags") or [])
        return {"Policy": policy_shape(org, row.id, row)}

    def describe_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        _, row = find_org_policy(ctx, org, params["PolicyId"])
        return {"Policy": policy_shape(org, params["PolicyId"], row)}

    def update_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        policy_type, row = find_org_policy(ctx, org, params["PolicyId"])
        if row is None:
            raise _immutable()
        if "Content" in params:
            validate_content(policy_type, params["Content"])
            row.content = params["Content"]
        name = params.get("Name")
        if name and name != row.name:
            if repo.find_policy_by_name(ctx.session, org.id, name, policy_type) is not None:
                raise org_error("DuplicatePolicyException")
            row.name = name
        if "Description" in params:
            row.description = params["Description"]
        return {"Policy": policy_shape(org, row.id, row)}

    def delete_policy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        org = management_or_delegate(ctx)
        repo.lock_tree(ctx.session, org)
        _, row = find_org_policy(ctx, org, params["PolicyId"])
        if row is None:
            raise _immutable()
        if repo.count_attachments_for_policy(ctx.session, org.id, row.id):
            raise org_error("PolicyInUseException")
        for tag in repo.list_tags(ctx.session, row.id, limit=1000):
            repo.remove(ctx.session, tag)
        repo.remove(ctx.session, row)

    def list_policies(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        size, after, policy_type = page_size(params), decode_token(params.get("NextToken")), params["Filter"]
        managed = [r["PolicySummary"] for r in managed_for_type(policy_type) if after is None or r["PolicySummary"]["Id"] > after]
        rows = [policy_summary(org, r) for r in repo.list_policies(ctx.session, org.id, policy_type, after, size + 1)]
        merged = sorted([dict(m) for m in managed] + rows, key=lambda s: s["Id"])[: size + 1]
        page, token = finish_page(merged, size, lambda s: s["Id"])
        return {"Policies": page, "NextToken": token}

    def attach_policy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        org = management_or_delegate(ctx)
        repo.lock_tree(ctx.session, org)
        policy_type, _ = find_org_policy(ctx, org, params["PolicyId"])
        kind = target_type(ctx, org, params["TargetId"])
        if kind is None:
            raise org_error("TargetNotFoundException")
        if policy_type not in org.enabled_types():
            raise org_error("PolicyTypeNotEnabledException")
        if repo.find_attachment(ctx.session, params["PolicyId"], params["TargetId"]) is not None:
            raise org_error("DuplicatePolicyAttachmentException")
        if repo.count_attachments_for_target(ctx.session, params["TargetId"], policy_type) >= MAX_ATTACHED_PER_TYPE:
            raise constraint("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                             "You attempted to attach more policies of this type to an entity than the maximum allowed.")
        repo.put(ctx.session, AttachmentRow(policy_id=params["PolicyId"], target_id=params["TargetId"], org_id=org.id,
                                            policy_type=policy_type, target_type=kind))

    def detach_policy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        org = management_or_delegate(ctx)
        repo.lock_tree(ctx.session, org)
        policy_type, _ = find_org_policy(ctx, org, params["PolicyId"])
        if target_type(ctx, org, params["TargetId"]) is None:
            raise org_error("TargetNotFoundException")
        attachment = repo.find_attachment(ctx.session, params["PolicyId"], params["TargetId"])
        if attachment is None:
            raise org_error("PolicyNotAttachedException")
        if params["PolicyId"] == DEFAULT_POLICY["RESOURCE_CONTROL_POLICY"]:
            raise invalid_input("NON_DETACHABLE_POLICY", "You can't detach this AWS Managed Policy.")
        if policy_type == "SERVICE_CONTROL_POLICY" and repo.count_attachments_for_target(
                ctx.session, params["TargetId"], policy_type) <= 1:
            raise constraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                             "You attempted to detach a policy from an entity that would leave it with fewer than "
                             "the minimum number of policies of that type.")
        repo.remove(ctx.session, attachment)

    def list_policies_for_target(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        if target_type(ctx, org, params["TargetId"]) is None:
            raise org_error("TargetNotFoundException")
        size = page_size(params)
        rows = repo.list_attachments_for_target(ctx.session, params["TargetId"], params["Filter"],
                                                decode_token(params.get("NextToken")), size + 1)
        rows, token = finish_page(rows, size, lambda a: a.policy_id)
        summaries = []
        for attachment in rows:
            _, row = find_org_policy(ctx, org, attachment.policy_id)
            summaries.append(policy_shape(org, attachment.policy_id, row)["PolicySummary"])
        return {"Policies": summaries, "NextToken": token}

    def list_targets_for_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        org = management_or_delegate(ctx)
        find_org_policy(ctx, org, params["PolicyId"])
        size = page_size(params)
        rows = repo.list_attachments_for_policy(ctx.session, org.id, params["PolicyId"],
                                                decode_token(params.get("NextToken")), size + 1)
        rows, token = finish_page(rows, size, lambda a: a.target_id)
        return {"Targets": [target_summary(ctx, org, a.target_id, a.target_type) for a in rows], "NextToken": token}

    def describe_effective_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """Management-style policies (tag, backup, ...) merged from the root down to the account."""
        policy_type, target_id = params["PolicyType"], params.get("TargetId") or ctx.account_id
        org = management_or_delegate(ctx) if target_id != ctx.account_id else caller_org(ctx)
        kind = target_type(ctx, org, target_id)
        if kind is None:
            raise org_error("TargetNotFoundException")
        if kind != "ACCOUNT" or policy_type in AUTHORIZATION_TYPES:
            raise invalid_input("TARGET_NOT_SUPPORTED", "You can't perform this operation on the specified target.")
        membership = repo.find_membership(ctx.session, target_id)
        assert membership is not None
        levels = [*membership.path.rstrip("/").split("/"), target_id]
        documents: dict[str, list[dict[str, Any]]] = {level: [] for level in levels}
        for level, _, content in repo.attachments_for_targets(ctx.session, levels, policy_type):
            if content:
                documents[level].append(json.loads(content))
        merged = effective_policy([documents[level] for level in levels])
        if not merged:
            raise org_error("EffectivePolicyNotFoundException")
        return {"EffectivePolicy": {"PolicyContent": json.dumps(merged), "LastUpdatedTimestamp": ctx.now(),
                                    "TargetId": target_id, "PolicyType": policy_type}}
