"""SimulatePrincipalPolicy / SimulateCustomPolicy: the authorization engine run on given policies and requests."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rootplane.core.arn import parse_arn
from rootplane.core.services import optional_module
from rootplane.policy import NamedPolicy, PolicySet, RequestFacts, action_result, evaluate, parse_policy_cached
from rootplane.policy.evaluate import SCP
from rootplane.services.context import RequestContext
from rootplane.services.iam import errors, inputs, policies, repo, shapes
from rootplane.services.iam.tables import GroupRow, RoleRow, UserRow

__all__ = ["SimulateMixin", "source_policies"]

_LIST_TYPES = {"stringList", "numericList", "booleanList", "dateList", "ipList", "binaryList"}


def _documents(texts: list[str] | None, label: str, kind: str) -> list[NamedPolicy]:
    found = []
    for index, text in enumerate(texts or [], start=1):
        inputs.check_document(text, kind)
        found.append(NamedPolicy(f"{label}.{index}", parse_policy_cached(text, kind), "IAM Policy"))
    return found


def _context(entries: list[dict[str, Any]] | None) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for entry in entries or []:
        if not entry.get("ContextKeyName"):
            raise errors.invalid_input("Each context entry must specify a ContextKeyName.")
        values = entry.get("ContextKeyValues") or []
        is_list = entry.get("ContextKeyType") in _LIST_TYPES
        context[entry["ContextKeyName"]] = list(values) if is_list else (values[0] if values else None)
    return context


def source_policies(ctx: RequestContext, arn: str) -> tuple[list[NamedPolicy], list[NamedPolicy] | None]:
    """Identity policies and permissions boundary of the user, group or role named by ``PolicySourceArn``."""
    parsed = parse_arn(arn)
    kind, _, rest = parsed.resource.partition("/") if parsed is not None else ("", "", "")
    row_cls = {"user": UserRow, "group": GroupRow, "role": RoleRow}.get(kind)
    if row_cls is None or parsed is None or parsed.service != "iam":
        raise errors.invalid_input(f"Invalid Entity Arn: {arn}")  # an STS session's ARN, say (AWS's words)
    row = repo.find_named(ctx.session, row_cls, ctx.account_id, rest.rsplit("/", 1)[-1]) \
        if parsed.account == ctx.account_id else None
    if row is None:
        raise errors.no_such_entity(f"Cannot find entity for arn {arn}")
    if isinstance(row, UserRow):
        group_ids = repo.group_ids_of_user(ctx.session, row.user_id)
        labels = {row.user_id: "user", **{group_id: "group" for group_id in group_ids}}
        found = policies.entity_policies(ctx.session, [row.user_id, *group_ids], labels)
    elif isinstance(row, RoleRow):
        found = policies.entity_policies(ctx.session, [row.role_id], {row.role_id: "role"})
    else:
        found = policies.entity_policies(ctx.session, [row.group_id], {row.group_id: "group"})
    boundary_arn = getattr(row, "boundary_arn", None)
    boundary = policies.managed_policies(ctx.session, [boundary_arn], "permissions boundary") if boundary_arn else None
    return found, boundary


_VARIABLE = re.compile(r"\$\{([^}*?$][^},]*)")  # a policy variable's key: ${aws:username}, ${aws:PrincipalTag/x, 'd'}


def _offset(text: str, position: Any) -> int:
    """The index in ``text`` of a 1-based (line, column) position."""
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[:position.line - 1]) + position.column - 1


def _missing_context(policies: list[NamedPolicy], action: str, context: dict[str, Any]) -> list[str]:
    """MissingContextValues: the condition keys and policy variables of the statements that apply to ``action``
    which the simulation was not given (ContextEntries) and whose absence keeps a statement from matching, spelled
    as the policies write them, each once. A key whose absence satisfies its test is not missing: Null tests,
    ...IfExists, negated operators and ForAllValues (recorded: StringNotEquals and ForAllValues:StringEquals on an
    absent key answer ``[]``, aws-captures/conditions.json)."""
    given = {key.lower() for key in context}
    missing: dict[str, str] = {}
    for named in policies:
        text = named.policy.text
        for statement in named.policy.statements:
            if statement.actions.matches(action.lower()) == statement.not_action:
                continue
            keys = [test.key for test in statement.conditions if test.null_values is None and not test.if_exists
                    and not test.negated and test.qualifier != "all"]
            segment = text[_offset(text, statement.start):_offset(text, statement.end)]
            keys += [found.strip().lower() for found in _VARIABLE.findall(segment)]
            for key in keys:
                if key not in given and key not in missing:
                    match = re.search(re.escape(key), text, re.IGNORECASE)
                    missing[key] = match.group(0) if match else key
    return list(missing.values())


def _organization_scps(ctx: RequestContext, account_id: str) -> tuple[bool, Sequence[Sequence[NamedPolicy]] | None]:
    """Whether ``account_id`` is in an organization, and the SCPs binding its principals (None: none bind them,
    as for the management account or with SCPs disabled)."""
    orgs = optional_module("rootplane.services.organizations.policies")
    if orgs is None or orgs.org_identity(ctx.session, account_id) is None:
        return False, None
    return True, orgs.scp_levels(ctx.session, account_id)


def _resource_owner(value: str | None) -> str | None:
    """The account of ``ResourceOwner``: an account ID, as its documentation says, or an ARN naming one (an account's
    root, arn:aws:iam::123456789012:root); anything else is refused as AWS refuses it."""
    if not value:
        return None
    if re.fullmatch(r"\d{12}", value):
        return value
    parsed = parse_arn(value)
    if parsed is None or not re.fullmatch(r"\d{12}", parsed.account):
        raise errors.invalid_input(f"'{value}' is not a valid as a Resource Owner.")
    return parsed.account


def _simulate(ctx: RequestContext, params: dict[str, Any], identity: list[NamedPolicy],
              boundary: list[NamedPolicy] | None, caller_arn: str, *, organizations: bool = False) -> dict[str, Any]:
    """The simulation's results; with ``organizations`` (SimulatePrincipalPolicy) the SCPs of the simulated caller's
    account take part and each result says whether they allow the action (OrganizationsDecisionDetail)."""
    boundary_inputs = _documents(params.get("PermissionsBoundaryPolicyInputList"),
                                 "PermissionsBoundaryPolicyInputList", "boundary")
    if boundary_inputs:
        boundary = boundary_inputs
    resource_policy = None
    if params.get("ResourcePolicy"):
        inputs.check_document(params["ResourcePolicy"], "resource")
        resource_policy = NamedPolicy("ResourcePolicy", parse_policy_cached(params["ResourcePolicy"], "resource"),
                                      "Resource Policy")
    context = _context(params.get("ContextEntries"))
    resources = params.get("ResourceArns") or ["*"]
    malformed = [name for name in resources if name != "*" and parse_arn(name) is None]
    if malformed:
        raise errors.invalid_input(f"ResourceNames are not in a valid ARN format: {', '.join(malformed)}.")
    owner = _resource_owner(params.get("ResourceOwner")) or ctx.account_id
    caller = parse_arn(caller_arn)
    caller_account = caller.account if caller is not None and caller.account else ctx.account_id
    in_organization, scp_levels = _organization_scps(ctx, caller_account) if organizations else (False, None)
    policy_set = PolicySet(identity=tuple(identity), boundary=boundary, resource=resource_policy,
                           scp_levels=scp_levels)
    boundary_only = PolicySet(identity=tuple(boundary)) if boundary else None
    scps_only = PolicySet(scp_levels=scp_levels) if scp_levels is not None else None
    actions, paging = shapes.page_of(params["ActionNames"], params.get("Marker"), params.get("MaxItems"))
    results = []
    for action in actions:  # one result per action: a page of actions is a page of results
        per_resource = []
        within_boundary = []
        within_organization = []
        for resource in resources:
            facts = RequestFacts(action=action, resource=resource, principal_arn=caller_arn,
                                 principal_account=caller_account, resource_account=owner, context=context)
            # explain: MatchedStatements lists every statement that decided, not only the first Allow per type
            per_resource.append((resource, evaluate(facts, policy_set, explain=True)))
            if boundary_only is not None:
                within_boundary.append(evaluate(facts, boundary_only).allowed)
            if scps_only is not None:
                within_organization.append(evaluate(facts, scps_only).deny_policy_type != SCP)
        result = action_result(action, per_resource, missing_context_values=_missing_context(
            [*identity, *(boundary or ()), *([resource_policy] if resource_policy else [])], action, context))
        if resources == ["*"] and owner == caller_account:
            del result["EvalDecisionDetails"]  # not returned for all resources of one account (EvaluationResult)
        if boundary_only is not None:
            _boundary_detail(result, within_boundary)
        if in_organization:
            _organizations_detail(result, all(within_organization))
        results.append(result)
    return {"EvaluationResults": results, **paging}


def _boundary_detail(result: dict[str, Any], within_boundary: list[bool]) -> None:
    """IAM reports whether the permissions boundary alone allows the request, per action and per resource."""
    result["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": all(within_boundary)}
    for entry, allowed in zip(result["ResourceSpecificResults"], within_boundary):
        entry["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": allowed}


def _organizations_detail(result: dict[str, Any], allowed: bool) -> None:
    """Whether the account's SCPs allow the action on every resource. A simulation an SCP denies ends there: it
    reports no EvalDecisionDetails (IAM API Reference, EvaluationResult)."""
    result["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": allowed}
    if not allowed:
        result.pop("EvalDecisionDetails", None)


class SimulateMixin:
    def simulate_custom_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        identity = _documents(params["PolicyInputList"], "PolicyInputList", "identity")
        caller = params.get("CallerArn") or f"arn:aws:iam::{ctx.account_id}:user/SimulatedUser"
        return _simulate(ctx, params, identity, None, caller)

    def simulate_principal_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        source = params["PolicySourceArn"]
        identity, boundary = source_policies(ctx, source)
        identity += _documents(params.get("PolicyInputList"), "PolicyInputList", "identity")
        return _simulate(ctx, params, identity, boundary, params.get("CallerArn") or source, organizations=True)


