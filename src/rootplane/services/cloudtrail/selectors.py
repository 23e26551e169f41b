"""PutEventSelectors' checks and how a trail keeps its selectors.

A trail has either (basic) EventSelectors or AdvancedEventSelectors, never both: a request gives one of them and
replaces whatever the trail had (CloudTrail API Reference, PutEventSelectors). ``selects`` decides which management
events a trail delivers (every record rootplane makes is a management event). CloudTrail's limits
(InvalidEventSelectorsException): 1 to 5 event selectors, at most 250 data resource values over all of them, at
most 500 condition values over all advanced selectors, each of which must select an ``eventCategory``.
"""

from __future__ import annotations

import json
from typing import Any

from rootplane.core.errors import AwsError

__all__ = ["DEFAULT", "checked", "stored", "selects"]

MAX_SELECTORS = 5
MAX_DATA_RESOURCES = 250
MAX_ADVANCED_VALUES = 500
# AdvancedFieldSelector.Field's documented fields (CloudTrail API Reference, AdvancedFieldSelector).
FIELDS = frozenset({
    "eventCategory", "eventSource", "eventName", "eventType", "readOnly", "resources.type", "resources.ARN",
    "errorCode", "sessionCredentialFromConsole", "userIdentity.arn", "vpcEndpointId",
})
_OPERATORS = ("Equals", "StartsWith", "EndsWith", "NotEquals", "NotStartsWith", "NotEndsWith")
# What a basic selector holds for a member it was not given (EventSelector: ReadWriteType All, management events
# included; the CloudTrail User Guide's put-event-selectors examples answer the lists empty).
_SELECTOR_DEFAULTS: dict[str, Any] = {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [],
                                      "ExcludeManagementEventSources": []}
# A trail created without selectors logs every management event and no data event.
DEFAULT: dict[str, Any] = {"EventSelectors": [_SELECTOR_DEFAULTS]}


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidEventSelectorsException", message, 400)


def _check_basic(selectors: list[dict[str, Any]]) -> None:
    if not 1 <= len(selectors) <= MAX_SELECTORS:
        raise _invalid(f"A trail can have 1 to {MAX_SELECTORS} event selectors; {len(selectors)} were given.")
    values = sum(len(resource.get("Values") or ()) for selector in selectors
                 for resource in selector.get("DataResources") or ())
    if values > MAX_DATA_RESOURCES:
        raise _invalid(f"A trail can have at most {MAX_DATA_RESOURCES} data resources; {values} were given.")


def _check_advanced(selectors: list[dict[str, Any]]) -> None:
    values = 0
    for selector in selectors:
        fields = [condition["Field"] for condition in selector["FieldSelectors"]]
        unknown = next((field for field in fields if field not in FIELDS), None)
        if unknown is not None:
            raise _invalid(f"Invalid field {unknown} in an advanced event selector.")
        if "eventCategory" not in fields:
            raise _invalid("Each advanced event selector must have an eventCategory field.")
        values += sum(len(condition.get(operator) or ()) for condition in selector["FieldSelectors"]
                      for operator in _OPERATORS)
    if values > MAX_ADVANCED_VALUES:
        raise _invalid(f"Advanced event selectors can have at most {MAX_ADVANCED_VALUES} values for all conditions; "
                       f"{values} were given.")


def checked(params: dict[str, Any]) -> dict[str, Any]:
    """The selectors of a PutEventSelectors request, as its response shows them: ``{"EventSelectors": [...]}`` or
    ``{"AdvancedEventSelectors": [...]}``."""
    basic, advanced = params.get("EventSelectors"), params.get("AdvancedEventSelectors")
    if basic is not None and advanced is not None:
        raise _invalid("You can use either EventSelectors or AdvancedEventSelectors, but not both.")
    if advanced is not None:
        _check_advanced(advanced)
        return {"AdvancedEventSelectors": advanced}
    _check_basic(basic or [])
    return {"EventSelectors": [{**_SELECTOR_DEFAULTS, **selector} for selector in basic or []]}


def stored(text: str | None) -> dict[str, Any]:
    """A trail's selectors from its column: a JSON list of basic selectors (as older servers kept them) or the
    ``checked`` object; the default ones when it has none."""
    if text is None:
        return DEFAULT
    value = json.loads(text)
    return {"EventSelectors": value} if isinstance(value, list) else value


def _field_values(record: dict[str, Any], field: str) -> list[str]:
    """The values an advanced selector's ``field`` sees in a record (none when the record lacks it; one per
    resource for the resources fields)."""
    if field in ("resources.type", "resources.ARN"):
        member = field.split(".")[1]
        return [resource[member] for resource in record.get("resources") or () if member in resource]
    value: Any = record
    for name in field.split("."):
        value = value.get(name) if isinstance(value, dict) else None
    if value is None:
        return []
    return ["true" if value is True else "false" if value is False else str(value)]


_MATCHES = {  # an operator's test of one value against the values it was given (its "Not" form negates it)
    "Equals": lambda given, value: value in given,
    "StartsWith": lambda given, value: value.startswith(tuple(given)),
    "EndsWith": lambda given, value: value.endswith(tuple(given)),
}


def _condition_holds(condition: dict[str, Any], values: list[str]) -> bool:
    """One AdvancedFieldSelector: every operator it gives holds (Equals and the like for some value of the field,
    NotEquals and the like for all of them)."""
    for operator, check in _MATCHES.items():
        if condition.get(operator) and not any(check(condition[operator], v) for v in values):
            return False
        negated = condition.get(f"Not{operator}")
        if negated and any(check(negated, v) for v in values):
            return False
    return True


def _basic_selects(selector: dict[str, Any], record: dict[str, Any]) -> bool:
    if not selector.get("IncludeManagementEvents", True):
        return False
    if record.get("eventSource") in (selector.get("ExcludeManagementEventSources") or ()):
        return False
    kind = selector.get("ReadWriteType", "All")
    return kind == "All" or (kind == "ReadOnly") == bool(record.get("readOnly"))


def selects(selectors: dict[str, Any], record: dict[str, Any]) -> bool:
    """Whether a trail with ``selectors`` (as ``stored`` gives them) logs this management event's record: one of its
    basic selectors includes management events of its read/write kind and source (CloudTrail User Guide, "Logging
    management events"), or one of its advanced selectors matches every condition it sets."""
    if "AdvancedEventSelectors" in selectors:
        return any(all(_condition_holds(condition, _field_values(record, condition["Field"]))
                       for condition in selector["FieldSelectors"])
                   for selector in selectors["AdvancedEventSelectors"])
    return any(_basic_selects(selector, record) for selector in selectors["EventSelectors"])
