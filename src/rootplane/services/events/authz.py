"""EventBridge authorization facts: rules and buses by ARN, with the events:* condition keys IAM policies use.

Resources follow the Service Authorization Reference: ``event-bus/<name>``, ``rule/<name>`` on the default bus and
``rule/<bus>/<name>`` on a custom bus. ``PutRule`` carries ``events:source`` and ``events:detail-type`` (the literal
values of the pattern's top-level fields) and ``events:creatorAccount``; ``PutTargets`` carries ``events:TargetArn``;
``PutEvents`` is checked once per (bus, source, detail-type) of its entries.  A role handed to EventBridge (a
target's or a rule's ``RoleArn``) needs ``iam:PassRole`` with ``iam:PassedToService`` ``events.amazonaws.com``.
"""

from __future__ import annotations

import json
from typing import Any

from rootplane.authz.checks import AuthzCheck, pass_role

__all__ = ["checks", "rule_arn", "bus_arn", "bus_name", "DEFAULT_BUS"]

DEFAULT_BUS = "default"
_ON_ACCOUNT = frozenset({"ListEventBuses", "ListRules", "ListRuleNamesByTarget", "TestEventPattern"})
_RULE_BY_NAME = frozenset({"PutRule", "DescribeRule", "DeleteRule", "EnableRule", "DisableRule"})
_RULE_BY_RULE = frozenset({"PutTargets", "RemoveTargets", "ListTargetsByRule"})
_BUS_BY_NAME = frozenset({"CreateEventBus", "DescribeEventBus", "DeleteEventBus"})
_BY_RESOURCE_ARN = frozenset({"TagResource", "UntagResource", "ListTagsForResource"})
_SERVICE_PRINCIPAL = "events.amazonaws.com"
_PASSES_ROLE = frozenset({"PutRule", "CreateEndpoint", "UpdateEndpoint"})  # top-level RoleArn; PutTargets per target


def bus_name(value: str | None) -> str:
    """A bus given by name or ARN (None: the default bus)."""
    if not value:
        return DEFAULT_BUS
    return value.rsplit("/", 1)[-1] if value.startswith("arn:") else value


def bus_arn(region: str, account_id: str, name_or_arn: str | None) -> str:
    """The ARN of a bus named by name or ARN (``None``: the default bus)."""
    if name_or_arn and name_or_arn.startswith("arn:"):
        return name_or_arn
    return f"arn:aws:events:{region}:{account_id}:event-bus/{bus_name(name_or_arn)}"


def rule_arn(region: str, account_id: str, bus: str | None, name: str) -> str:
    bus = bus_name(bus)
    path = name if bus == DEFAULT_BUS else f"{bus}/{name}"
    return f"arn:aws:events:{region}:{account_id}:rule/{path}"


def _literals(pattern_text: str | None, field: str) -> list[str] | None:
    """The literal string values of a top-level pattern field (None when absent or not a pattern)."""
    try:
        values = json.loads(pattern_text or "").get(field)
    except (ValueError, AttributeError):
        return None
    if not isinstance(values, list):
        return None
    return [value for value in values if isinstance(value, str)] or None


def _rule_context(ctx: Any, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    context: dict[str, Any] = {"events:creatorAccount": ctx.account_id}
    if operation == "PutRule":
        for key, field in (("events:source", "source"), ("events:detail-type", "detail-type")):
            values = _literals(params.get("EventPattern"), field)
            if values is not None:
                context[key] = values
    elif operation == "PutTargets":
        context["events:TargetArn"] = [target["Arn"] for target in params.get("Targets") or () if target.get("Arn")]
    return context


def _bus_policy(ctx: Any, arn: str) -> str | None:
    """The policy of the bus ``arn`` names when it is another account's (which its policy must let the caller
    write to: "Permissions for event buses in Amazon EventBridge"), else None."""
    _, _, _, region, account_id, resource = arn.split(":", 5)
    if account_id == ctx.account_id:
        return None
    from rootplane.services.events import repo  # imports this module

    bus = repo.find_bus(ctx.session, account_id, region, resource.partition("/")[2])
    return bus.policy if bus is not None else None


def _put_events(ctx: Any, params: dict[str, Any]) -> list[AuthzCheck]:
    seen: dict[tuple[str, str, str], AuthzCheck] = {}
    for entry in params.get("Entries") or ():
        arn = bus_arn(ctx.region, ctx.account_id, entry.get("EventBusName"))
        source, detail_type = entry.get("Source") or "", entry.get("DetailType") or ""
        context = {"events:source": source, "events:detail-type": detail_type}
        key = (arn, source, detail_type)
        if key not in seen:
            seen[key] = AuthzCheck("events:PutEvents", arn, arn.split(":")[4], resource_policy=_bus_policy(ctx, arn),
                                   context=context)
    return list(seen.values()) or [AuthzCheck("events:PutEvents", bus_arn(ctx.region, ctx.account_id, None),
                                              ctx.account_id)]


def _passed_roles(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    """``iam:PassRole`` for every distinct role the request hands to EventBridge."""
    if operation == "PutTargets":
        roles = [target.get("RoleArn") for target in params.get("Targets") or ()]
    elif operation in _PASSES_ROLE:
        roles = [params.get("RoleArn")]
    else:
        return []
    return [pass_role(role, _SERVICE_PRINCIPAL, ctx.account_id) for role in dict.fromkeys(roles) if role]


def checks(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    """The operation's own check, then ``iam:PassRole`` for the roles it hands over."""
    return _own_checks(ctx, operation, params) + _passed_roles(ctx, operation, params)


def _own_checks(ctx: Any, operation: str, params: dict[str, Any]) -> list[AuthzCheck]:
    action = f"events:{operation}"
    if operation in _ON_ACCOUNT:
        return [AuthzCheck(action, "*", ctx.account_id)]
    if operation == "PutEvents":
        return _put_events(ctx, params)
    if operation in _BY_RESOURCE_ARN:
        return [AuthzCheck(action, params["ResourceARN"], ctx.account_id)]
    if operation in _BUS_BY_NAME:
        return [AuthzCheck(action, bus_arn(ctx.region, ctx.account_id, params.get("Name")), ctx.account_id)]
    if operation in _RULE_BY_NAME or operation in _RULE_BY_RULE:
        name = params["Name"] if operation in _RULE_BY_NAME else params["Rule"]
        arn = rule_arn(ctx.region, ctx.account_id, params.get("EventBusName"), name)
        return [AuthzCheck(action, arn, ctx.account_id, context=_rule_context(ctx, operation, params))]
    return [AuthzCheck(action, "*", ctx.account_id)]
