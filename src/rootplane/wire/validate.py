"""Model-driven input validation with AWS-worded messages (required, type, length, range, pattern, enum).

Collecting violations is generic; turning them into an error is per service. ``STYLES`` is the one table that
says how each service words it (code, message, extra fields); services not in it use their protocol's default
(query ``ValidationError``, JSON ``ValidationException``, rest-xml ``InvalidArgument``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Callable

from botocore.model import Shape, StructureShape

from ..core.errors import AwsError

__all__ = ["validate", "validation_errors", "violations", "error_code_for", "Violation", "STYLES", "SERVICE_CHECKED"]

_MAX_REPORTED = 10
# (input structure, member) whose constraints the service checks itself, answering with its own modelled error
# (CloudTrail LookupEvents: InvalidMaxResultsException, InvalidEventCategoryException), not ValidationException.
SERVICE_CHECKED = frozenset({("LookupEventsRequest", "MaxResults"), ("LookupEventsRequest", "EventCategory"),
                             ("GetQueueAttributesRequest", "AttributeNames"),  # SQS: InvalidAttributeName
                             ("ReceiveMessageRequest", "AttributeNames"),  # SQS takes system attribute names too
                             ("SetQueueAttributesRequest", "Attributes"), ("CreateQueueRequest", "Attributes"),
                             # Account: an unknown contact type is AccessDeniedException (services/account/authz.py)
                             ("GetAlternateContactRequest", "AlternateContactType"),
                             ("PutAlternateContactRequest", "AlternateContactType"),
                             ("DeleteAlternateContactRequest", "AlternateContactType")})
_INTS = frozenset(("integer", "long", "short", "byte", "biginteger"))
_FLOATS = frozenset(("float", "double", "bigdecimal"))


@dataclass(frozen=True)
class Violation:
    """One broken constraint.

    ``kind``: required | type | enum | min_length | max_length | pattern | min_value | max_value | nul (a NUL
    character, which a PostgreSQL store cannot hold in text: ``validate``'s ``refuse_nul``).
    ``path``: AWS's lowerCamel dotted path; ``member``: the member name as in the model; ``shape``: its shape name;
    ``limit``: the bound, pattern text, enum values or expected type.
    """

    kind: str
    path: str
    member: str
    shape: str
    value: Any
    limit: Any = None

    def text(self) -> str:
        """The generic AWS (Coral) wording: ``Value 'x' at 'path' failed to satisfy constraint: ...``."""
        if self.kind == "required":
            return f"Value null at '{self.path}' failed to satisfy constraint: Member must not be null"
        return f"Value '{_show(self.value)}' at '{self.path}' failed to satisfy constraint: {_CONSTRAINT[self.kind](self.limit)}"


_CONSTRAINT: dict[str, Callable[[Any], str]] = {
    "type": lambda limit: f"Member must be of type {limit}",
    "enum": lambda limit: f"Member must satisfy enum value set: [{', '.join(limit)}]",
    "min_length": lambda limit: f"Member must have length greater than or equal to {limit}",
    "max_length": lambda limit: f"Member must have length less than or equal to {limit}",
    "pattern": lambda limit: f"Member must satisfy regular expression pattern: {limit}",
    "min_value": lambda limit: f"Member must have value greater than or equal to {limit}",
    "max_value": lambda limit: f"Member must have value less than or equal to {limit}",
    "nul": lambda limit: "Member must not contain the NUL character (U+0000), which this server's PostgreSQL store "
                         "cannot hold",
}


def error_code_for(style: str) -> str:
    """The validation error code a protocol's services use."""
    if style == "query":
        return "ValidationError"
    if style == "rest-xml":
        return "InvalidArgument"
    return "ValidationException"


# Java's Unicode classes in the models' character classes (tag keys: "[\p{L}\p{Z}\p{N}_.:/=+\-@]+"), which
# Python's re lacks: letters, separators, digits.
_UNICODE_CLASSES = {r"\p{L}": r"[^\W\d_]", r"\p{N}": r"\d",
                    r"\p{Z}": "[ \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"}
_CHARACTER_CLASS = re.compile(r"\[((?:[^\]\\]|\\.)*)\]([+*]?)")


def _python_pattern(text: str) -> str:
    """A model pattern Python can compile: each character class with Unicode classes becomes an alternation
    (``[\\p{L}_.]+`` alone, or inside a larger pattern: Organizations' ``^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$``)."""
    if "\\p{" not in text:
        return text
    return _CHARACTER_CLASS.sub(_python_class, text)


def _python_class(match: re.Match[str]) -> str:
    body, repeat = match.groups()
    if "\\p{" not in body:
        return match.group(0)
    alternatives = [python for java, python in _UNICODE_CLASSES.items() if java in body]
    for java in _UNICODE_CLASSES:
        body = body.replace(java, "")
    parts = ([f"[{body}]"] if body else []) + alternatives
    return f"(?:{'|'.join(parts)}){repeat}"


@lru_cache(maxsize=4096)
def _pattern(text: str) -> re.Pattern[str] | None:
    try:
        return re.compile(_python_pattern(text))
    except re.error:
        return None


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:] if name else name


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return "java.nio.HeapByteBuffer"
    return str(value)


