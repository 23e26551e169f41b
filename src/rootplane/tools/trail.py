"""CloudTrail event history (LookupEvents) as a stream of calls: who did what to which resource, and the decision."""

from __future__ import annotations

import datetime as _dt
import json
import os
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from rootplane.tools.aws import Connection

__all__ = ["Call", "action_of", "call_of", "history", "follow", "deciding_statements", "describe_statement"]

#: CloudTrail event names that differ from the IAM action they need (Service Authorization Reference).
_ACTION_OF_EVENT = {
    "s3:ListBuckets": "s3:ListAllMyBuckets", "s3:ListObjects": "s3:ListBucket", "s3:ListObjectsV2": "s3:ListBucket",
    "s3:HeadBucket": "s3:ListBucket", "s3:HeadObject": "s3:GetObject", "s3:DeleteObjects": "s3:DeleteObject",
    "s3:CopyObject": "s3:PutObject", "s3:CreateMultipartUpload": "s3:PutObject", "s3:UploadPart": "s3:PutObject",
    "s3:CompleteMultipartUpload": "s3:PutObject", "s3:GetObjectAttributes": "s3:GetObjectAttributes",
    "sqs:ReceiveMessageBatch": "sqs:ReceiveMessage", "sqs:SendMessageBatch": "sqs:SendMessage",
    "sqs:DeleteMessageBatch": "sqs:DeleteMessage", "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
}
_DENIALS = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Client.UnauthorizedOperation")


def action_of(record: dict[str, Any]) -> str:
    """The IAM action a recorded call needed, e.g. ``iam:GetUser`` from eventSource iam.amazonaws.com."""
    service = record.get("eventSource", "").split(".", 1)[0]
    event = f"{service}:{record.get('eventName', '')}"
    return _ACTION_OF_EVENT.get(event, event)


@dataclass(frozen=True)
class Call:
    """One recorded call, as ``policy stream`` prints it."""

    time: str
    principal: str
    action: str
    resource: str
    decision: str
    detail: str
    record: dict[str, Any]

    @property
    def denied(self) -> bool:
        return self.decision == "Denied"


def call_of(record: dict[str, Any]) -> Call:
    identity = record.get("userIdentity") or {}
    principal = identity.get("arn") or identity.get("invokedBy") or identity.get("type", "?")
    resources = [item.get("ARN", "") for item in record.get("resources") or []]
    code = record.get("errorCode")
    decision = "Denied" if code in _DENIALS else "Failed" if code else "Allowed"
    detail = f"{code}: {record.get('errorMessage', '')}" if code else ""
    return Call(record.get("eventTime", ""), principal, action_of(record), ", ".join(resources) or "-", decision,
                detail, record)


_IDS_PER_REQUEST = 100


def deciding_statements(connection: Connection, event_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The statement that decided each call, by event id: rootplane keeps it beside each CloudTrail record and
    answers it at ``/_rootplane/cloudtrail/decisions`` (with ``ROOTPLANE_INTERNAL_TOKEN`` when the server needs
    one). Empty against AWS (no ``--endpoint-url``), whose records do not carry it, or when the server does not
    answer."""
    if not connection.endpoint_url or not event_ids:
        return {}
    token = os.environ.get("ROOTPLANE_INTERNAL_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(event_ids), _IDS_PER_REQUEST):
        ids = ",".join(event_ids[start:start + _IDS_PER_REQUEST])
        url = f"{connection.endpoint_url.rstrip('/')}/_rootplane/cloudtrail/decisions?{urllib.parse.urlencode({'ids': ids})}"
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
                found.update(json.loads(response.read()))
        except (OSError, ValueError):
            return found
    return found


def describe_statement(deciding: dict[str, Any] | None) -> str:
    """``deciding`` (see :func:`deciding_statements`) in words: the policy and statement that decided."""
    if not deciding:
        return ""
    if deciding.get("policy") is None:
        if deciding["decision"] == "ImplicitDeny":
            return f"implicit deny: no {deciding.get('policyType') or 'policy'} allows {deciding['action']}"
        return "allowed with no statement needed (the root user, or an action anyone may call)"
    statement = f"Sid {deciding['sid']!r}" if deciding.get("sid") else "no Sid"
    verb = "allowed" if deciding["decision"] == "Allow" else "denied"
    return (f"{verb} by {deciding['policyType']} {deciding['policy']!r}, statement {deciding['statementIndex']} "
            f"({statement})")


def history(connection: Connection, since: _dt.datetime | None = None,
            until: _dt.datetime | None = None) -> list[dict[str, Any]]:
    """The caller account's recorded management events in a time window, oldest first."""
    request: dict[str, Any] = {}
    if since is not None:
        request["StartTime"] = since
    if until is not None:
        request["EndTime"] = until
    pages = connection.client("cloudtrail").get_paginator("lookup_events").paginate(**request)
    records = [(event, json.loads(event["CloudTrailEvent"])) for page in pages for event in page["Events"]]
    records.sort(key=lambda pair: (pair[0]["EventTime"], pair[1].get("eventID", "")))
    return [record for _, record in records]


def _event_time(record: dict[str, Any]) -> _dt.datetime:
    return _dt.datetime.fromisoformat(record["eventTime"].replace("Z", "+00:00"))


def follow(connection: Connection, since: _dt.datetime, interval: float = 1.0, lookback: float = 60.0,
           sleep: Callable[[float], None] = time.sleep) -> Iterator[dict[str, Any]]:
    """Records as they are written, like ``tail -f`` (runs until interrupted).

    Each poll asks again for the last ``lookback`` seconds before the newest record seen, because records share
    second-precision times and may arrive late (AWS delivers within minutes); ids already printed are skipped.
    """
    seen: dict[str, _dt.datetime] = {}
    start = since
    while True:
        for record in history(connection, since=start):
            event_id = record.get("eventID", "")
            if event_id in seen:
                continue
            seen[event_id] = _event_time(record)
            yield record
        if seen:
            start = max(start, max(seen.values()) - _dt.timedelta(seconds=lookback))
            seen = {event_id: at for event_id, at in seen.items() if at >= start}
        sleep(interval)
