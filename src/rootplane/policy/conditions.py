"""Condition operators with AWS semantics, compiled once per statement.

A Condition block ``{operator: {key: value-or-values}}`` compiles into a tuple of :class:`ConditionTest`.  All tests
must hold (operators AND, keys AND); the values of one key OR (NOR for negated operators).

Missing keys: positive operators are false, negated operators (``StringNotEquals``, ``ArnNotLike``,
``NotIpAddress`` ...) are true, ``...IfExists`` is true, ``ForAllValues:`` is true, ``ForAnyValue:`` is false,
``Null`` tests presence.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal, InvalidOperation
from typing import Callable, Mapping

from rootplane.policy.variables import (
    MULTI_VALUED, Context, Template, compile_globs, context_value_as_string, parse_template,
)

__all__ = ["ConditionTest", "compile_condition_block", "OPERATORS", "UnknownOperator", "parse_operator"]


class UnknownOperator(ValueError):
    """Raised for an operator name that is not one of AWS's."""


# operator -> (comparison family, negated)
_BASE: dict[str, tuple[str, bool]] = {
    "StringEquals": ("string", False), "StringNotEquals": ("string", True),
    "StringEqualsIgnoreCase": ("string_ci", False), "StringNotEqualsIgnoreCase": ("string_ci", True),
    "StringLike": ("string_like", False), "StringNotLike": ("string_like", True),
    "NumericEquals": ("num_eq", False), "NumericNotEquals": ("num_eq", True),
    "NumericLessThan": ("num_lt", False), "NumericLessThanEquals": ("num_le", False),
    "NumericGreaterThan": ("num_gt", False), "NumericGreaterThanEquals": ("num_ge", False),
    "DateEquals": ("date_eq", False), "DateNotEquals": ("date_eq", True),
    "DateLessThan": ("date_lt", False), "DateLessThanEquals": ("date_le", False),
    "DateGreaterThan": ("date_gt", False), "DateGreaterThanEquals": ("date_ge", False),
    "Bool": ("bool", False), "BinaryEquals": ("binary", False),
    "IpAddress": ("ip", False), "NotIpAddress": ("ip", True),
    "ArnEquals": ("arn", False), "ArnLike": ("arn", False), "ArnNotEquals": ("arn", True), "ArnNotLike": ("arn", True),
    "Null": ("null", False),
}
OPERATORS: frozenset[str] = frozenset(_BASE)
_BASE_CI = {name.lower(): name for name in _BASE}
_VARIABLE_FAMILIES = {"string", "string_ci", "string_like", "arn"}


def parse_operator(name: str) -> tuple[str, str | None, bool]:
    """Split ``ForAnyValue:StringLikeIfExists`` into (``StringLike``, ``any``, if_exists)."""
    qualifier: str | None = None
    rest = name
    low = name.lower()
    if low.startswith("foranyvalue:"):
        qualifier, rest = "any", name[len("ForAnyValue:"):]
    elif low.startswith("forallvalues:"):
        qualifier, rest = "all", name[len("ForAllValues:"):]
    if_exists = False
    if rest.lower().endswith("ifexists") and rest.lower() != "ifexists":
        if_exists, rest = True, rest[: -len("IfExists")]
    base = _BASE_CI.get(rest.lower())
    if base is None or (base == "Null" and (if_exists or qualifier)):
        raise UnknownOperator(name)
    return base, qualifier, if_exists


# ---------------------------------------------------------------------------------------------- value coercion
def _to_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def _to_epoch(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return value.timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text)
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = _dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_dt.timezone.utc)
    return parsed.timestamp()


def _to_bytes(value: object) -> bytes | None:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        return None


def _to_network(value: object) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(str(value).strip(), strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _address_from_text(text: str) -> tuple[int, int] | None:
    """(IP version, address as an integer); a request value given as CIDR uses its network address."""
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(text)
    except ValueError:
        net = _to_network(text)
        if net is None:
            return None
        address = net.network_address
    return address.version, int(address)


# ---------------------------------------------------------------------------------------------- compiled tests
Matcher = Callable[[object, Context], bool]


def _glob_matcher(templates: tuple[Template, ...], *, arn: bool) -> Matcher:
    """StringLike (``arn=False``) and ArnLike/ArnEquals (``arn=True``: the value must look like an ARN)."""
    globs = compile_globs((t for t in templates if not t.has_vars), arn=arn)
    dynamic = tuple(t for t in templates if t.has_vars)

    def glob(value: object, ctx: Context) -> bool:
        text = value if type(value) is str else context_value_as_string(value)
        if arn and (text.count(":") < 5 or not text.startswith("arn:")):
            return False
        if globs.matches(text):
            return True
        for t in dynamic:
            if t.matches(text, ctx, arn=arn):
                return True
        return False

    return glob


def _equals_matcher(templates: tuple[Template, ...], *, fold: bool) -> Matcher:
    """StringEquals (and StringEqualsIgnoreCase with ``fold``)."""
    literal_set = frozenset((t.literal().casefold() if fold else t.literal()) for t in templates if not t.has_vars)
    dynamic_t = tuple(t for t in templates if t.has_vars)

    def equals(value: object, ctx: Context) -> bool:
        text = value if type(value) is str else context_value_as_string(value)
        if fold:
            text = text.casefold()
        if text in literal_set:
            return True
        for t in dynamic_t:
            rendered = t.render(ctx)
            if rendered is not None and (rendered.casefold() if fold else rendered) == text:
                return True
        return False

    return equals


def _compare_matcher(convert: Callable[[object], object | None], values: list[str],
                     compare: Callable[[object, object], bool]) -> Matcher:
    converted = [c for c in (convert(v) for v in values) if c is not None]

    def check(value: object, ctx: Context) -> bool:
        request = convert(value)
        if request is None:
            return False
        return any(compare(request, policy) for policy in converted)

    return check


_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "eq": lambda a, b: a == b, "lt": lambda a, b: a < b, "le": lambda a, b: a <= b,  # type: ignore[operator]
    "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b,  # type: ignore[operator]
}