def _type_ok(shape: Shape, value: Any) -> bool:
    kind = shape.type_name
    if kind == "structure":
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list)
    if kind == "map":
        return isinstance(value, dict)
    if kind == "string":
        return isinstance(value, str)
    if kind in _INTS:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in _FLOATS:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "timestamp":
        return isinstance(value, (datetime, int, float))
    if kind == "blob":
        return isinstance(value, (bytes, bytearray, str)) or hasattr(value, "read")
    return True


class _Collector:
    """Walks a value against its shape, recording violations in model order."""

    def __init__(self, refuse_nul: bool = False) -> None:
        self.found: list[Violation] = []
        self.refuse_nul = refuse_nul

    def add(self, kind: str, path: str, member: str, shape: Shape, value: Any, limit: Any = None) -> None:
        self.found.append(Violation(kind, path, member, shape.name, value, limit))

    def check(self, shape: Shape, value: Any, path: str, member: str) -> None:
        if not _type_ok(shape, value):
            self.add("type", path, member, shape, value, shape.type_name)
            return
        kind = shape.type_name
        if kind == "structure":
            self._structure(shape, value, path)
        elif kind in ("string", "list", "map", "blob"):
            self._sized(shape, value, path, member)
        elif kind in _INTS or kind in _FLOATS:
            metadata = shape.metadata
            if "min" in metadata and value < metadata["min"]:
                self.add("min_value", path, member, shape, value, metadata["min"])
            if "max" in metadata and value > metadata["max"]:
                self.add("max_value", path, member, shape, value, metadata["max"])

    def _structure(self, shape: Shape, value: dict[str, Any], path: str) -> None:
        if shape.is_document_type:
            return
        for name in shape.required_members:
            if value.get(name) is None:
                self.add("required", _join(path, name), name, shape.members[name], None)
        for name, member in shape.members.items():
            item = value.get(name)
            if item is not None and (shape.name, name) not in SERVICE_CHECKED:
                self.check(member, item, _join(path, name), name)

    def _sized(self, shape: Shape, value: Any, path: str, member: str) -> None:
        kind, metadata, before = shape.type_name, shape.metadata, len(self.found)
        if kind == "string" and shape.enum and value not in shape.enum:
            self.add("enum", path, member, shape, value, list(shape.enum))
        length = len(value) if not hasattr(value, "read") else None
        if length is not None:
            if "min" in metadata and length < metadata["min"]:
                self.add("min_length", path, member, shape, value, metadata["min"])
            if "max" in metadata and length > metadata["max"]:
                self.add("max_length", path, member, shape, value, metadata["max"])
        if kind == "string" and "pattern" in metadata and not shape.enum:
            compiled = _pattern(metadata["pattern"])
            if compiled is not None and compiled.fullmatch(value) is None:
                self.add("pattern", path, member, shape, value, metadata["pattern"])
        if self.refuse_nul and kind == "string" and len(self.found) == before and "\x00" in value:
            self.add("nul", path, member, shape, value)  # (a value its constraints refuse already: one violation)
        if kind == "list":
            for index, item in enumerate(value, 1):
                if item is not None:
                    self.check(shape.member, item, f"{path}.{index}.member", member)
        elif kind == "map":
            for key, item in value.items():
                self.check(shape.key, key, f"{path}.key", member)
                if item is not None:
                    self.check(shape.value, item, f"{path}.{key}.value", member)


def _join(path: str, name: str) -> str:
    camel = _lower_camel(name)
    return f"{path}.{camel}" if path else camel


def violations(shape: StructureShape, params: dict[str, Any], refuse_nul: bool = False) -> list[Violation]:
    """Every broken constraint of ``params``, in model order (``refuse_nul``: as ``validate``'s)."""
    collector = _Collector(refuse_nul)
    collector.check(shape, params, "", "")
    return collector.found


def validation_errors(shape: StructureShape, params: dict[str, Any]) -> list[str]:
    """Every constraint violation, AWS-worded (generic style), in model order."""
    return [violation.text() for violation in violations(shape, params)]


