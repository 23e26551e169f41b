"""Log events: PutLogEvents, GetLogEvents (forward/backward tokens) and FilterLogEvents (patterns, paging)."""

from __future__ import annotations

from typing import Any

from rootplane.services.context import RequestContext
from rootplane.services.logs import repo, tokens
from rootplane.services.logs.ingest import (EVENT_OVERHEAD, MAX_BATCH_BYTES, MAX_EVENTS, epoch_ms, put_events,
                                            retention_start)
from rootplane.services.logs.lookup import group_of_request, invalid, require_group, require_stream
from rootplane.services.logs.patterns import InvalidPattern, compile_pattern
from rootplane.services.logs.tables import LogEventRow, LogGroupRow

__all__ = ["EventOperations"]

_SCAN_BATCH = 1_000
_SCAN_BUDGET = 10_000  # events FilterLogEvents reads per call before answering a page (maybe empty) and a token
_NEWEST_FIRST_FROM = 1_704_067_200_000  # FilterLogEvents reads newest first only from a startTime of 2024 on


def _window(group: LogGroupRow, params: dict[str, Any], now_ms: int) -> tuple[int | None, int | None]:
    """[start, end) of a read: the request's startTime/endTime within the group's retention."""
    start, end = (None if value is None else min(value, tokens.MAX_POSITION)
                  for value in (params.get("startTime"), params.get("endTime")))
    if start is not None and end is not None and start > end:
        raise invalid("startTime must be less than or equal to endTime.")
    kept_from = retention_start(group, now_ms)
    if kept_from is not None:
        start = kept_from if start is None else max(start, kept_from)
    return start, None if end is None else end + 1


def _within_size(rows: list[LogEventRow], forward: bool) -> list[LogEventRow]:
    """The rows a 1 MB response holds (GetLogEvents' limit, counted like a PutLogEvents batch), from the side the
    read starts at."""
    ordered = rows if forward else rows[::-1]
    kept, size = [], 0
    for row in ordered:
        size += len(row.message.encode()) + EVENT_OVERHEAD
        if size > MAX_BATCH_BYTES and kept:
            break
        kept.append(row)
    return kept if forward else kept[::-1]


class EventOperations:
    def put_log_events(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = require_group(ctx, params["logGroupName"])
        stream = require_stream(ctx, group, params["logStreamName"])
        return put_events(ctx.session, group, stream, params["logEvents"], ctx.now())

    def get_log_events(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = group_of_request(ctx, params)
        stream = require_stream(ctx, group, params["logStreamName"])
        start, end = _window(group, params, epoch_ms(ctx.now()))
        token = params.get("nextToken")
        forward, cursor = tokens.parse_event_token(token) if token else (bool(params.get("startFromHead")), None)
        limit = params.get("limit") or MAX_EVENTS
        rows = _within_size(repo.stream_events(ctx.session, stream.id, start, end, cursor, forward, limit), forward)
        if rows:
            first, last = (rows[0].timestamp, rows[0].id), (rows[-1].timestamp, rows[-1].id)
        else:
            first = last = cursor or (0, 0)
        return {"events": [{"timestamp": row.timestamp, "message": row.message, "ingestionTime": row.ingested_at}
                           for row in rows],
                "nextForwardToken": tokens.event_token(True, last), "nextBackwardToken": tokens.event_token(False, first)}

    def filter_log_events(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = group_of_request(ctx, params)
        names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
        if names and prefix:
            raise invalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
        try:
            pattern = compile_pattern(params.get("filterPattern") or "")
        except InvalidPattern:
            raise invalid("Invalid filter pattern") from None
        streams = {row.id: row.name for row in repo.streams_by_name(ctx.session, group.arn, names, prefix)}
        stream_ids = list(streams) if (names or prefix) else None
        start, end = _window(group, params, epoch_ms(ctx.now()))
        if params.get("nextToken"):
            forward, cursor = tokens.parse_filter_token(params["nextToken"])
        else:
            forward, cursor = params.get("startFromHead", True), None
            if not forward and params.get("startTime") is not None and params["startTime"] < _NEWEST_FIRST_FROM:
                raise invalid("startFromHead set to false is supported only when startTime is on or after "
                              "Jan 1, 2024 00:00:00 UTC.")
        limit = params.get("limit") or MAX_EVENTS
        found: list[LogEventRow] = []
        scanned, size, more, full = 0, 0, True, False
        while not full and scanned < _SCAN_BUDGET and more:
            batch = repo.group_events(ctx.session, group.arn, stream_ids, start, end, cursor, forward,
                                      _SCAN_BATCH)
            more = len(batch) == _SCAN_BATCH
            for row in batch:
                if pattern.matches(row.message):
                    size += len(row.message.encode()) + EVENT_OVERHEAD
                    if size > MAX_BATCH_BYTES and found:  # a page holds up to 1 MB: this event opens the next
                        full = more = True
                        break
                    found.append(row)
                scanned += 1
                cursor = (row.timestamp, row.id)
                if len(found) == limit:
                    full, more = True, more or row is not batch[-1]
                    break
        result: dict[str, Any] = {
            "events": [{"logStreamName": streams.get(row.stream_id, ""), "timestamp": row.timestamp,
                        "message": row.message, "ingestionTime": row.ingested_at,
                        "eventId": tokens.event_id(row.timestamp, row.id)} for row in found],
            "searchedLogStreams": []}
        if more and cursor is not None:
            result["nextToken"] = tokens.filter_token(forward, cursor)
        return result