def _build_matcher(family: str, values: list[str], variables: bool) -> Matcher:
    if family in ("string", "string_ci"):
        return _equals_matcher(tuple(parse_template(v, variables) for v in values), fold=family == "string_ci")
    if family in ("string_like", "arn"):
        return _glob_matcher(tuple(parse_template(v, variables) for v in values), arn=family == "arn")
    if family.startswith("num_"):
        return _compare_matcher(_to_decimal, values, _COMPARE[family[4:]])
    if family.startswith("date_"):
        return _compare_matcher(_to_epoch, values, _COMPARE[family[5:]])
    if family == "bool":
        wanted = frozenset(v.lower() for v in values)
        return lambda value, ctx: context_value_as_string(value).lower() in wanted
    if family == "binary":
        return _compare_matcher(_to_bytes, values, _COMPARE["eq"])
    if family == "ip":
        # (version, netmask, network address) as integers: ``address in network`` without ipaddress objects
        networks = tuple((n.version, int(n.netmask), int(n.network_address))
                         for n in (_to_network(v) for v in values) if n is not None)

        def ip(value: object, ctx: Context) -> bool:
            address = _address_from_text(str(value).strip())
            if address is None:
                return False
            version, number = address
            for net_version, mask, network in networks:
                if version == net_version and number & mask == network:
                    return True
            return False

        return ip
    raise UnknownOperator(family)  # pragma: no cover


@dataclass(frozen=True, slots=True, eq=False)
class ConditionTest:
    """One (operator, key) pair of a Condition block.

    Tests are interned (equal tests of any statement are one object) and hash by identity, so a decision can
    remember each test's outcome: the outcome depends only on the request context.
    """

    operator: str            # as written in the policy
    key: str                 # lower-cased condition key
    negated: bool
    qualifier: str | None    # None | "any" | "all"
    if_exists: bool
    null_values: frozenset[bool] | None  # for Null: the wanted absence values
    match: Matcher | None

    def holds(self, context: Context) -> bool:
        values = context.get(self.key)
        if values is not None and (type(values) is str or not isinstance(values, MULTI_VALUED)):
            values = (values,)
        if self.null_values is not None:
            return (not values) in self.null_values
        if not values:
            if self.if_exists or self.qualifier == "all":
                return True
            if self.qualifier == "any":
                return False
            return self.negated
        match = self.match
        if self.qualifier is None:  # the common case: one key, any of its values matches
            for value in values:
                if match(value, context):
                    return not self.negated
            return self.negated
        if self.negated:
            per_value = (not match(v, context) for v in values)
        else:
            per_value = (match(v, context) for v in values)
        return any(per_value) if self.qualifier == "any" else all(per_value)


@lru_cache(maxsize=8192)
def _compile_test(operator: str, key: str, strings: tuple[str, ...], variables: bool) -> ConditionTest:
    base, qualifier, if_exists = parse_operator(operator)
    family, negated = _BASE[base]
    if family == "null":
        return ConditionTest(operator, key, False, None, False, frozenset(s.lower() == "true" for s in strings), None)
    use_vars = variables and family in _VARIABLE_FAMILIES
    return ConditionTest(operator, key, negated, qualifier, if_exists, None,
                         _build_matcher(family, list(strings), use_vars))


def compile_condition_block(block: Mapping[str, Mapping[str, object]], *, variables: bool) -> tuple[ConditionTest, ...]:
    """Compile a validated Condition block.  Raises :class:`UnknownOperator` for a bad operator name."""
    tests: list[ConditionTest] = []
    for operator, keys in block.items():
        for key, raw in keys.items():
            values = [raw] if not isinstance(raw, list) else raw
            strings = tuple(context_value_as_string(v) for v in values)
            tests.append(_compile_test(operator, key.lower(), strings, variables))
    return tuple(tests)
