"""Subscription filter policies, matched with EventBridge's pattern engine (same operators and semantics).

``FilterPolicyScope`` ``MessageAttributes`` (the default) matches the policy against the message attributes seen as
a flat object (String -> string, Number -> number, String.Array -> its JSON array; Binary attributes are ignored);
``MessageBody`` matches it against the message parsed as JSON (a body that is not a JSON object never matches).
"""

from __future__ import annotations

import json
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.services.events.patterns import InvalidPattern, compile_pattern

__all__ = ["check_filter_policy", "check_scope", "accepts", "SCOPES"]

SCOPES = ("MessageAttributes", "MessageBody")
MAX_POLICY_LENGTH = 256 * 1024
NUMERIC_PLACES = 5


def _invalid(reason: str) -> AwsError:
    return AwsError("InvalidParameter", f"Invalid parameter: FilterPolicy: {reason}", 400)


def check_filter_policy(text: str, scope: str) -> None:
    """Raise InvalidParameter unless ``text`` is a valid filter policy for ``scope`` (empty: no filtering)."""
    if not text:
        return
    if len(text) > MAX_POLICY_LENGTH:
        raise _invalid("Filter policy is too long")
    try:
        pattern = compile_pattern(text)
    except InvalidPattern as error:
        raise _invalid(error.reason) from None
    if scope == "MessageAttributes" and pattern.children:
        raise _invalid("Filter policy scope MessageAttributes does not support nested filter policy")


def check_scope(value: str) -> None:
    if value not in SCOPES:
        raise AwsError("InvalidParameter", "Invalid parameter: FilterPolicyScope: Invalid value [" + value +
                       "]. Please use either MessageBody or MessageAttributes", 400)


def _attribute_value(attribute: dict[str, Any]) -> Any:
    data_type = attribute.get("DataType", "String")
    value = attribute.get("StringValue")
    if value is None:
        return None
    if data_type.startswith("Number"):
        try:
            return _five_places(float(value)) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            return None
    if data_type == "String.Array":
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _attributes_object(attributes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    found = {name: _attribute_value(attribute) for name, attribute in attributes.items()
             if not attribute.get("DataType", "String").startswith("Binary")}
    return {name: value for name, value in found.items() if value is not None}


def _five_places(number: float) -> float:
    """SNS compares numbers to five decimal places (its filter policy documentation)."""
    return round(number, NUMERIC_PLACES)


def _policy_pattern(text: str):
    """The filter policy's pattern, its numbers (and so its numeric ranges) rounded to five places."""
    try:
        text = json.dumps(json.loads(text, parse_float=lambda value: _five_places(float(value))))
    except ValueError:
        pass  # compile_pattern words the error
    return compile_pattern(text)


def accepts(subscription_attributes: dict[str, str], message: str,
            message_attributes: dict[str, dict[str, Any]] | None) -> bool:
    """Whether a subscription with these attributes receives the message (no FilterPolicy: every message)."""
    text = subscription_attributes.get("FilterPolicy")
    if not text:
        return True
    try:
        pattern = _policy_pattern(text)
    except InvalidPattern:
        return False
    if subscription_attributes.get("FilterPolicyScope", "MessageAttributes") == "MessageBody":
        try:
            body = json.loads(message, parse_float=lambda value: _five_places(float(value)))
        except ValueError:
            return False
        return isinstance(body, dict) and pattern.matches(body)
    return pattern.matches(_attributes_object(message_attributes or {}))
