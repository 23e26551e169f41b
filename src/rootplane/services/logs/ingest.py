"""PutLogEvents' rules and storage, shared by the API and CloudTrail's delivery to log groups.

A batch holds at most 10,000 events and 1,048,576 bytes (each message's UTF-8 size plus 26 bytes), in
chronological order, its valid events (from 14 days ago to 2 hours ahead) spanning at most 24 hours; breaking one of
these is an InvalidParameterException. Events more
than 2 hours ahead of the server's clock, older than 14 days, or older than the group's retention are not stored
and reported in ``rejectedLogEventsInfo`` (``tooNewLogEventStartIndex``, ``tooOldLogEventEndIndex``,
``expiredLogEventEndIndex``). Sequence tokens are accepted and ignored, as AWS does now. Stored events then pass
through the group's metric filters (metrics.py).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.services.logs import metrics, repo
from rootplane.services.logs.tables import LogGroupRow, LogStreamRow

__all__ = ["MAX_EVENTS", "MAX_BATCH_BYTES", "EVENT_OVERHEAD", "put_events", "batch_size", "epoch_ms",
           "retention_start"]

MAX_EVENTS = 10_000
MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD = 26
_HOUR = 3_600_000
_DAY = 24 * _HOUR
MAX_SPAN = _DAY
MAX_AHEAD = 2 * _HOUR
MAX_AGE = 14 * _DAY


def epoch_ms(moment: _dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def retention_start(group: LogGroupRow, now_ms: int) -> int | None:
    """The oldest timestamp a group still keeps (None: kept forever)."""
    return now_ms - group.retention_days * _DAY if group.retention_days else None


def batch_size(messages: Sequence[str]) -> int:
    return sum(len(message.encode()) + EVENT_OVERHEAD for message in messages)


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message, 400)


def _check(events: Sequence[dict[str, Any]], now_ms: int) -> None:
    if len(events) > MAX_EVENTS:
        raise _invalid(f"The number of log events in the batch ({len(events)}) exceeds the limit of {MAX_EVENTS}.")
    size = batch_size([event["message"] for event in events])
    if size > MAX_BATCH_BYTES:
        raise _invalid(f"Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}")
    times = [event["timestamp"] for event in events]
    if any(later < earlier for earlier, later in zip(times, times[1:])):
        raise _invalid("Log events in a single PutLogEvents request must be in chronological order.")
    valid = [time for time in times if now_ms - MAX_AGE <= time <= now_ms + MAX_AHEAD]  # the others are rejected
    if valid and valid[-1] - valid[0] > MAX_SPAN:
        raise _invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")


def _rejected(times: Sequence[int], now_ms: int, kept_from: int | None) -> dict[str, int]:
    info: dict[str, int] = {}
    too_new = next((index for index, time in enumerate(times) if time > now_ms + MAX_AHEAD), None)
    if too_new is not None:
        info["tooNewLogEventStartIndex"] = too_new
    too_old = [index for index, time in enumerate(times) if time < now_ms - MAX_AGE]
    if too_old:
        info["tooOldLogEventEndIndex"] = too_old[-1]
    if kept_from is not None:
        expired = [index for index, time in enumerate(times) if time < kept_from]
        if expired:
            info["expiredLogEventEndIndex"] = expired[-1]
    return info


def _accepted(count: int, info: dict[str, int]) -> range:
    first = max(info.get("tooOldLogEventEndIndex", -1), info.get("expiredLogEventEndIndex", -1)) + 1
    return range(first, info.get("tooNewLogEventStartIndex", count))


def put_events(session: Session, group: LogGroupRow, stream: LogStreamRow, events: Sequence[dict[str, Any]],
               now: _dt.datetime) -> dict[str, Any]:
    """Store a batch (botocore's InputLogEvent dicts); answer PutLogEvents' result."""
    now_ms = epoch_ms(now)
    _check(events, now_ms)
    info = _rejected([event["timestamp"] for event in events], now_ms, retention_start(group, now_ms))
    kept = [(events[index]["timestamp"], events[index]["message"]) for index in _accepted(len(events), info)]
    if kept:
        repo.add_events(session, group.arn, stream.id, now_ms, kept)
        first, last = kept[0][0], kept[-1][0]
        stream.first_event_at = first if stream.first_event_at is None else min(stream.first_event_at, first)
        stream.last_event_at = last if stream.last_event_at is None else max(stream.last_event_at, last)
        stream.last_ingestion_at = now_ms
        repo.add_stored_bytes(session, group, stream, batch_size([message for _, message in kept]))
        metrics.publish(session, group.account_id, group.region, repo.filters_of(session, group.arn), kept, now)
    result: dict[str, Any] = {"nextSequenceToken": f"{now_ms:056d}"}
    if info:
        result["rejectedLogEventsInfo"] = info
    return result
