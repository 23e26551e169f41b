"""CloudTrail records flow into the recipient account's default event bus, as AWS sends them.

``may_deliver`` asks in plain SQL whether any rule can receive a batch; the model (rules, targets, their dispatch)
loads with the first batch that one can (issue #19).
"""

from __future__ import annotations

import datetime as _dt
import logging
import operator
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rootplane.audit.record import Recorded
from rootplane.core.services import namespace_of
from rootplane.services.events import plain

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

__all__ = ["envelope", "may_deliver", "deliver"]

log = logging.getLogger("rootplane.audit")

_SIGN_IN = "AwsConsoleSignIn"
_BUS = "default"
_PLACE = operator.itemgetter(0, 1)  # a Recorded's (account_id, region), in C


def envelope(recorded: Recorded) -> dict[str, Any]:
    """The EventBridge event for a CloudTrail record."""
    record = recorded.record
    sign_in = record.get("eventType") == _SIGN_IN
    source = namespace_of(record["eventSource"])
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "AWS Console Sign In via CloudTrail" if sign_in else "AWS API Call via CloudTrail",
        "source": f"aws.{source}",
        "account": recorded.account_id,
        "time": record["eventTime"],
        "region": recorded.region,
        "resources": [],
        "detail": record,
    }


def _places(batch: Sequence[Recorded]) -> set[tuple[str, str]]:
    return set(map(_PLACE, batch))


def may_deliver(connection: Connection, batch: Sequence[Recorded]) -> bool:
    """Whether a rule of the batch's accounts and regions can match events (one plain-SQL probe)."""
    return plain.any_active_rule(connection, _places(batch), _BUS)


def deliver(session: Session, batch: list[Recorded], now: _dt.datetime) -> None:
    """Match a batch of records against their accounts' default-bus rules (one query) and deliver the matches.

    Accounts without rules cost nothing beyond that query; each record's delivery runs in a savepoint.
    """
    from rootplane.services.events import repo  # the model: loaded with the first batch a rule can receive
    from rootplane.services.events.dispatch import deliver_to_rules

    rules = repo.list_active_rules_of(session, _places(batch), _BUS)
    if not rules:
        return
    for item in batch:
        candidates = rules.get((item.account_id, item.region))
        if not candidates:
            continue
        read_only = bool(item.record.get("readOnly")) and item.record.get("eventType") != _SIGN_IN
        try:
            with session.begin_nested():
                deliver_to_rules(session, candidates, envelope(item), now, read_only_cloudtrail=read_only)
        except Exception:  # noqa: BLE001 - a failing target must not lose the other deliveries
            log.exception("EventBridge delivery of %s failed", item.record.get("eventID"))
