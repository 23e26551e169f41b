"""CloudWatch Logs operations other services call directly (CloudTrail delivers its events to a log group)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.services.logs import repo
from rootplane.services.logs.authz import group_name
from rootplane.services.logs.ingest import (EVENT_OVERHEAD, MAX_BATCH_BYTES, MAX_EVENTS, MAX_SPAN, epoch_ms,
                                            put_events)
from rootplane.services.logs.tables import LogGroupRow

__all__ = ["find_group_by_arn", "deliver"]


def find_group_by_arn(session: Session, arn: str) -> LogGroupRow | None:
    """The group an ARN names (``arn:aws:logs:<region>:<account>:log-group:<name>[:*]``), or None."""
    parts = arn.split(":", 6)
    if len(parts) < 7 or parts[:3] != ["arn", "aws", "logs"] or parts[5] != "log-group":
        return None
    return repo.find_group(session, parts[4], parts[3], group_name(arn))


def _batches(events: Sequence[tuple[int, str]]) -> list[list[dict]]:
    """Events in time order cut into batches PutLogEvents accepts (count, size, 24-hour span)."""
    batches: list[list[dict]] = [[]]
    size = 0
    for timestamp, message in sorted(events, key=lambda event: event[0]):
        cost = len(message.encode()) + EVENT_OVERHEAD
        if batches[-1] and (len(batches[-1]) == MAX_EVENTS or size + cost > MAX_BATCH_BYTES
                            or timestamp - batches[-1][0]["timestamp"] > MAX_SPAN):
            batches.append([])
            size = 0
        batches[-1].append({"timestamp": timestamp, "message": message})
        size += cost
    return [batch for batch in batches if batch]


def deliver(session: Session, group: LogGroupRow, stream_name: str, events: Sequence[tuple[int, str]],
            now: _dt.datetime) -> None:
    """Put ``events`` (timestamp ms, message) into a stream of ``group``, creating the stream when missing."""
    stream = repo.find_stream(session, group.arn, stream_name)
    if stream is None:
        stream = repo.add_stream(session, group, stream_name, epoch_ms(now), conflict=AwsError(
            "OperationAbortedException", "The log stream was created concurrently.", 400))
    for batch in _batches(events):
        put_events(session, group, stream, batch, now)