# -- per-service wording ---------------------------------------------------------------------------------------
def _generic(code: str) -> Callable[[list[Violation]], AwsError]:
    """AWS's common framework answer: ``N validation error(s) detected: ...`` (IAM, STS, EventBridge...)."""

    def render(found: list[Violation]) -> AwsError:
        count = len(found)
        shown = "; ".join(violation.text() for violation in found[:_MAX_REPORTED])
        noun = "error" if count == 1 else "errors"
        return AwsError(code, f"{count} validation {noun} detected: {shown}", 400)

    return render


# Organizations: InvalidInputException with a Reason; the message names the reason, never the value.
_ORGANIZATIONS_REASONS = {
    "required": ("INPUT_REQUIRED", "You must include a value for all required parameters."),
    "enum": ("INVALID_ENUM", "You specified an invalid value."),
    "min_length": ("MIN_LENGTH_EXCEEDED", "You provided a string parameter that is shorter than allowed."),
    "max_length": ("MAX_LENGTH_EXCEEDED", "You provided a string parameter that is longer than allowed."),
    "pattern": ("INVALID_PATTERN", "You provided a value that does not match the required pattern."),
    "min_value": ("MIN_VALUE_EXCEEDED", "You provided a numeric parameter that has a smaller value than allowed."),
    "max_value": ("MAX_VALUE_EXCEEDED", "You provided a numeric parameter that has a larger value than allowed."),
    "nul": ("INVALID_PATTERN", "You provided a value that does not match the required pattern."),
}
# (kind, shape name) with a more specific reason.
_ORGANIZATIONS_SPECIFIC = {
    ("pattern", "PolicyTargetId"): ("INVALID_PATTERN_TARGET_ID",
                                    "You specified a policy target ID that does not match the required pattern."),
    ("pattern", "PolicyId"): ("INVALID_SYNTAX_POLICY_ID", "You specified an invalid policy ID."),
    ("enum", "PolicyType"): ("INVALID_ENUM_POLICY_TYPE", "You specified an invalid policy type string."),
    ("enum", "EffectivePolicyType"): ("INVALID_ENUM_POLICY_TYPE", "You specified an invalid policy type string."),
}


def _organizations(found: list[Violation]) -> AwsError:
    first = found[0]
    if first.kind == "type":  # a JSON type mismatch is the framework's, not the service's
        return _generic("ValidationException")(found)
    reason, message = _ORGANIZATIONS_SPECIFIC.get((first.kind, first.shape)) or _ORGANIZATIONS_REASONS[first.kind]
    return AwsError("InvalidInputException", message, 400, fields={"Reason": reason})


# Account: a JSON-schema validator's messages in a Java list, no reason or fieldList
# (aws-captures/primary_contact.json: '[ECMA 262 regex "^[+][\s0-9()-]+$" does not match input string " "]').
def _anchored(pattern: str) -> str:
    return ("" if pattern.startswith("^") else "^") + pattern + ("" if pattern.endswith("$") else "$")


def _account_text(violation: Violation) -> str:
    value, limit = violation.value, violation.limit
    if violation.kind == "pattern":
        return f'ECMA 262 regex "{_anchored(limit)}" does not match input string "{value}"'
    if violation.kind == "min_length":
        return f'string "{value}" is too short (length: {len(value)}, required minimum: {limit})'
    if violation.kind == "max_length":
        return f'string "{value}" is too long (length: {len(value)}, maximum allowed: {limit})'
    if violation.kind == "enum":
        return f"instance value ({json.dumps(value)}) not found in enum (possible values: {json.dumps(limit)})"
    if violation.kind == "min_value":
        return f"numeric instance is lower than the required minimum (minimum: {limit}, found: {value})"
    if violation.kind == "max_value":
        return f"numeric instance is greater than the required maximum (maximum: {limit}, found: {value})"
    if violation.kind == "type":
        return f"instance type ({type(value).__name__}) does not match any allowed primitive type (allowed: [\"{limit}\"])"
    if violation.kind == "nul":
        return violation.text()
    return f'object has missing required properties (["{violation.member}"])'


def _account(found: list[Violation]) -> AwsError:
    return AwsError("ValidationException", "[" + ", ".join(_account_text(v) for v in found[:_MAX_REPORTED]) + "]", 400)


# SQS (JSON, query-compatible): MissingParameter / InvalidParameterValue, the codes its query API always used.
def _sqs(found: list[Violation]) -> AwsError:
    first = found[0]
    if first.kind == "required":
        return AwsError("MissingParameter", f"The request must contain the parameter {first.member}.", 400,
                        query_code="MissingParameter")
    return AwsError("InvalidParameterValue", f"Value {_show(first.value)} for parameter {first.member} is invalid.",
                    400, query_code="InvalidParameterValue")


# SNS (query): InvalidParameter, "Invalid parameter: <Member>" (the model's InvalidParameterException code).
def _sns(found: list[Violation]) -> AwsError:
    return AwsError("InvalidParameter", f"Invalid parameter: {found[0].member}", 400)


