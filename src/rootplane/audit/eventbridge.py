"""CloudTrail records flow into the recipient account's default event bus, as AWS sends them."""

from __future__ import annotations

import datetime as _dt
import uuid
from typing import Any

from sqlalchemy.orm import Session

from rootplane.audit.record import Recorded
from rootplane.services.events.dispatch import put_event

__all__ = ["envelope", "deliver"]

_SIGN_IN = "AwsConsoleSignIn"


def envelope(recorded: Recorded) -> dict[str, Any]:
    """The EventBridge event for a CloudTrail record."""
    record = recorded.record
    sign_in = record.get("eventType") == _SIGN_IN
    source = record["eventSource"].split(".", 1)[0]
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


def deliver(session: Session, recorded: Recorded, now: _dt.datetime) -> None:
    """Match the record's event against the default bus rules and deliver it."""
    read_only = bool(recorded.record.get("readOnly")) and recorded.record.get("eventType") != _SIGN_IN
    put_event(session, recorded.account_id, recorded.region, "default", envelope(recorded), now,
              read_only_cloudtrail=read_only)
