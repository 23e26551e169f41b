"""IAM roles: trust policies, session duration, tags, service-linked roles."""

from __future__ import annotations

import json
from typing import Any

from rootplane.services.context import RequestContext
from rootplane.services.iam import api, entities, errors, inputs, repo, shapes
from rootplane.services.iam.deletion_tasks import start_deletion_task
from rootplane.services.iam.entities import SERVICE_ROLE_PATH
from rootplane.services.iam.principal_ids import bind_principals
from rootplane.services.iam.tables import RoleRow
from rootplane.services.iam.users import check_boundary

__all__ = ["RolesMixin", "service_linked_role_name"]

# Service-linked role names as AWS spells them (its "Services that work with IAM" pages); other services get
# AWSServiceRoleFor + the capitalized first label of the service principal.
_SERVICE_ROLE_NAMES = {
    "organizations.amazonaws.com": "AWSServiceRoleForOrganizations",
    "sso.amazonaws.com": "AWSServiceRoleForSSO",
    "cloudtrail.amazonaws.com": "AWSServiceRoleForCloudTrail",
    "events.amazonaws.com": "AWSServiceRoleForCloudWatchEvents",
    "autoscaling.amazonaws.com": "AWSServiceRoleForAutoScaling",
    "elasticbeanstalk.amazonaws.com": "AWSServiceRoleForElasticBeanstalk",
    "elasticloadbalancing.amazonaws.com": "AWSServiceRoleForElasticLoadBalancing",
    "elasticache.amazonaws.com": "AWSServiceRoleForElastiCache",
    "rds.amazonaws.com": "AWSServiceRoleForRDS",
    "ecs.amazonaws.com": "AWSServiceRoleForECS",
    "eks.amazonaws.com": "AWSServiceRoleForAmazonEKS",
    "config.amazonaws.com": "AWSServiceRoleForConfig",
    "guardduty.amazonaws.com": "AWSServiceRoleForAmazonGuardDuty",
    "securityhub.amazonaws.com": "AWSServiceRoleForSecurityHub",
    "access-analyzer.amazonaws.com": "AWSServiceRoleForAccessAnalyzer",
    "support.amazonaws.com": "AWSServiceRoleForSupport",
    "trustedadvisor.amazonaws.com": "AWSServiceRoleForTrustedAdvisor",
    "spot.amazonaws.com": "AWSServiceRoleForEC2Spot",
    "spotfleet.amazonaws.com": "AWSServiceRoleForEC2SpotFleet",
    "ssm.amazonaws.com": "AWSServiceRoleForAmazonSSM",
    "es.amazonaws.com": "AWSServiceRoleForAmazonElasticsearchService",
    "replication.dynamodb.amazonaws.com": "AWSServiceRoleForDynamoDBReplication",
    "dax.amazonaws.com": "AWSServiceRoleForDAX",
    "replicator.lambda.amazonaws.com": "AWSServiceRoleForLambdaReplicator",
    "fms.amazonaws.com": "AWSServiceRoleForFMS",
    "inspector2.amazonaws.com": "AWSServiceRoleForAmazonInspector2",
    "macie.amazonaws.com": "AWSServiceRoleForAmazonMacie",
    "lex.amazonaws.com": "AWSServiceRoleForLexBots",
}


ROLE_NAME_MAX = 64


def service_linked_role_name(service: str, suffix: str | None) -> str:
    """``AWSServiceRoleFor<Service>`` (with ``_<suffix>`` when given)."""
    base = _SERVICE_ROLE_NAMES.get(service) or "AWSServiceRoleFor" + service.split(".")[0].capitalize()
    return f"{base}_{suffix}" if suffix else base


def _answered(shape: dict[str, Any], *left_out: str) -> dict[str, Any]:
    """A role as CreateRole, CreateServiceLinkedRole and UpdateRoleDescription answer it: without MaxSessionDuration
    (even when the request set it) nor ``left_out`` (the AWS CLI reference's create-role, create-service-linked-role
    and update-role-description examples)."""
    return {member: value for member, value in shape.items() if member not in ("MaxSessionDuration", *left_out)}


