"""EventBridge event patterns: validation (AWS's InvalidEventPatternException reasons) and matching. Pure.

A pattern is a JSON object mirroring the event. Object values descend into the event; array values list
alternatives for a leaf (literals or content filters); ``"$or"`` lists alternative sub-patterns. Matching follows
EventBridge (Event Ruler): only leaves (strings, numbers, booleans, null) are values; an array in the event matches
when any element matches; objects inside arrays are matched element by element (array consistency); a field that
is absent, an object, or an empty array only satisfies ``{"exists": false}``.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from rootplane.policy.glob import LIT, STAR, GlobMatcher, Token, compile_glob

__all__ = ["InvalidPattern", "Pattern", "compile_pattern", "parse_pattern", "matches", "MAX_PATTERN_LENGTH"]

MAX_PATTERN_LENGTH = 4096
_MISSING = object()
_OR = "$or"
_NUMERIC_OPERATORS = ("=", ">", ">=", "<", "<=")


class InvalidPattern(ValueError):
    """The pattern is malformed; ``reason`` is the text AWS puts after ``Event pattern is not valid. Reason:``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Leaf = Callable[[Any], bool]  # a predicate on one present leaf value


@dataclass(frozen=True)
class _Field:
    """One leaf field: its predicates (any must hold) and whether absence satisfies it."""

    predicates: tuple[Leaf, ...]
    absent_ok: bool


@dataclass(frozen=True)
class Pattern:
    """A compiled pattern: leaf fields, nested objects and ``$or`` alternatives, all of which must hold."""

    fields: tuple[tuple[str, _Field], ...]
    children: tuple[tuple[str, Pattern], ...]
    alternatives: tuple[tuple[Pattern, ...], ...]

    def matches(self, event: Any) -> bool:
        """True when ``event`` (an already-parsed JSON value) satisfies the pattern."""
        return _match_object(self, event if isinstance(event, dict) else {})


# ----------------------------------------------------------------------------------------------- value helpers
def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same_literal(expected: Any, value: Any) -> bool:
    if expected is None or isinstance(expected, bool):
        return value is expected
    if _is_number(expected):
        return _is_number(value) and float(value) == float(expected)
    return isinstance(value, str) and value == expected


def _leaves(value: Any) -> list[Any]:
    """The scalar values at a leaf path (arrays flattened; objects are not leaves)."""
    if isinstance(value, list):
        found: list[Any] = []
        for item in value:
            found.extend(_leaves(item))
        return found
    if value is _MISSING or isinstance(value, dict):
        return []
    return [value]


