"""Match an event against the rules of a bus and deliver it to their targets (SQS queues, SNS topics, CloudWatch Logs
log groups, event buses: services/events/buses.py).

Deliveries run inside the caller's transaction, each target inside a savepoint: a target that refuses (queue or
topic policy, or the CloudWatch Logs resource policies of a log group's account, do not allow
``events.amazonaws.com``) or no longer exists is skipped, like a failed invocation. A log group gets each event as one
log event at the event's ``time``, in a stream named by the event's id (the User Guide's "CloudWatch Logs
permissions": EventBridge creates the log streams; AWS does not document their names).
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.services.events import repo
from rootplane.services.events.buses import is_bus_arn, receiving_bus
from rootplane.services.events.patterns import InvalidPattern, compile_pattern
from rootplane.services.events.tables import RuleRow, TargetRow
from rootplane.services.events.transform import render

__all__ = ["put_event", "deliver_to_rules", "ALL_MANAGEMENT_EVENTS", "SERVICE_PRINCIPAL", "SENDER_ID"]

log = logging.getLogger("rootplane.events")

ALL_MANAGEMENT_EVENTS = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
SERVICE_PRINCIPAL = "events.amazonaws.com"
SENDER_ID = "AIDAIRMZKO6XAJ2XNFXCO"  # the SenderId SQS shows for messages EventBridge sends


@lru_cache(maxsize=2048)
def _sources(pattern_text: str) -> frozenset[str] | None:
    """The literal ``source`` values a pattern requires (a cheap pre-filter), or None when it is not that simple."""
    try:
        sources = json.loads(pattern_text).get("source")
    except (ValueError, AttributeError):
        return None
    if isinstance(sources, list) and sources and all(isinstance(value, str) for value in sources):
        return frozenset(sources)
    return None


def _matches(rule: RuleRow, event: dict[str, Any], read_only_cloudtrail: bool) -> bool:
    if read_only_cloudtrail and rule.state != ALL_MANAGEMENT_EVENTS:
        return False
    text = rule.event_pattern or ""
    sources = _sources(text)
    if sources is not None and event.get("source") not in sources:
        return False
    try:
        return compile_pattern(text).matches(event)
    except InvalidPattern:
        return False


def _event_time_ms(event: dict[str, Any]) -> int:
    """The event's ``time`` (``2024-01-01T00:00:00Z``) in epoch milliseconds."""
    moment = _dt.datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=_dt.timezone.utc)
    return int(moment.timestamp() * 1000)


def _send(session: Session, target: TargetRow, body: str, event: dict[str, Any], rule: RuleRow,
          now: _dt.datetime) -> None:
    from rootplane.authz.gather import source

    arn = target.target_arn
    if arn.startswith("arn:aws:sqs:"):
        sqs = source("rootplane.services.sqs.api")
        if sqs is not None:
            group_id = (json.loads(target.spec).get("SqsParameters") or {}).get("MessageGroupId")
            sqs.deliver(session, arn, body, now, SENDER_ID, source_arn=rule.arn, group_id=group_id)
    elif arn.startswith("arn:aws:sns:"):
        sns = source("rootplane.services.sns.delivery")
        if sns is not None:
            sns.publish_from_service(session, arn, body, now, SERVICE_PRINCIPAL, source_arn=rule.arn,
                                     source_account=rule.account_id)
    elif arn.startswith("arn:aws:logs:"):
        logs = source("rootplane.services.logs.api")
        if logs is not None:
            logs.deliver_from_service(session, arn, event["id"], _event_time_ms(event), body, now, SERVICE_PRINCIPAL,
                                      rule.arn)
    else:
        log.info("target %s of %s: delivery to this kind of target is not supported", target.target_id, rule.arn)


def put_event(session: Session, account_id: str, region: str, bus_name: str, event: dict[str, Any],
              now: _dt.datetime, *, read_only_cloudtrail: bool = False, forwarded: bool = False) -> int:
    """Deliver ``event`` to every matching rule's targets; returns how many rules matched. ``forwarded``: the event
    came from another bus, so it is not sent on to a bus again."""
    rules = repo.list_active_rules(session, account_id, region, bus_name)
    return deliver_to_rules(session, rules, event, now, read_only_cloudtrail=read_only_cloudtrail,
                            forwarded=forwarded)


def _forward(session: Session, rule: RuleRow, spec: dict[str, Any], event: dict[str, Any], now: _dt.datetime,
             read_only_cloudtrail: bool) -> None:
    """Send ``event`` unchanged to the bus a target names, when that bus lets the rule's account (or role) send."""
    bus = receiving_bus(session, rule, spec, event)
    if bus is None:
        log.info("rule %s target %s: the event bus refused or does not exist", rule.arn, spec["Id"])
        return
    put_event(session, *bus, event, now, read_only_cloudtrail=read_only_cloudtrail, forwarded=True)


def deliver_to_rules(session: Session, rules: list[RuleRow], event: dict[str, Any], now: _dt.datetime, *,
                     read_only_cloudtrail: bool = False, forwarded: bool = False) -> int:
    """Deliver ``event`` to the targets of those ``rules`` (active rules of its bus) that match it."""
    matched = 0
    for rule in rules:
        if not _matches(rule, event, read_only_cloudtrail):
            continue
        matched += 1
        for target in repo.list_targets(session, rule.arn):
            spec = json.loads(target.spec)
            to_bus = is_bus_arn(target.target_arn)
            if to_bus and forwarded:
                continue
            try:
                with session.begin_nested():
                    if to_bus:
                        _forward(session, rule, spec, event, now, read_only_cloudtrail)
                    else:
                        _send(session, target, render(spec, event, rule.name, rule.arn), event, rule, now)
            except AwsError as error:
                log.info("rule %s target %s not invoked: %s", rule.arn, target.target_id, error.code)
    return matched