class RolesMixin:
    def create_role(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if (params.get("Path") or "/").startswith(SERVICE_ROLE_PATH):
            raise errors.invalid_input(
                f"Path prefix '{SERVICE_ROLE_PATH}' can only be used for AWS Service linked Roles")
        role = api.create_role(
            ctx.session, ctx.account_id, params["RoleName"], params["AssumeRolePolicyDocument"], [], ctx.now(),
            params.get("Path") or "/", params.get("Description"),
            max_session_duration=params.get("MaxSessionDuration") or 3600,
            boundary_arn=check_boundary(ctx, params.get("PermissionsBoundary")),
            tags=inputs.merge_tags([], params.get("Tags")),
        )
        return {"Role": _answered(shapes.role(role, full=True), "RoleLastUsed")}

    def get_role(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return {"Role": shapes.role(entities.get_role(ctx.session, ctx.account_id, params["RoleName"]), full=True)}

    def list_roles(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        page = repo.list_named(ctx.session, RoleRow, ctx.account_id, params.get("PathPrefix"), params.get("Marker"),
                               params.get("MaxItems"))
        return shapes.listing("Roles", [shapes.role(row) for row in page.rows], page)

    def update_role(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """A service-linked role's description may change (only its description: the IAM User Guide's "Update a
        service-linked role" does it with UpdateRole), nothing else of it."""
        only_description = params.get("MaxSessionDuration") is None
        role = _role(ctx, params["RoleName"]) if only_description else _modifiable_role(ctx, params["RoleName"])
        if params.get("Description") is not None:
            role.description = params["Description"]
        if params.get("MaxSessionDuration") is not None:
            role.max_session_duration = params["MaxSessionDuration"]
        return {}

    def update_role_description(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """Any role's description may change, a service-linked role's too (see ``update_role``)."""
        role = _role(ctx, params["RoleName"])
        role.description = params["Description"]
        return {"Role": _answered(shapes.role(role, full=True), "RoleLastUsed")}

    def update_assume_role_policy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        role = _modifiable_role(ctx, params["RoleName"])
        api.check_trust_policy(ctx.session, params["PolicyDocument"])
        role.trust_policy = bind_principals(ctx.session, params["PolicyDocument"])
        return None

    def delete_role(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        role = _modifiable_role(ctx, params["RoleName"])
        if repo.profile_of_role(ctx.session, role.role_id):
            raise errors.delete_conflict("Cannot delete entity, must remove roles from instance profile first.")
        if repo.inline_policies(ctx.session, [role.role_id]):
            raise errors.delete_conflict("Cannot delete entity, must delete policies first.")
        if repo.count_attachments(ctx.session, role.role_id):
            raise errors.delete_conflict("Cannot delete entity, must detach all policies first.")
        repo.remove(ctx.session, role)
        return None

    def tag_role(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        role = entities.get_role(ctx.session, ctx.account_id, params["RoleName"])
        role.tag_list = inputs.merge_tags(role.tag_list, params["Tags"])
        return None

    def untag_role(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        role = entities.get_role(ctx.session, ctx.account_id, params["RoleName"])
        role.tag_list = inputs.remove_tags(role.tag_list, params["TagKeys"])
        return None

    def list_role_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        role = entities.get_role(ctx.session, ctx.account_id, params["RoleName"])
        return shapes.tag_page(role.tag_list, params)

    def create_service_linked_role(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        service = params["AWSServiceName"]
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": [service]}, "Action": ["sts:AssumeRole"]}]})
        name = service_linked_role_name(service, params.get("CustomSuffix"))
        if len(name) > ROLE_NAME_MAX:
            raise errors.invalid_input(f"The role name {name} is longer than {ROLE_NAME_MAX} characters: "
                                       "use a shorter CustomSuffix.")
        role = api.create_role(
            ctx.session, ctx.account_id, name, trust, [],
            ctx.now(), f"{SERVICE_ROLE_PATH}{service}/", params.get("Description"),
            exists=errors.invalid_input(
                f"Service role name {name} has been taken in this account, please try a different suffix."),
        )
        return {"Role": _answered(shapes.role(role), "Description")}

    def delete_service_linked_role(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        role = entities.get_role(ctx.session, ctx.account_id, params["RoleName"])
        service = role.path.removeprefix(SERVICE_ROLE_PATH).rstrip("/")
        if not role.path.startswith(SERVICE_ROLE_PATH) or not service:
            raise errors.invalid_input(f"Role {role.role_name} is not a service-linked role.")
        repo.delete_entity_links(ctx.session, role.role_id)
        repo.remove(ctx.session, role)
        return {"DeletionTaskId": start_deletion_task(ctx, role, service)}


def _role(ctx: RequestContext, name: str) -> RoleRow:
    """The role named ``name``, locked (NoSuchEntity when none)."""
    return entities.get_role(ctx.session, ctx.account_id, name)


def _modifiable_role(ctx: RequestContext, name: str) -> RoleRow:
    """Service-linked roles are managed by their service."""
    return entities.modifiable_role(_role(ctx, name))
