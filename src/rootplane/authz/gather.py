"""Collect the policies that apply to (principal, check): identity, boundary, session, SCPs, RCPs, resource, task.

Each source lives with the service that owns the data and is looked up lazily, so this layer works whether
or not a service is installed: IAM provides ``rootplane.services.iam.policies``, Organizations provides
``rootplane.services.organizations.policies``.
"""

from __future__ import annotations

from typing import Any

from rootplane.auth.principal import FEDERATED_USER
from rootplane.authz.checks import AuthzCheck
from rootplane.core.services import optional_module as source  # callers import it from here too
from rootplane.policy import NamedPolicy, PolicySet, parse_policy_cached

__all__ = ["policy_set_for", "source", "NOTHING_APPLIES"]

_RESOURCE_POLICY_KINDS = {"sts": "trust", "kms": "key"}
NOTHING_APPLIES = PolicySet()  # what policy_set_for answers when no policy applies (shared)


def policy_set_for(ctx: Any, check: AuthzCheck) -> PolicySet:
    """Everything that applies to this principal acting on this resource.  Nothing applies to a session of a
    deleted role: its requests are denied (the session is bound to the role's unique id, not to its name)."""
    principal = ctx.principal
    session = ctx.session
    iam = source("rootplane.services.iam.policies")
    orgs = source("rootplane.services.organizations.policies")
    identity: tuple[NamedPolicy, ...] = ()
    boundary = None
    session_policies = None
    if iam is not None and not principal.is_root:
        held = iam.principal_policies(session, principal)
        if held.role_gone:
            return PolicySet()
        identity, boundary = held.identity, held.boundary
    if principal.session_policies:
        session_policies = tuple(
            NamedPolicy(f"session-policy-{i}", parse_policy_cached(text, "session"), "session policy")
            for i, text in enumerate(principal.session_policies)
        )
    if iam is not None and principal.session_policy_arns:
        session_policies = (session_policies or ()) + tuple(iam.managed_policies(session, principal.session_policy_arns, "session policy"))
    if principal.kind == FEDERATED_USER and session_policies is None:
        session_policies = ()  # AWS: "if you do not pass a policy, the federated user session has no permissions"
    task = None
    if principal.task_policy_arn and iam is not None:
        found = iam.managed_policies(session, (principal.task_policy_arn,), "session policy")
        task = found[0] if found else None
    scp_levels = orgs.scp_levels(session, principal.account_id) if orgs is not None and principal.account_id else None
    resource_account = check.resource_account
    rcp_levels = None
    if orgs is not None and resource_account and hasattr(orgs, "rcp_levels"):
        rcp_levels = orgs.rcp_levels(session, resource_account, check.action)
    resource = None
    if check.resource_policy:
        # Role trust policies (the resource policy of every sts: action) have no Resource element; KMS key
        # policies are the one resource policy without which identity policies grant nothing.
        kind = _RESOURCE_POLICY_KINDS.get(check.action.partition(":")[0].lower(), "resource")
        resource = NamedPolicy("resource-policy", parse_policy_cached(check.resource_policy, kind), "resource-based policy")
    if (not identity and boundary is None and session_policies is None and scp_levels is None
            and rcp_levels is None and resource is None and task is None):
        return NOTHING_APPLIES  # e.g. the root user of an account outside an organization: shared, not made
    return PolicySet(
        identity=identity, boundary=boundary, session=session_policies, scp_levels=scp_levels,
        rcp_levels=rcp_levels, resource=resource, task=task,
    )
