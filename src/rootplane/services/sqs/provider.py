"""SQS operations: queues, attributes, tags, permissions, messages (visibility, long polling, batches)."""

from __future__ import annotations

import datetime as _dt
import json
import re
from typing import Any, TypeVar

from rootplane.core import page_token
from rootplane.services.context import RequestContext
from rootplane.services.iam.principal_ids import bind_principals, render_principals
from rootplane.services.provider import Provider
from rootplane.services.sqs import encryption, move_tasks, repo
from rootplane.services.sqs.attributes import FIFO_DEFAULTS, int_attribute, selected_names, validate_attributes
from rootplane.services.sqs.batch import check_batch_length, run_batch
from rootplane.services.sqs.errors import invalid_parameter, missing_parameter, sqs_error
from rootplane.services.sqs.digest import md5_of_attributes
from rootplane.services.sqs.messages import (
    new_message, parse_receipt_handle, receipt_handle, received_message, stored_attributes,
)
from rootplane.services.sqs.permissions import add_statement, remove_statement
from rootplane.services.sqs.queue_views import QueueView
from rootplane.services.sqs.queues import enqueue, queue_from_url, queue_view, settable_attributes
from rootplane.services.sqs.redrive import check_redrive_target, dead_letter
from rootplane.services.sqs.tags import merged_tags, remaining_tags
from rootplane.services.sqs.tables import DeletedQueueRow, MessageRow, MoveTaskRow, QueueRow
from rootplane.services.sqs.urls import parse_queue_url, queue_arn, queue_url

__all__ = ["SqsProvider", "PROVIDER"]

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_FIFO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,75}\.fifo$")
MAX_LIST = 1000
PURGE_INTERVAL = _dt.timedelta(seconds=60)
RECREATE_DELAY = _dt.timedelta(seconds=60)
MAX_VISIBILITY = 43200  # 12 hours
MAX_MOVE_RATE = 500  # MaxNumberOfMessagesPerSecond
MAX_MOVE_TASKS = 10  # ListMessageMoveTasks' MaxResults
Queue = TypeVar("Queue", QueueRow, QueueView)


def _token(name: str) -> str:
    """The NextToken of a queue listing's page that ends at queue ``name`` (core/page_token.py)."""
    return page_token.issue("sqs", name)


def _after(params: dict[str, Any]) -> str | None:
    """The queue name a listing resumes after, from a NextToken it issued (core/page_token.py); any other token is
    InvalidParameterValue."""
    return page_token.after("sqs", params.get("NextToken"), lambda: invalid_parameter("Invalid NextToken value."))


def _url(ctx: RequestContext, row: QueueRow | QueueView) -> str:
    host = ctx.host or ctx.config.endpoint.split("://", 1)[1]
    return queue_url(host, row.account_id, row.name, "https" if ctx.secure_transport else "http")


def _queue(ctx: RequestContext, params: dict[str, Any]) -> QueueRow:
    """The queue ``QueueUrl`` names, its row: for calls that change it."""
    return _noted(ctx, queue_from_url(ctx.session, params["QueueUrl"], ctx.region))


def _read_queue(ctx: RequestContext, params: dict[str, Any]) -> QueueView:
    """The queue ``QueueUrl`` names, its cached view: for calls that only read it (no SQL when cached)."""
    account_id, name = parse_queue_url(params["QueueUrl"])
    return _noted(ctx, queue_view(ctx.session, account_id, ctx.region, name))


def _sending_queue(ctx: RequestContext, params: dict[str, Any]) -> QueueRow | QueueView:
    """Where SendMessage(Batch) enqueues: a standard queue's view, a FIFO queue's row (its sequence number moves)."""
    view = _read_queue(ctx, params)
    return _queue(ctx, params) if view.fifo else view


def _noted(ctx: RequestContext, row: Queue) -> Queue:
    """``row``, named as the call's resource in its audit record."""
    arn = queue_arn(row.region, row.account_id, row.name)
    ctx.audit.setdefault("resources", [{"type": "AWS::SQS::Queue", "name": row.name, "arn": arn}])
    return row