def _objects(value: Any) -> list[dict]:
    """The objects under a nested path (arrays of objects flattened)."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        found: list[dict] = []
        for item in value:
            found.extend(_objects(item))
        return found
    return []


# ----------------------------------------------------------------------------------------------- matching
def _match_object(pattern: Pattern, event: dict) -> bool:
    for name, field in pattern.fields:
        values = _leaves(event.get(name, _MISSING))
        if not values:
            if not field.absent_ok:
                return False
        elif not any(predicate(value) for value in values for predicate in field.predicates):
            return False
    for name, child in pattern.children:
        candidates = _objects(event.get(name, _MISSING)) or [{}]
        if not any(_match_object(child, candidate) for candidate in candidates):
            return False
    for alternatives in pattern.alternatives:
        if not any(_match_object(alternative, event) for alternative in alternatives):
            return False
    return True


def matches(pattern: str | Pattern, event: str | dict) -> bool:
    """Whether ``event`` (JSON text or dict) matches ``pattern`` (JSON text or compiled)."""
    compiled = compile_pattern(pattern) if isinstance(pattern, str) else pattern
    return compiled.matches(json.loads(event) if isinstance(event, str) else event)


# ----------------------------------------------------------------------------------------------- compiling
def _string_of(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidPattern(f"{what} match pattern must be a string")
    return value


def _single_key(matcher: dict) -> tuple[str, Any]:
    if not matcher:
        raise InvalidPattern("Match expression name not found")
    if len(matcher) > 1:
        raise InvalidPattern("Only one key allowed in match expression")
    return next(iter(matcher.items()))


def _ignore_case_text(spec: Any, kind: str) -> str:
    """``{"equals-ignore-case": "..."}`` nested inside prefix/suffix."""
    if not isinstance(spec, dict) or not spec:
        raise InvalidPattern(f"{kind.capitalize()} expression name not found")
    name, text = _single_key(spec)
    if name != "equals-ignore-case":
        raise InvalidPattern(f"Unsupported {kind} pattern: {name}")
    return _string_of(text, "equals-ignore-case").casefold()


def _prefix(spec: Any) -> Leaf:
    if isinstance(spec, dict):
        text = _ignore_case_text(spec, "prefix")
        return lambda v: isinstance(v, str) and v.casefold().startswith(text)
    text = _string_of(spec, "prefix")
    return lambda v: isinstance(v, str) and v.startswith(text)


def _suffix(spec: Any) -> Leaf:
    if isinstance(spec, dict):
        text = _ignore_case_text(spec, "suffix")
        return lambda v: isinstance(v, str) and v.casefold().endswith(text)
    text = _string_of(spec, "suffix")
    return lambda v: isinstance(v, str) and v.endswith(text)


def _equals_ignore_case(spec: Any) -> Leaf:
    text = _string_of(spec, "equals-ignore-case").casefold()
    return lambda v: isinstance(v, str) and v.casefold() == text


def _wildcard_glob(text: str) -> GlobMatcher:
    """A ``wildcard`` pattern (``*`` and the escapes ``\\*``, ``\\\\``), matched in linear time."""
    tokens: list[Token] = []
    index = 0
    previous_star = False
    while index < len(text):
        char = text[index]
        if char == "\\":
            following = text[index + 1] if index + 1 < len(text) else ""
            if following not in ("*", "\\"):
                raise InvalidPattern(f"Invalid escape character at pos {index + 1}")
            tokens.append((LIT, following))
            index += 2
            previous_star = False
            continue
        if char == "*":
            if previous_star:
                raise InvalidPattern(f"Consecutive wildcard characters at pos {index}")
            tokens.append((STAR, char))
            previous_star = True
        else:
            tokens.append((LIT, char))
            previous_star = False
        index += 1
    return compile_glob(tokens, arn=False)


def _wildcard(spec: Any) -> Leaf:
    glob = _wildcard_glob(_string_of(spec, "wildcard"))
    return lambda v: isinstance(v, str) and glob.matches(v)


def _number(value: Any, operator: str) -> float:
    if not _is_number(value):
        raise InvalidPattern(f"Value of {'equals' if operator == '=' else operator} must be numeric")
    return float(value)


def _numeric(spec: Any) -> Leaf:
    if not isinstance(spec, list):
        raise InvalidPattern("Value of numeric must be an array.")
    if not spec or not isinstance(spec[0], str):
        raise InvalidPattern(f"Invalid member in numeric match: {json.dumps(spec[0]) if spec else ']'}")
    operator = spec[0]
    if operator not in _NUMERIC_OPERATORS:
        raise InvalidPattern(f"Unrecognized numeric range operator: {operator}")
    if len(spec) < 2:
        raise InvalidPattern(f"Value of {'equals' if operator == '=' else operator} must be numeric")
    bound = _number(spec[1], operator)
    tests: list[Callable[[float], bool]] = [_comparison(operator, bound)]
    if len(spec) > 2:
        if operator not in (">", ">="):
            raise InvalidPattern("Too many elements in numeric expression")
        upper = spec[2]
        if not isinstance(upper, str):
            raise InvalidPattern(f"Bad value in numeric range: {json.dumps(upper)}")
        if upper not in ("<", "<="):
            raise InvalidPattern(f"Bad numeric range operator: {upper}")
        if len(spec) < 4:
            raise InvalidPattern(f"Value of {upper} must be numeric")
        top = _number(spec[3], upper)
        if len(spec) > 4:
            raise InvalidPattern("Too many terms in numeric range expression")
        if top < bound or (top == bound and (operator == ">" or upper == "<")):
            raise InvalidPattern("Bottom must be less than top")
        tests.append(_comparison(upper, top))
    return lambda v: _is_number(v) and math.isfinite(float(v)) and all(test(float(v)) for test in tests)


def _comparison(operator: str, bound: float) -> Callable[[float], bool]:
    return {
        "=": lambda x: x == bound, ">": lambda x: x > bound, ">=": lambda x: x >= bound,
        "<": lambda x: x < bound, "<=": lambda x: x <= bound,
    }[operator]


def _cidr_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """The network of a ``cidr`` filter, checked in Event Ruler's order and words (CIDR.java; AWS answers these
    reasons without a parser location)."""
    parts = text.split("/")
    while len(parts) > 1 and parts[-1] == "":  # Java's String.split drops trailing empty strings
        parts.pop()
    if len(parts) != 2:
        raise InvalidPattern("Malformed CIDR, one '/' required")
    address, mask = parts
    if not re.fullmatch(r"[+-]?[0-9]+", mask) or not -2**31 <= int(mask) < 2**31:
        raise InvalidPattern("Malformed CIDR, mask bits must be an integer")
    bits = int(mask)
    if bits < 0:
        raise InvalidPattern("Malformed CIDR, mask bits must not be negative")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise InvalidPattern(f"Nonstandard IP address: {address}") from None
    if bits > ip.max_prefixlen:
        raise InvalidPattern(f"IPv{ip.version} mask bits must be < {ip.max_prefixlen}")
    return ipaddress.ip_network(f"{address}/{bits}", strict=False)


def _cidr(spec: Any) -> Leaf:
    network = _cidr_network(_string_of(spec, "prefix"))  # "prefix": AWS's word for a cidr that is not a string

    def inside(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            return ipaddress.ip_address(value) in network
        except ValueError:
            return False

    return inside


def _anything_but(spec: Any) -> Leaf:
    if isinstance(spec, dict):
        if not spec:
            raise InvalidPattern("Anything-But expression name not found")
        name, inner = _single_key(spec)
        if name == "equals-ignore-case":
            values = inner if isinstance(inner, list) else [inner]
            if not values or not all(isinstance(value, str) for value in values):
                raise InvalidPattern(
                    "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
            folded = {value.casefold() for value in values}
            return lambda v: not (isinstance(v, str) and v.casefold() in folded)
        if name in ("prefix", "suffix", "wildcard"):
            if isinstance(inner, dict) and name != "wildcard":
                raise InvalidPattern("Value of anything-but must be an array or single string/number value.")
            if not isinstance(inner, str):
                raise InvalidPattern(f"{name} match pattern must be a string" if name == "wildcard"
                                     else "prefix/suffix match pattern must be a string")
            if not inner and name != "wildcard":
                raise InvalidPattern("Null prefix/suffix not allowed")
            positive = {"prefix": _prefix, "suffix": _suffix, "wildcard": _wildcard}[name](inner)
            return lambda v: isinstance(v, str) and not positive(v)
        raise InvalidPattern(f"Unsupported anything-but pattern: {name}")
    if isinstance(spec, list):
        if not spec or any(value is None or isinstance(value, (bool, dict, list)) for value in spec):
            raise InvalidPattern("Inside anything but list, start|null|boolean is not supported.")
        if len({_is_number(value) for value in spec}) > 1:
            raise InvalidPattern(
                "Inside anything but list, either all values are number or string, mixed type is not supported")
        excluded = list(spec)
    elif isinstance(spec, str) or _is_number(spec):
        excluded = [spec]
    else:
        raise InvalidPattern("Value of anything-but must be an array or single string/number value.")
    return lambda v: not any(_same_literal(value, v) for value in excluded)


_FILTERS: dict[str, Callable[[Any], Leaf]] = {
    "prefix": _prefix, "suffix": _suffix, "equals-ignore-case": _equals_ignore_case, "wildcard": _wildcard,
    "numeric": _numeric, "cidr": _cidr, "anything-but": _anything_but,
}


def _leaf_field(name: str, alternatives: list[Any]) -> _Field:
    if not alternatives:
        raise InvalidPattern("Empty arrays are not allowed")
    predicates: list[Leaf] = []
    absent_ok = False
    for alternative in alternatives:
        if isinstance(alternative, dict):
            kind, spec = _single_key(alternative)
            if kind == "exists":
                if not isinstance(spec, bool):
                    raise InvalidPattern("exists match pattern must be either true or false.")
                if spec:
                    predicates.append(lambda v: True)
                else:
                    absent_ok = True
                continue
            if kind not in _FILTERS:
                raise InvalidPattern(f"Unrecognized match type {kind}")
            predicates.append(_FILTERS[kind](spec))
        elif isinstance(alternative, list):
            raise InvalidPattern("Match value must be String, number, true, false, or null")
        else:
            predicates.append(lambda v, expected=alternative: _same_literal(expected, v))
    return _Field(tuple(predicates), absent_ok)


def _alternatives(value: Any) -> tuple[Pattern, ...]:
    """The objects of ``"$or"``, checked one by one in Event Ruler's words (JsonRuleCompiler)."""
    if not isinstance(value, list):
        raise InvalidPattern(f"It must be an Array followed with {_OR}.")
    compiled: list[Pattern] = []
    for item in value:
        if not isinstance(item, dict):
            raise InvalidPattern(f"Only JSON object is allowed in array of {_OR} relationship.")
        compiled.append(_compile_object(item))
    if len(compiled) < 2:
        raise InvalidPattern(f"There must have at least 2 Objects in {_OR} relationship.")
    return tuple(compiled)


def _compile_object(document: dict) -> Pattern:
    if not document:
        raise InvalidPattern("Empty objects are not allowed")
    fields: list[tuple[str, _Field]] = []
    children: list[tuple[str, Pattern]] = []
    alternatives: list[tuple[Pattern, ...]] = []
    for name, value in document.items():
        if name == _OR:
            alternatives.append(_alternatives(value))
        elif isinstance(value, dict):
            children.append((name, _compile_object(value)))
        elif isinstance(value, list):
            fields.append((name, _leaf_field(name, value)))
        else:
            raise InvalidPattern(f'"{name}" must be an object or an array')
    return Pattern(tuple(fields), tuple(children), tuple(alternatives))


def parse_pattern(text: str) -> dict:
    """Parse pattern JSON text into a dict, or raise InvalidPattern."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidPattern(str(exc)) from None
    if not isinstance(document, dict):
        raise InvalidPattern("Filter is not an object")
    return document


@lru_cache(maxsize=2048)
def compile_pattern(text: str) -> Pattern:
    """Validate and compile pattern JSON text (cached: stored rules are compiled once per process)."""
    return _compile_object(parse_pattern(text))
