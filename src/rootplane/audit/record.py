"""Build CloudTrail records from an ApiCall. Pure: no I/O, ids come from an injected factory.

Facts handlers may add through ``ctx.audit`` (all optional):

- ``resources``: ``[{"type": "AWS::S3::Bucket", "name": "b", "arn": "arn:aws:s3:::b"}]`` (else derived from
  well-known request members, see :mod:`rootplane.audit.resources`);
- ``recipient_accounts``: accounts the call is recorded in instead of the caller's (the owner of the resource);
- ``also_record_in``: further accounts that receive a copy. **Shared event id convention**: every copy of one call
  (the caller's record and each copy, e.g. AssumeRoot in the management account and in the target member account)
  has its own ``eventID`` and the same ``sharedEventID``, as CloudTrail does for cross-account events. Copies in
  accounts other than the caller's show ``userIdentity.type`` ``AWSAccount`` (the calling account);
- ``request_parameters`` / ``response_elements``: replace what the record shows (still redacted);
- ``verbatim_elements``: ``responseElements``/``additionalEventData`` are kept as given (sign-in records spell
  ``ConsoleLogin``, ``MFAUsed``; they carry no secrets);
- ``error_message``: an ``errorMessage`` without an ``errorCode`` (failed sign-ins: ``Failed authentication``);
- ``deciding_statement``: what authorization decided (authz/authorizer.py); stored beside the record, never in it;
- ``additional_event_data``, ``event_type`` (``AwsConsoleSignIn`` for sign-ins), ``read_only``, ``event_source``,
  ``user_name`` (the name shown for failed sign-ins: ``HIDDEN_DUE_TO_SECURITY_REASONS``).

Secrets are removed in one place: :mod:`rootplane.audit.redaction`.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
from collections.abc import Callable
from typing import Any, NamedTuple

from botocore.model import OperationModel, OperationNotFoundError

from rootplane.audit.call import ApiCall
from rootplane.audit.redaction import scrub
from rootplane.audit.resources import Resource, resources_of
from rootplane.audit.s3_parameters import s3_request_parameters
from rootplane.auth.principal import (
    ASSUMED_ROLE, AWS_SERVICE, FEDERATED_USER, IAM_USER, ROOT, ROOT_SESSION, Principal,
)
from rootplane.core.ids import event_id
from rootplane.core.services import event_source, home_region
from rootplane.services.provider import is_read_only
from rootplane.wire.models import SERVICES, service_model

__all__ = [
    "Recorded", "records_for", "for_records", "is_management_event", "user_identity", "username_of", "EVENT_VERSION",
]

EVENT_VERSION = "1.10"
# Data events: CloudTrail does not record them unless a trail selects them; never in Event history.
_DATA_EVENTS = {
    "s3": frozenset({
        "GetObject", "PutObject", "DeleteObject", "DeleteObjects", "HeadObject", "CopyObject", "ListObjects",
        "ListObjectsV2", "ListObjectVersions", "ListParts", "CreateMultipartUpload", "UploadPart", "UploadPartCopy",
        "CompleteMultipartUpload", "AbortMultipartUpload", "GetObjectAcl", "PutObjectAcl", "GetObjectTagging",
        "PutObjectTagging", "DeleteObjectTagging", "GetObjectAttributes", "RestoreObject", "SelectObjectContent",
        "GetObjectRetention", "PutObjectRetention", "GetObjectLegalHold", "PutObjectLegalHold", "GetObjectTorrent",
    }),
    "sqs": frozenset({
        "SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch",
        "ChangeMessageVisibility", "ChangeMessageVisibilityBatch",
    }),
    "sns": frozenset({"Publish", "PublishBatch"}),
    "logs": frozenset({"PutLogEvents", "GetLogEvents", "FilterLogEvents"}),
}


class Recorded(NamedTuple):
    """One record for one account, with the facts LookupEvents filters on (a named tuple: a third of a frozen
    dataclass's CPU to build, once per record in the audit writer)."""

    account_id: str
    region: str
    event_time: _dt.datetime
    record: dict[str, Any]
    username: str
    resources: tuple[Resource, ...]
    deciding_statement: dict[str, Any] | None = None  # internal (authz/authorizer.py), never in ``record``


def is_management_event(service: str, operation: str) -> bool:
    return operation not in _DATA_EVENTS.get(service, ())


def _time(call: ApiCall) -> str:
    """``eventTime``: the call's UTC time to the second, its text made once per second (the writer's records
    arrive in time order: a timestamp and a cache hit cost a fifth of isoformat's CPU)."""
    return _second_text(math.floor(call.event_time.timestamp()))


@functools.lru_cache(maxsize=64)
def _second_text(second: int) -> str:
    return _dt.datetime.fromtimestamp(second, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _session_attributes(principal: Principal) -> dict[str, str]:
    issued = principal.session_issued_at
    return {
        "creationDate": issued.strftime("%Y-%m-%dT%H:%M:%SZ") if issued else "",
        "mfaAuthenticated": "true" if principal.mfa_authenticated else "false",
    }


def _federation_issuer(principal: Principal) -> dict[str, str]:
    """Who called GetFederationToken: an IAM user, or the root user."""
    arn = principal.issuer_arn or ""
    if principal.issuer_id is None:
        return {"type": "Root", "principalId": principal.account_id, "arn": arn, "accountId": principal.account_id}
    return {"type": "IAMUser", "principalId": principal.issuer_id, "arn": arn, "accountId": principal.account_id,
            "userName": arn.rpartition("/")[2]}


def user_identity(principal: Principal, access_key_id: str | None, operation: str) -> dict[str, Any]:
    """``userIdentity`` in AWS's shape for the principal type."""
    if principal.kind == AWS_SERVICE:
        return {"type": "AWSService", "invokedBy": principal.service or ""}
    identity: dict[str, Any] = {
        "type": "Root" if principal.kind in (ROOT, ROOT_SESSION) else principal.kind,
        "principalId": principal.user_id,
        "arn": principal.arn,
        "accountId": principal.account_id,
        "accessKeyId": access_key_id or "",
    }
    if principal.kind == IAM_USER:
        identity["userName"] = principal.name
    context: dict[str, Any] = {}
    if principal.kind == ASSUMED_ROLE:
        context["sessionIssuer"] = {
            "type": "Role", "principalId": principal.role_id or "", "arn": principal.role_arn or "",
            "accountId": principal.account_id, "userName": principal.name or "",
        }
        context["webIdFederationData"] = {}
    if principal.kind == FEDERATED_USER:
        context["sessionIssuer"] = _federation_issuer(principal)
    if principal.is_temporary or principal.from_console:
        context["attributes"] = _session_attributes(principal)
    if principal.source_identity:
        context["sourceIdentity"] = principal.source_identity
    if principal.kind == ROOT_SESSION or (operation == "AssumeRoot" and context):
        context["assumedRoot"] = "true"
    if context:
        identity["sessionContext"] = context
    return identity


def username_of(principal: Principal) -> str:
    """What LookupEvents reports as ``Username``."""
    if principal.is_root:
        return "root"
    if principal.kind == ASSUMED_ROLE:
        return principal.session_name or principal.name or ""
    if principal.kind == AWS_SERVICE:
        return principal.service or ""
    return principal.name or ""


def _region(call: ApiCall) -> str:
    return home_region(call.service, call.region)


class _Operation(NamedTuple):
    """What a record takes from its service and operation alone (the same for every call of the operation)."""

    model: OperationModel | None  # None for calls outside the served models (e.g. sign-ins)
    event_source: str
    read_only: bool


@functools.lru_cache(maxsize=4096)
def _operation(service: str, operation: str) -> _Operation:
    return _Operation(_operation_model(service, operation), event_source(service), is_read_only(operation))


def _shows_result(call: ApiCall, read_only: bool) -> bool:
    """Whether the record's ``responseElements`` come from the call's result (unless ``ctx.audit`` replaces them):
    only for a successful call that writes."""
    return call.error_code is None and not read_only


def _read_only(call: ApiCall, facts: _Operation) -> bool:
    return call.audit.get("read_only", facts.read_only)


def for_records(call: ApiCall) -> ApiCall | None:
    """``call`` as the audit writer holds it until its records are written: None for a data event (it makes no
    record); else the call itself, its ``result`` dropped when the records do not show it (a read-only or failed
    call), so that the queue does not keep every ListUsers page it answered (issue #19: RSS after a read load)."""
    if not is_management_event(call.service, call.operation):
        return None
    if call.result is not None and not _shows_result(call, _read_only(call, _operation(call.service, call.operation))):
        call.result = None
    return call


def _base_record(call: ApiCall, resources: list[Resource], recipient: str, record_id: str,
                 shared_event_id: str | None) -> dict[str, Any]:
    audit = call.audit
    facts = _operation(call.service, call.operation)
    operation = facts.model
    read_only = _read_only(call, facts)
    params = audit.get("request_parameters", call.params)
    response = audit.get("response_elements", call.result) if _shows_result(call, read_only) \
        else audit.get("response_elements")
    record: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": user_identity(call.principal, call.access_key_id, call.operation),
        "eventTime": _time(call),
        "eventSource": audit.get("event_source", facts.event_source),
        "eventName": call.operation,
        "awsRegion": _region(call),
        "sourceIPAddress": call.source_ip,
        "userAgent": call.user_agent,
    }
    if call.error_code is not None:
        record["errorCode"] = call.error_code
        record["errorMessage"] = call.error_message or ""
    elif audit.get("error_message"):
        record["errorMessage"] = audit["error_message"]  # failed sign-ins: a message without an error code
    record["requestParameters"] = scrub(params, operation and operation.input_shape) if params else None
    if call.service == "s3" and "request_parameters" not in audit:
        record["requestParameters"] = s3_request_parameters(call.operation, call.params, call.host) or None
    verbatim = bool(audit.get("verbatim_elements"))  # console sign-in records keep AWS's own element names
    if response:
        record["responseElements"] = response if verbatim else scrub(response, operation and operation.output_shape)
    else:
        record["responseElements"] = None
    if audit.get("additional_event_data"):
        extra = audit["additional_event_data"]
        record["additionalEventData"] = extra if verbatim else scrub(extra)
    record["requestID"] = call.request_id
    record["eventID"] = record_id  # right after requestID, as CloudTrail writes it
    record["readOnly"] = bool(read_only)
    named = [r for r in resources if "arn" in r]  # a resource known by name only is a lookup key, not an "ARN"
    if named:
        record["resources"] = [{"accountId": recipient, "type": r["type"], "ARN": r["arn"]} for r in named]
    record["eventType"] = audit.get("event_type", "AwsApiCall")
    record["managementEvent"] = True
    record["recipientAccountId"] = recipient
    record["eventCategory"] = "Management"
    if call.principal.from_console:
        record["sessionCredentialFromConsole"] = "true"
    if shared_event_id is not None:
        record["sharedEventID"] = shared_event_id
    return record


def _operation_model(service: str, operation: str) -> OperationModel | None:
    """The botocore model of the call's operation (None for calls outside the served models, e.g. sign-ins)."""
    if service not in SERVICES:
        return None
    try:
        return service_model(service).operation_model(operation)
    except OperationNotFoundError:
        return None


def records_for(call: ApiCall, new_id: Callable[[_dt.datetime], str] = event_id) -> list[Recorded]:
    """The records one call produces (none for data events), one per recipient account."""
    if not is_management_event(call.service, call.operation):
        return []
    audit = call.audit
    caller = call.principal.account_id
    primary = list(audit.get("recipient_accounts") or [caller])
    extra = [a for a in audit.get("also_record_in") or () if a not in primary]
    accounts = primary + extra
    resources = resources_of(call.service, primary[0], call.params, audit.get("resources"))
    shared_event_id = new_id(call.event_time) if len(accounts) > 1 else None
    username = audit.get("user_name") or username_of(call.principal)
    results: list[Recorded] = []
    for account_id in accounts:
        record = _base_record(call, resources, account_id, new_id(call.event_time), shared_event_id)
        if account_id != caller and call.principal.kind != AWS_SERVICE:
            record["userIdentity"] = {
                "type": "AWSAccount", "principalId": call.principal.user_id, "accountId": caller,
            }
        results.append(Recorded(account_id, record["awsRegion"], call.event_time, record, username, tuple(resources),
                                audit.get("deciding_statement")))
    return results