def _owned_queue(ctx: RequestContext, params: dict[str, Any]) -> QueueRow:
    """For actions SQS keeps to the owning account ("cross-account permissions don't apply to this action"; the
    action in lower case, as in SQS's other denials)."""
    row = _queue(ctx, params)
    if ctx.principal.account_id != row.account_id:
        arn = queue_arn(row.region, row.account_id, row.name)
        raise sqs_error("AccessDenied", f"User: {ctx.principal.arn} is not authorized to perform: sqs:{ctx.operation.lower()} "
                        f"on resource: {arn} because cross-account permissions don't apply to this action", 403)
    return row


def _check_name(name: str, fifo: bool) -> None:
    if fifo and not _FIFO_NAME.match(name):
        raise invalid_parameter("The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
                                "underscores, must end with .fifo suffix and be 1 to 80 in length.")
    if not fifo and not _NAME.match(name):
        raise invalid_parameter("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")


def _shown_attributes(ctx: RequestContext, row: QueueRow | QueueView) -> dict[str, str]:
    """The settable attributes as GetQueueAttributes shows them (the Policy's principals as ARNs)."""
    attributes = settable_attributes(row)
    if "Policy" in attributes:
        attributes["Policy"] = render_principals(ctx.session, attributes["Policy"])
    return attributes


def _store_attributes(ctx: RequestContext, row: QueueRow, attributes: dict[str, str], now: _dt.datetime) -> None:
    """Apply settable attributes; an empty Policy removes the queue policy. A queue has one kind of server-side
    encryption: a KMS key (KmsMasterKeyId) turns SQS-managed encryption off unless the same call sets it."""
    stored = json.loads(row.attributes_json)
    if attributes.get("KmsMasterKeyId") and "SqsManagedSseEnabled" not in attributes:
        stored["SqsManagedSseEnabled"] = "false"
    for name, value in attributes.items():
        if name == "Policy":
            row.policy = bind_principals(ctx.session, value) if value else None
        elif value == "" and name in ("RedrivePolicy", "RedriveAllowPolicy"):
            stored.pop(name, None)
        else:
            stored[name] = value
    row.attributes_json = json.dumps(stored)
    row.dead_letter_target_arn = _dead_letter_target(stored.get("RedrivePolicy"))
    row.modified_at = now


def _dead_letter_target(redrive_policy: str | None) -> str | None:
    try:
        target = json.loads(redrive_policy or "{}").get("deadLetterTargetArn")
    except (ValueError, AttributeError):
        return None
    return target if isinstance(target, str) else None


def _delay(params: dict[str, Any]) -> int:
    delay = params.get("DelaySeconds")
    if delay is not None and not 0 <= delay <= 900:
        raise invalid_parameter(f"Value {delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be "
                                ">= 0 and <= 900.")
    return delay or 0


def _check_range(name: str, value: int | None, top: int) -> None:
    """A move task's count parameter, from 1 to ``top`` when given (AWS's wording)."""
    if value is not None and not 1 <= value <= top:
        raise invalid_parameter(f"Value for parameter {name} is invalid. Reason: You must enter a number that's "
                                f"between 1 and {top}.")


def _move_task_entry(task: MoveTaskRow) -> dict[str, Any]:
    """A ListMessageMoveTasksResultEntry: the TaskHandle only while RUNNING, FailureReason only when FAILED."""
    entry: dict[str, Any] = {"Status": task.status, "SourceArn": task.source_arn,
                             "ApproximateNumberOfMessagesMoved": task.moved,
                             "ApproximateNumberOfMessagesToMove": task.to_move,
                             "StartedTimestamp": int(task.started_at.timestamp() * 1000)}
    if task.status == move_tasks.RUNNING:
        entry["TaskHandle"] = move_tasks.task_handle(task)
    if task.destination_arn:
        entry["DestinationArn"] = task.destination_arn
    if task.rate is not None:
        entry["MaxNumberOfMessagesPerSecond"] = task.rate
    if task.failure_reason:
        entry["FailureReason"] = task.failure_reason
    return entry