# S3: the framework's InvalidArgument, but GetObjectAttributes' x-amz-object-attributes header has S3's own
# answers (captured from AWS in versity/versitygw#915 and #917), and an XML body that breaks S3's schema (a value
# outside an enumeration or of the wrong type, an element missing) is MalformedXML.
_OBJECT_ATTRIBUTES_HEADER = "x-amz-object-attributes"
_SCHEMA_KINDS = frozenset({"enum", "type", "required"})
MALFORMED_XML = "The XML you provided was not well-formed or did not validate against our published schema"


def _s3(found: list[Violation], payload: str | None = None) -> AwsError:
    """``payload``: the lowerCamel name of the operation's XML body member, if it has one."""
    first = found[0]
    if payload and first.path.partition(".")[0] == payload and first.kind in _SCHEMA_KINDS:
        return AwsError("MalformedXML", MALFORMED_XML, 400)
    if first.member != "ObjectAttributes":
        return _generic("InvalidArgument")(found)
    if first.kind == "required" or not first.value:
        return AwsError("InvalidRequest", f"The {_OBJECT_ATTRIBUTES_HEADER} header specifying the attributes to be "
                        "retrieved is either missing or empty", 400)
    return AwsError("InvalidArgument", "Invalid attribute name specified.", 400,
                    fields={"ArgumentName": _OBJECT_ATTRIBUTES_HEADER, "ArgumentValue": first.value})


# IAM: the framework's ValidationError, but IAM checks paths and names against their patterns itself, after it
# (cfn-lint#3020, aws/aws-cli#5860, aws-amplify/amplify-cli#9120): such a violation is worded IAM's way, and only
# when nothing else is wrong.
_IAM_NAME_PATTERN = r"[\w+=,.@-]+"
_IAM_PATH_RULES = {"Path": "must begin and end with /", "NewPath": "must begin and end with /",
                   "PathPrefix": "must begin with the / character"}


def _iam_rule(violation: Violation) -> str | None:
    """What IAM's own check of this pattern violation says the value must be, or None for the framework's."""
    if violation.kind != "pattern":
        return None
    if violation.member in _IAM_PATH_RULES:
        return f"{_IAM_PATH_RULES[violation.member]} and contain only alphanumeric characters and/or / characters."
    if violation.limit == _IAM_NAME_PATTERN:
        return "must contain only alphanumeric characters and/or the following: +=,.@_-"
    return None


def _iam(found: list[Violation]) -> AwsError:
    framework = [violation for violation in found if _iam_rule(violation) is None]
    if framework:
        return _generic("ValidationError")(framework)
    first = found[0]
    return AwsError("ValidationError", f"The specified value for {first.path} is invalid. It {_iam_rule(first)}", 400)


# EC2: MissingParameter for a required member, InvalidParameterValue for the rest.
def _ec2(found: list[Violation]) -> AwsError:
    first = found[0]
    if first.kind == "required":
        return AwsError("MissingParameter", f"The request must contain the parameter {first.member}", 400)
    return AwsError("InvalidParameterValue", f"Value ({_show(first.value)}) for parameter {first.member} is invalid.",
                    400)


STYLES: dict[str, Callable[[list[Violation]], AwsError]] = {
    "iam": _iam,
    "sts": _generic("ValidationError"),
    "organizations": _organizations,
    "account": _account,
    "sqs": _sqs,
    "sns": _sns,
    "events": _generic("ValidationException"),
    "cloudtrail": _generic("ValidationException"),
    "kms": _generic("ValidationException"),
    "support": _generic("ValidationException"),
    "logs": _generic("InvalidParameterException"),
    "cloudwatch": _generic("ValidationError"),
    "ec2": _ec2,
    "resourcegroupstaggingapi": _generic("InvalidParameterException"),
}


def validate(shape: StructureShape | None, params: dict[str, Any], *, style: str, service: str | None = None,
             refuse_nul: bool = False) -> None:
    """Raise the service's validation error when params break the model.

    ``service`` picks the wording from ``STYLES``; without it (or for a service not listed) ``style``, the
    protocol name, picks the protocol default. ``refuse_nul``: a string holding a NUL character breaks it too (the
    server's store is PostgreSQL, whose text cannot hold one: a clear 400 instead of the database's refusal).
    """
    if shape is None or not shape.members:  # nothing to break (GetCallerIdentity)
        return
    found = violations(shape, params, refuse_nul)
    if not found:
        return
    if service == "s3":
        payload = shape.serialization.get("payload")
        raise _s3(found, _join("", payload) if payload else None)
    render = STYLES.get(service or "") or _generic(error_code_for(style))
    raise render(found)
