"""LookupEvents input rules (AWS's validation errors) and its keyset page token."""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.cloudtrail.repo import Cursor

__all__ = ["LookupQuery", "parse_lookup", "encode_token", "RETENTION"]

RETENTION = _dt.timedelta(days=90)
MAX_RESULTS = 50
ATTRIBUTE_KEYS = ("EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource",
                  "AccessKeyId")


@dataclass(frozen=True)
class LookupQuery:
    attribute: tuple[str, object] | None
    start: _dt.datetime
    end: _dt.datetime
    limit: int
    after: Cursor | None
    fingerprint: str
    insight: bool


def _fingerprint(params: dict[str, Any]) -> str:
    facts = [params.get("LookupAttributes"), params.get("StartTime"), params.get("EndTime"),
             params.get("EventCategory")]
    return hashlib.sha256(json.dumps(facts, default=str, sort_keys=True).encode()).hexdigest()[:16]


def encode_token(cursor: Cursor, fingerprint: str) -> str:
    data = {"t": cursor.event_time.isoformat(), "i": cursor.event_id, "q": fingerprint}
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def _decode_token(token: str, fingerprint: str) -> Cursor:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        cursor = Cursor(_dt.datetime.fromisoformat(data["t"]), str(data["i"]))
        valid = data["q"] == fingerprint
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise AwsError("InvalidNextTokenException", "Invalid NextToken", 400)
    return cursor


def _attribute(params: dict[str, Any]) -> tuple[str, object] | None:
    attributes = params.get("LookupAttributes") or []
    if len(attributes) > 1:
        raise AwsError("InvalidLookupAttributesException",
                       "You can only specify one lookup attribute per request.", 400)
    if not attributes:
        return None
    key, value = attributes[0].get("AttributeKey"), attributes[0].get("AttributeValue")
    if key not in ATTRIBUTE_KEYS:
        raise AwsError("InvalidLookupAttributesException", f"Invalid attribute key: {key}", 400)
    if key == "ReadOnly":
        if value not in ("true", "false"):
            raise AwsError("InvalidLookupAttributesException",
                           "Invalid value for ReadOnly attribute. Valid values are true and false.", 400)
        return key, value == "true"
    return key, value


def parse_lookup(params: dict[str, Any], now: _dt.datetime, retention: _dt.timedelta = RETENTION) -> LookupQuery:
    """Validate LookupEvents input in AWS's order and turn it into a query (``retention``: Event history's window)."""
    category = params.get("EventCategory")
    if category is not None and category != "insight":
        raise AwsError("InvalidEventCategoryException", "Invalid EventCategory. Valid value is insight.", 400)
    limit = params.get("MaxResults")
    if limit is not None and not 1 <= limit <= MAX_RESULTS:
        raise AwsError("InvalidMaxResultsException",
                       f"Value {limit} for MaxResults is invalid. MaxResults must be between 1 and {MAX_RESULTS}.", 400)
    attribute = _attribute(params)
    end = params.get("EndTime") or now
    start = params.get("StartTime") or (now - retention)
    if start > end or start > now:
        raise AwsError("InvalidTimeRangeException", "Start time must be before end time and not in the future.", 400)
    fingerprint = _fingerprint(params)
    after = _decode_token(params["NextToken"], fingerprint) if params.get("NextToken") else None
    return LookupQuery(attribute, _from_second(max(start, now - retention)), _through_second(min(end, now)),
                       limit or MAX_RESULTS, after, fingerprint, category == "insight")


def _from_second(start: _dt.datetime) -> _dt.datetime:
    """The earliest stored time whose whole second (an event's EventTime) is at or after ``start``."""
    floor = start.replace(microsecond=0)
    return floor if floor == start else floor + _dt.timedelta(seconds=1)


def _through_second(end: _dt.datetime) -> _dt.datetime:
    """The latest stored time whose whole second is at or before ``end``: events are stored to the microsecond (their
    order), but an event's time is its second ("events that occur before or at the specified time" include one at
    12:00:00.7 for an EndTime of 12:00:00)."""
    return end.replace(microsecond=999999)