def _advance_move_tasks(ctx: RequestContext) -> None:
    """Let the region's running move tasks of the caller's account catch up (move_tasks.py)."""
    now = ctx.now()
    for task in move_tasks.running_tasks(ctx.session, ctx.account_id, ctx.region):
        move_tasks.advance(ctx.session, task, now)


def _check_visibility(timeout: int) -> None:
    """A visibility timeout a call asks for: 0 to 43200 seconds (12 hours), else InvalidParameterValue."""
    if not 0 <= timeout <= MAX_VISIBILITY:
        raise invalid_parameter(f"Value {timeout} for parameter VisibilityTimeout is invalid. Reason: Must be "
                                f">= 0 and <= {MAX_VISIBILITY}, if provided.")


class SqsProvider(Provider):
    service_name = "sqs"
    waiting_operations = frozenset({"ReceiveMessage"})  # long polling (WaitTimeSeconds)
    write_operations = frozenset({"ListMessageMoveTasks"})  # running move tasks catch up

    # ------------------------------------------------------------------------------------------------ queues
    def create_queue(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["QueueName"]
        attributes = dict(params.get("Attributes") or {})
        fifo = attributes.get("FifoQueue", "false").lower() == "true"
        if name.endswith(".fifo") and not fifo:
            raise invalid_parameter("The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
                                    "underscores, must end with .fifo suffix and be 1 to 80 in length.")
        _check_name(name, fifo)
        validate_attributes(attributes, fifo=fifo, creating=True)
        tags = merged_tags(name, {}, params.get("tags") or {})
        if not fifo:
            attributes.pop("FifoQueue", None)
        existing = repo.find_queue(ctx.session, ctx.account_id, ctx.region, name)
        deleted = repo.find_deleted_queue(ctx.session, ctx.account_id, ctx.region, name)
        if existing is None and deleted is not None and ctx.now() - deleted.deleted_at < RECREATE_DELAY:
            raise sqs_error("QueueDeletedRecently", "You must wait 60 seconds after deleting a queue before you can "
                            "create another with the same name.")
        if existing is not None:
            current = _shown_attributes(ctx, existing)
            for key, value in attributes.items():
                if current.get(key, FIFO_DEFAULTS.get(key)) != value:
                    raise sqs_error("QueueNameExists", f"A queue already exists with the same name and a different "
                                    f"value for attribute {key}")
            return {"QueueUrl": _url(ctx, existing)}
        now = ctx.now()
        row = QueueRow(account_id=ctx.account_id, region=ctx.region, name=name, fifo=fifo,
                       attributes_json=json.dumps(FIFO_DEFAULTS if fifo else {}), policy=None,
                       tags_json=json.dumps(tags), created_at=now, modified_at=now, sequence=0)
        check_redrive_target(ctx.session, row, attributes)
        _store_attributes(ctx, row, attributes, now)
        repo.put_queue(ctx.session, row)
        return {"QueueUrl": _url(ctx, row)}

    def delete_queue(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _queue(ctx, params)
        repo.put_deleted_queue(ctx.session, DeletedQueueRow(account_id=row.account_id, region=row.region,
                                                            name=row.name, deleted_at=ctx.now()))
        repo.delete_queue(ctx.session, row)

    def get_queue_url(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        owner = params.get("QueueOwnerAWSAccountId") or ctx.account_id
        return {"QueueUrl": _url(ctx, queue_view(ctx.session, owner, ctx.region, params["QueueName"]))}

    def list_queues(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        limit = params.get("MaxResults")
        if limit is not None and not 1 <= limit <= MAX_LIST:
            raise invalid_parameter(f"Value {limit} for parameter MaxResults is invalid. Reason: MaxResults must be an "
                                    f"integer between 1 and {MAX_LIST}.")
        rows = repo.list_queues(ctx.session, ctx.account_id, ctx.region, params.get("QueueNamePrefix"),
                                _after(params), (limit or MAX_LIST) + 1)
        page = rows[:limit or MAX_LIST]
        output: dict[str, Any] = {}
        if page:
            output["QueueUrls"] = [_url(ctx, row) for row in page]
        if limit is not None and len(rows) > limit:
            output["NextToken"] = _token(page[-1].name)
        return output

    def list_dead_letter_source_queues(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _read_queue(ctx, params)
        limit = params.get("MaxResults")
        if limit is not None and not 1 <= limit <= MAX_LIST:
            raise invalid_parameter(f"Value {limit} for parameter MaxResults is invalid. Reason: MaxResults must be an "
                                    f"integer between 1 and {MAX_LIST}.")
        rows = repo.list_dead_letter_sources(ctx.session, queue_arn(row.region, row.account_id, row.name),
                                             _after(params), (limit or MAX_LIST) + 1)
        page = rows[:limit or MAX_LIST]
        output: dict[str, Any] = {"queueUrls": [_url(ctx, source) for source in page]}
        if limit is not None and len(rows) > limit:
            output["NextToken"] = _token(page[-1].name)
        return output

    def get_queue_attributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _read_queue(ctx, params)
        values = _shown_attributes(ctx, row)
        now = ctx.now()
        visible, in_flight, delayed = repo.count_messages(ctx.session, row.queue_id, now)
        values.update({
            "ApproximateNumberOfMessages": str(visible), "ApproximateNumberOfMessagesNotVisible": str(in_flight),
            "ApproximateNumberOfMessagesDelayed": str(delayed),
            "CreatedTimestamp": str(int(row.created_at.timestamp())),
            "LastModifiedTimestamp": str(int(row.modified_at.timestamp())),
            "QueueArn": queue_arn(row.region, row.account_id, row.name),
        })
        names = selected_names(params.get("AttributeNames"), list(values))
        chosen = {name: values[name] for name in names if name in values}
        return {"Attributes": chosen} if chosen else {}

    def set_queue_attributes(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _owned_queue(ctx, params)
        attributes = params.get("Attributes") or {}
        validate_attributes(attributes, fifo=row.fifo, creating=False)
        check_redrive_target(ctx.session, row, attributes)
        _store_attributes(ctx, row, attributes, ctx.now())

    def purge_queue(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _queue(ctx, params)
        now = ctx.now()
        if row.purged_at is not None and now - row.purged_at < PURGE_INTERVAL:
            raise sqs_error("PurgeQueueInProgress", f"Only one PurgeQueue operation on {row.name} is allowed every 60 "
                            "seconds.", 403)
        repo.delete_messages(ctx.session, row.queue_id)
        row.purged_at = now

    # ------------------------------------------------------------------------------------------------ tags, permissions
    def tag_queue(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _queue(ctx, params)
        if not params["Tags"]:
            raise missing_parameter("Tags")
        row.tags_json = json.dumps(merged_tags(row.name, json.loads(row.tags_json), params["Tags"]))

    def untag_queue(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _queue(ctx, params)
        row.tags_json = json.dumps(remaining_tags(json.loads(row.tags_json), params["TagKeys"]))

    def list_queue_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        tags = json.loads(_read_queue(ctx, params).tags_json)
        return {"Tags": tags} if tags else {}

    def add_permission(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _owned_queue(ctx, params)
        row.policy = add_statement(row.policy, queue_arn(row.region, row.account_id, row.name), params)
        row.modified_at = ctx.now()

    def remove_permission(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        row = _owned_queue(ctx, params)
        row.policy = remove_statement(row.policy, params["Label"])
        row.modified_at = ctx.now()

    # ------------------------------------------------------------------------------------------------ move tasks
    def start_message_move_task(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        rate = params.get("MaxNumberOfMessagesPerSecond")
        _check_range("MaxNumberOfMessagesPerSecond", rate, MAX_MOVE_RATE)
        source = move_tasks.queue_at(ctx.session, params["SourceArn"], "SourceArn")
        source_arn = queue_arn(source.region, source.account_id, source.name)
        if not repo.list_dead_letter_sources(ctx.session, source_arn, None, 1):
            raise invalid_parameter("Source queue must be configured as a Dead Letter Queue.")
        destination_arn = params.get("DestinationArn") or None
        if destination_arn:
            destination = move_tasks.queue_at(ctx.session, destination_arn, "DestinationArn")
            destination_arn = queue_arn(destination.region, destination.account_id, destination.name)
            if destination_arn == source_arn:
                raise invalid_parameter("Source queue arn and destination queue arn cannot be the same.")
            if destination.fifo != source.fifo:
                raise invalid_parameter("The destination queue must be the same type of queue as the source queue.")
        _advance_move_tasks(ctx)
        if repo.list_move_tasks(ctx.session, source_arn, 1, running=True):
            raise invalid_parameter("There is already a task running. Only one active task is allowed for a source "
                                    "queue arn at a given time.")
        now = ctx.now()
        visible = repo.count_messages(ctx.session, source.queue_id, now)[0]
        task = move_tasks.start(ctx.session, source_arn, destination_arn, rate, visible, now)
        return {"TaskHandle": move_tasks.task_handle(task)}

    def list_message_move_tasks(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        limit = params.get("MaxResults")
        _check_range("MaxResults", limit, MAX_MOVE_TASKS)
        source = move_tasks.queue_at(ctx.session, params["SourceArn"], "SourceArn")
        _advance_move_tasks(ctx)
        tasks = repo.list_move_tasks(ctx.session, queue_arn(source.region, source.account_id, source.name),
                                     limit or 1)
        return {"Results": [_move_task_entry(task) for task in tasks]}

    def cancel_message_move_task(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        task_id, source_arn = move_tasks.task_id_of(params["TaskHandle"])
        _advance_move_tasks(ctx)
        task = repo.find_move_task(ctx.session, task_id)
        if task is None or task.source_arn != source_arn or task.status != move_tasks.RUNNING:
            raise move_tasks.task_not_found()
        task.status = "CANCELLED"
        return {"ApproximateNumberOfMessagesMoved": task.moved}

    # ------------------------------------------------------------------------------------------------ messages
    def _send(self, ctx: RequestContext, row: QueueRow | QueueView, queue_attributes: dict[str, str],
              params: dict[str, Any]) -> dict[str, Any]:
        now = ctx.now()
        attributes = stored_attributes(params.get("MessageAttributes"))
        system = params.get("MessageSystemAttributes") or {}
        trace = (system.get("AWSTraceHeader") or {}).get("StringValue")
        message = new_message(params.get("MessageBody"), attributes,
                              max_size=int_attribute(queue_attributes, "MaximumMessageSize"),
                              sender_id=ctx.principal.user_id, now=now, delay=_delay(params), trace_header=trace)
        message = enqueue(ctx.session, row, message, params, now)
        output: dict[str, Any] = {"MessageId": message.message_id, "MD5OfMessageBody": message.md5_of_body}
        digest = md5_of_attributes(attributes)
        if digest:
            output["MD5OfMessageAttributes"] = digest
        if trace:
            output["MD5OfMessageSystemAttributes"] = md5_of_attributes(
                {"AWSTraceHeader": {"DataType": "String", "StringValue": trace}})
        if message.sequence_number:
            output["SequenceNumber"] = message.sequence_number
        return output

    def send_message(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _sending_queue(ctx, params)
        attributes = json.loads(row.attributes_json)
        encryption.check_send(ctx, row, attributes)
        return self._send(ctx, row, attributes, params)

    def send_message_batch(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _sending_queue(ctx, params)
        attributes = json.loads(row.attributes_json)
        encryption.check_send(ctx, row, attributes)
        return run_batch(params.get("Entries") or [], "SendMessageBatchRequestEntry",
                         lambda entry: self._send_entry(ctx, row, attributes, entry), check_batch_length)

    def _send_entry(self, ctx: RequestContext, row: QueueRow | QueueView, queue_attributes: dict[str, str],
                    entry: dict[str, Any]) -> dict[str, Any]:
        """One SendMessageBatch entry; an empty body fails the entry as EmptyValue (SendMessage: MissingParameter)."""
        if not entry.get("MessageBody"):
            raise sqs_error("EmptyValue", "The request must contain the parameter MessageBody.")
        return self._send(ctx, row, queue_attributes, entry)

    def receive_message(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _queue(ctx, params)
        attributes = settable_attributes(row)
        count = params.get("MaxNumberOfMessages", 1)
        if not 1 <= count <= 10:
            raise invalid_parameter(f"Value {count} for parameter MaxNumberOfMessages is invalid. Reason: Must be "
                                    "between 1 and 10, if provided.")
        wait = params.get("WaitTimeSeconds")
        wait = int_attribute(attributes, "ReceiveMessageWaitTimeSeconds") if wait is None else wait
        if not 0 <= wait <= 20:
            raise invalid_parameter(f"Value {wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and "
                                    "<= 20, if provided.")
        visibility = params.get("VisibilityTimeout")
        if visibility is None:
            visibility = int_attribute(attributes, "VisibilityTimeout")
        _check_visibility(visibility)
        _advance_move_tasks(ctx)
        now = ctx.now()
        retained_since = now - _dt.timedelta(seconds=int_attribute(attributes, "MessageRetentionPeriod"))
        if row.fifo:
            repo.lock_queue(ctx.session, row.queue_id)
        repo.expire(ctx.session, row.queue_id, retained_since)
        skip = repo.groups_in_flight(ctx.session, row.queue_id, now) if row.fifo else None
        taken: list[MessageRow] = []
        for message in repo.visible_messages(ctx.session, row.queue_id, now, retained_since, count, skip):
            if not dead_letter(ctx.session, row, attributes, message, now):
                taken.append(message)
        if not taken and wait:
            ctx.poll_again(wait)
        if taken:
            encryption.check_receive(ctx, row, attributes)
        system_names = list(params.get("MessageSystemAttributeNames") or []) + list(params.get("AttributeNames") or [])
        attribute_names = params.get("MessageAttributeNames") or []
        messages = []
        for message in taken:
            message.receive_count += 1
            message.first_received_at = message.first_received_at or now
            message.visible_at = now + _dt.timedelta(seconds=visibility)
            messages.append(received_message(message, receipt_handle(message), system_names, attribute_names))
        return {"Messages": messages} if messages else {}

    def _received(self, ctx: RequestContext, row: QueueView, handle: str) -> MessageRow | None:
        """The message a receipt handle names (None when already deleted); stale handles are rejected."""
        message_id, token = parse_receipt_handle(handle)
        message = repo.find_message(ctx.session, row.queue_id, message_id)
        if message is not None and message.receipt_token != token:
            raise invalid_parameter(f"Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt "
                                    "handle has expired.")
        return message

    def _delete(self, ctx: RequestContext, row: QueueView, handle: str) -> dict[str, Any]:
        """AWS: with a handle from an earlier receive "the request will succeed, but the message might not be
        deleted": here it stays with the consumer that received it last."""
        message_id, token = parse_receipt_handle(handle)
        message = repo.find_message(ctx.session, row.queue_id, message_id)
        if message is not None and message.receipt_token == token:
            repo.delete_message(ctx.session, message)
        return {}

    def delete_message(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        self._delete(ctx, _read_queue(ctx, params), params["ReceiptHandle"])

    def delete_message_batch(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _read_queue(ctx, params)
        return run_batch(params.get("Entries") or [], "DeleteMessageBatchRequestEntry",
                         lambda entry: self._delete(ctx, row, entry["ReceiptHandle"]))

    def _change_visibility(self, ctx: RequestContext, row: QueueView, handle: str, timeout: int) -> dict[str, Any]:
        _check_visibility(timeout)
        message = self._received(ctx, row, handle)
        now = ctx.now()
        if message is None or message.visible_at <= now:
            raise sqs_error("MessageNotInflight", "Message does not exist or is not available for visibility "
                            "timeout change.")
        message.visible_at = now + _dt.timedelta(seconds=timeout)
        return {}

    def change_message_visibility(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        self._change_visibility(ctx, _read_queue(ctx, params), params["ReceiptHandle"], params["VisibilityTimeout"])

    def change_message_visibility_batch(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        row = _read_queue(ctx, params)
        return run_batch(params.get("Entries") or [], "ChangeMessageVisibilityBatchRequestEntry",
                         lambda entry: self._change_visibility(ctx, row, entry["ReceiptHandle"],
                                                               entry.get("VisibilityTimeout", 0)))


PROVIDER = SqsProvider()
