"""Rules whose target is an event bus (``arn:aws:events:<region>:<account>:event-bus/<name>``): the event goes,
unchanged (its ``account`` stays the sender's), to that bus and its rules (User Guide, "Sending and receiving events
between AWS accounts in Amazon EventBridge" and "... between event buses in the same account and Region").

Sending is ``events:PutEvents`` on the receiving bus, decided by that bus's policy (Permissions for event buses):
- with the target's ``RoleArn``, as a session of that role, which must trust ``events.amazonaws.com``: the role's
  policies and its account's SCPs, the bus policy across accounts, with ``aws:PrincipalOrgID``; the API Reference's
  Target: "If you are setting the event bus of another account as the target, and that account granted permission
  to your account through an organization instead of directly by the account ID, then you must specify a RoleArn";
- without one, as the sending account, which the bus policy must name (or ``*``), across accounts only (between
  buses of one account the User Guide's set-up is a role on the sender).
The receiving account's RCPs bind both. An event that came from another bus is not sent on to a third one ("If a
receiver account sets up a rule that sends events received from a sender account on to a third account, these
events are not sent to the third account", the same between three buses of one account).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from rootplane.authz.gather import source
from rootplane.authz.service_requests import decide_for_role_session, organization_keys, role_for_service
from rootplane.policy import NamedPolicy, PolicySet, RequestFacts, evaluate, parse_policy_cached
from rootplane.services.events import repo
from rootplane.services.events.authz import DEFAULT_BUS
from rootplane.services.events.tables import RuleRow

__all__ = ["is_bus_arn", "receiving_bus"]

ACTION = "events:PutEvents"
_SERVICE = "events.amazonaws.com"


def is_bus_arn(arn: str) -> bool:
    """Whether a target ARN names an event bus."""
    parts = arn.split(":", 5)
    return len(parts) == 6 and parts[2] == "events" and parts[5].startswith("event-bus/")


def _bus_policy(session: Session, account_id: str, region: str, name: str) -> tuple[bool, str | None]:
    """(whether the bus exists, its policy); the default bus of every account exists."""
    row = repo.find_bus(session, account_id, region, name)
    return (row is not None or name == DEFAULT_BUS), (row.policy if row is not None else None)


def _allowed(session: Session, rule: RuleRow, role_arn: str | None, bus_arn: str, policy: str | None,
             event: dict[str, Any]) -> bool:
    receiver = bus_arn.split(":")[4]
    resource = NamedPolicy("resource-policy", parse_policy_cached(policy, "resource"), "resource-based policy") \
        if policy else None
    context = {"events:source": event.get("source"), "events:detail-type": event.get("detail-type"),
               **organization_keys(session, "aws:Resource", receiver)}
    if role_arn:
        role = role_for_service(session, _SERVICE, role_arn,
                                {"aws:SourceArn": rule.arn, "aws:SourceAccount": rule.account_id})
        return role is not None and role.account_id == rule.account_id and decide_for_role_session(
            session, role, "EventBridge", ACTION, bus_arn, resource, context, rcps=True).allowed
    if receiver == rule.account_id:
        return False
    orgs = source("rootplane.services.organizations.policies")
    facts = RequestFacts(ACTION, bus_arn, f"arn:aws:iam::{rule.account_id}:root", rule.account_id, receiver, context,
                         principal_is_root=True)
    return evaluate(facts, PolicySet(
        resource=resource, scp_levels=orgs.scp_levels(session, rule.account_id) if orgs is not None else None,
        rcp_levels=orgs.rcp_levels(session, receiver, ACTION) if orgs is not None else None)).allowed


def receiving_bus(session: Session, rule: RuleRow, target: dict[str, Any], event: dict[str, Any]
                  ) -> tuple[str, str, str] | None:
    """(account, region, bus name) the target's bus if it exists and lets the rule send ``event`` there, else None."""
    arn = target["Arn"]
    _, _, _, region, account_id, resource = arn.split(":", 5)
    name = resource.partition("/")[2]
    exists, policy = _bus_policy(session, account_id, region, name)
    if not exists or not _allowed(session, rule, target.get("RoleArn"), arn, policy, event):
        return None
    return account_id, region, name
