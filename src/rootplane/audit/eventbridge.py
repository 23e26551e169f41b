"""CloudTrail records flow into the recipient account's default event bus, as AWS sends them."""

from __future__ import annotations

import datetime as _dt
import logging
import uuid
from typing import Any

from sqlalchemy.orm import Session

from rootplane.audit.record import Recorded
from rootplane.core.services import namespace_of
from rootplane.services.events import repo
from rootplane.services.events.dispatch import deliver_to_rules

__all__ = ["envelope", "deliver"]

log = logging.getLogger("rootplane.audit")

_SIGN_IN = "AwsConsoleSignIn"
_BUS = "default"


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


def deliver(session: Session, batch: list[Recorded], now: _dt.datetime) -> None:
    """Match a batch of records against their accounts' default-bus rules (one query) and deliver the matches.

    Accounts without rules cost nothing beyond that query; each record's delivery runs in a savepoint.
    """
    rules = repo.list_active_rules_of(session, {(item.account_id, item.region) for item in batch}, _BUS)
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
