"""Service-linked role deletion tasks: DeleteServiceLinkedRole records one, GetServiceLinkedRoleDeletionStatus
reads it. Deletion happens at once (no resource of another service ever uses the role here), so a task is
``SUCCEEDED`` from the start.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from rootplane.services.context import RequestContext
from rootplane.services.iam import errors, repo
from rootplane.services.iam.tables import DeletionTaskRow, RoleRow

__all__ = ["DeletionTasksMixin", "start_deletion_task", "role_arn_of_task"]

# task/aws-service-role/<service-principal-name>/<role-name>/<task-uuid>, as AWS documents it
_TASK_ID_RE = re.compile(r"^task/aws-service-role/([^/]+)/([\w+=,.@-]+)/[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$")


def start_deletion_task(ctx: RequestContext, role: RoleRow, service: str) -> str:
    """Record the deletion of a service-linked role; the DeletionTaskId."""
    task_id = f"task/aws-service-role/{service}/{role.role_name}/{uuid.uuid4()}"
    repo.put(ctx.session, DeletionTaskRow(task_id=task_id, account_id=ctx.account_id, role_arn=role.arn,
                                          status="SUCCEEDED", created_at=ctx.now()))
    return task_id


def role_arn_of_task(account_id: str, task_id: str) -> str:
    """The role a task id names (what authorization checks GetServiceLinkedRoleDeletionStatus against)."""
    match = _TASK_ID_RE.match(task_id)
    if match is None:
        return "*"
    return f"arn:aws:iam::{account_id}:role/aws-service-role/{match.group(1)}/{match.group(2)}"


class DeletionTasksMixin:
    def get_service_linked_role_deletion_status(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        task_id = params["DeletionTaskId"]
        if _TASK_ID_RE.match(task_id) is None:
            raise errors.invalid_input(f"Invalid deletion task id: {task_id}")
        task = ctx.session.get(DeletionTaskRow, task_id)
        if task is None or task.account_id != ctx.account_id:
            raise errors.no_such_entity(f"Deletion task not found: {task_id}")
        return {"Status": task.status}
