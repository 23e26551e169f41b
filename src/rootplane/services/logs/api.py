"""CloudWatch Logs operations other services call directly (CloudTrail delivers its events to a log group through a
role it assumes; EventBridge as ``events.amazonaws.com``, which the account's resource policies must allow)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from rootplane.authz.service_requests import decide_for_service
from rootplane.core.errors import AwsError
from rootplane.policy import NamedPolicy, parse_policy_cached
from rootplane.services.logs import repo
from rootplane.services.logs.authz import group_name, stream_arn
from rootplane.services.logs.ingest import (EVENT_OVERHEAD, MAX_BATCH_BYTES, MAX_EVENTS, MAX_SPAN, epoch_ms,
                                            put_events)
from rootplane.services.logs.tables import LogGroupRow

__all__ = ["find_group_by_arn", "deliver", "deliver_from_service"]


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


def _service_allowed(session: Session, group: LogGroupRow, service: str, action: str, resource: str,
                     source_arn: str) -> bool:
    """Whether the resource policies of the group's account and Region and the group's own policy let ``service`` do
    ``action``: one allows and none (nor an RCP) denies (PutResourcePolicy: the policies are for AWS service
    principals)."""
    policies = [*repo.resource_policies(session, group.account_id, group.region),
                *repo.resource_policies(session, group.account_id, group.region, group.arn)]
    decisions = [decide_for_service(
        session, service, action, resource, group.account_id,
        NamedPolicy(row.name or row.resource_arn, parse_policy_cached(row.document, "resource"),
                    "resource-based policy"), {"aws:SourceArn": source_arn}) for row in policies]
    return any(decision.allowed for decision in decisions) and \
        not any(decision.kind == "explicit_deny" for decision in decisions)


def deliver_from_service(session: Session, group_arn: str, stream_name: str, timestamp: int, message: str,
                         now: _dt.datetime, service: str, source_arn: str) -> bool:
    """Put one event into ``stream_name`` of the group ``group_arn`` names, as ``service`` acting for
    ``source_arn``: logs:CreateLogStream (for a new stream) and logs:PutLogEvents on the stream must be allowed by
    the account's resource policies. False when the group is missing or the policies do not allow it."""
    group = find_group_by_arn(session, group_arn)
    if group is None:
        return False
    resource = stream_arn(group.region, group.account_id, group.name, stream_name)
    actions = ["logs:PutLogEvents"]
    if repo.find_stream(session, group.arn, stream_name) is None:
        actions.insert(0, "logs:CreateLogStream")
    if not all(_service_allowed(session, group, service, action, resource, source_arn) for action in actions):
        return False
    deliver(session, group, stream_name, [(timestamp, message)], now)
    return True
