"""Messages: validation of what is sent, receipt handles, and the shape ReceiveMessage returns."""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import json
import re
import secrets
import uuid
from typing import Any

from rootplane.services.sqs.digest import md5_of_attributes, md5_of_body
from rootplane.services.sqs.errors import invalid_parameter, missing_parameter, sqs_error
from rootplane.services.sqs.tables import MessageRow

__all__ = [
    "MAX_ATTRIBUTES", "stored_attributes", "new_message", "receipt_handle", "parse_receipt_handle",
    "received_message", "epoch_millis",
]

MAX_ATTRIBUTES = 10
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")
_INVALID_CHARS = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TYPES = ("String", "Number", "Binary")
# A Number attribute: a positive or negative integer or floating-point number (no NaN, Infinity, blanks or "_")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_SYSTEM_ATTRIBUTES = ("SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
                      "AWSTraceHeader", "MessageGroupId", "MessageDeduplicationId", "SequenceNumber",
                      "DeadLetterQueueSourceArn")


def epoch_millis(moment: _dt.datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def _check_attribute(name: str, attribute: dict[str, Any]) -> dict[str, str]:
    lowered = name.lower()
    if (not _ATTRIBUTE_NAME.match(name) or ".." in name or name.startswith(".") or name.endswith(".")
            or lowered.startswith(("aws.", "amazon."))):
        raise invalid_parameter(f"Message (user) attribute name '{name}' is invalid.")
    data_type = attribute.get("DataType") or ""
    if data_type.split(".", 1)[0] not in _TYPES:
        raise invalid_parameter(f"The type of message (user) attribute '{name}' is invalid. You must use only the "
                                "following supported type prefixes: Binary, Number, String.")
    if data_type.startswith("Binary"):
        value = attribute.get("BinaryValue")
        if not value:
            raise invalid_parameter(f"The message attribute '{name}' must contain non-empty message attribute value "
                                    f"for message attribute type '{data_type}'.")
        return {"DataType": data_type, "BinaryValue": base64.b64encode(value).decode()}
    value = attribute.get("StringValue")
    if not value:
        raise invalid_parameter(f"The message attribute '{name}' must contain non-empty message attribute value for "
                                f"message attribute type '{data_type}'.")
    if data_type.startswith("Number") and not _NUMBER.match(value):
        raise invalid_parameter(f"Can't cast the value of message (user) attribute '{name}' to a number.")
    return {"DataType": data_type, "StringValue": value}


def stored_attributes(attributes: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, str]]:
    """Validated message attributes in their stored form (binary values base64)."""
    attributes = attributes or {}
    if len(attributes) > MAX_ATTRIBUTES:
        raise invalid_parameter(f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum "
                                f"[{MAX_ATTRIBUTES}].")
    return {name: _check_attribute(name, value) for name, value in attributes.items()}


def _attributes_size(attributes: dict[str, dict[str, str]]) -> int:
    size = 0
    for name, attribute in attributes.items():
        value = attribute.get("StringValue")
        raw = value.encode() if value is not None else base64.b64decode(attribute["BinaryValue"])
        size += len(name.encode()) + len(attribute["DataType"].encode()) + len(raw)
    return size


def new_message(body: str | None, attributes: dict[str, dict[str, str]], *, max_size: int, sender_id: str,
                now: _dt.datetime, delay: int, trace_header: str | None = None) -> MessageRow:
    """A validated message row (queue, FIFO fields and ids are filled in by the caller)."""
    if not body:
        raise missing_parameter("MessageBody")
    if _INVALID_CHARS.search(body):
        raise sqs_error("InvalidMessageContents", "Invalid characters found. Valid unicode characters are #x9 | #xA | "
                        "#xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
    if len(body.encode("utf-8")) + _attributes_size(attributes) > max_size:
        raise invalid_parameter(f"One or more parameters are invalid. Reason: Message must be shorter than {max_size} bytes.")
    return MessageRow(
        message_id=str(uuid.uuid4()), body=body, attributes_json=json.dumps(attributes), md5_of_body=md5_of_body(body),
        sender_id=sender_id, trace_header=trace_header, sent_at=now, visible_at=now + _dt.timedelta(seconds=delay),
        receive_count=0,
    )


def receipt_handle(row: MessageRow) -> str:
    """Give the message a fresh receipt token and return the opaque handle naming it."""
    row.receipt_token = secrets.token_urlsafe(24)
    return base64.b64encode(f"{row.message_id}:{row.receipt_token}".encode()).decode()


def parse_receipt_handle(handle: str) -> tuple[str, str]:
    """(message id, token); ReceiptHandleIsInvalid when the handle is not one of ours."""
    try:
        message_id, _, token = base64.b64decode(handle, validate=True).decode().partition(":")
    except (binascii.Error, ValueError):
        message_id, token = "", ""
    if not message_id or not token:
        raise sqs_error("ReceiptHandleIsInvalid", f'The input receipt handle "{handle}" is not a valid receipt handle.')
    return message_id, token


def _wanted(name: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        if pattern in ("All", ".*") or pattern == name or (pattern.endswith(".*") and name.startswith(pattern[:-1])):
            return True
    return False


def _system_attributes(row: MessageRow) -> dict[str, str]:
    values = {
        "SenderId": row.sender_id, "SentTimestamp": epoch_millis(row.sent_at),
        "ApproximateReceiveCount": str(row.receive_count),
        "ApproximateFirstReceiveTimestamp": epoch_millis(row.first_received_at) if row.first_received_at else None,
        "AWSTraceHeader": row.trace_header, "MessageGroupId": row.group_id,
        "MessageDeduplicationId": row.deduplication_id, "SequenceNumber": row.sequence_number,
        "DeadLetterQueueSourceArn": row.dead_letter_source_arn,
    }
    return {name: values[name] for name in _SYSTEM_ATTRIBUTES if values[name] is not None}


def _wire_attribute(attribute: dict[str, str]) -> dict[str, Any]:
    if "BinaryValue" in attribute:
        return {"DataType": attribute["DataType"], "BinaryValue": base64.b64decode(attribute["BinaryValue"])}
    return dict(attribute)


def received_message(row: MessageRow, handle: str, system_names: list[str], attribute_names: list[str]) -> dict[str, Any]:
    """The ReceiveMessage ``Message`` shape with the requested system and message attributes."""
    message: dict[str, Any] = {"MessageId": row.message_id, "ReceiptHandle": handle, "MD5OfBody": row.md5_of_body,
                               "Body": row.body}
    if system_names:
        system = _system_attributes(row)
        chosen = {name: value for name, value in system.items() if "All" in system_names or name in system_names}
        if chosen:
            message["Attributes"] = chosen
    stored = json.loads(row.attributes_json)
    chosen_attributes = {name: value for name, value in stored.items() if _wanted(name, attribute_names)}
    if chosen_attributes:
        message["MessageAttributes"] = {name: _wire_attribute(value) for name, value in chosen_attributes.items()}
        message["MD5OfMessageAttributes"] = md5_of_attributes(chosen_attributes)
    return message
