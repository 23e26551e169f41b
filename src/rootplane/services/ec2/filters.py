"""EC2 ``Filter.N.Name`` / ``Filter.N.Value.M``: filters AND together, the values of one filter OR together, and
a value may hold the wildcards ``*`` and ``?`` (``\\*``, ``\\?`` and ``\\\\`` are the literal characters)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rootplane.core.errors import AwsError
from rootplane.policy.glob import LIT, QMARK, STAR, Token, compile_glob

__all__ = ["Matcher", "compile_filters"]

#: item (its filterable fields: filter name -> value) -> whether every filter matches.
Matcher = Callable[[Mapping[str, str]], bool]


def _tokens(value: str) -> list[Token]:
    tokens: list[Token] = []
    index = 0
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value) and value[index + 1] in "*?\\":
            tokens.append((LIT, value[index + 1]))
            index += 2
            continue
        tokens.append((STAR, char) if char == "*" else (QMARK, char) if char == "?" else (LIT, char))
        index += 1
    return tokens


def compile_filters(filters: list[dict[str, Any]] | None, known: frozenset[str]) -> Matcher:
    """A matcher for the request's filters; an unknown filter name is EC2's InvalidParameterValue."""
    compiled: list[tuple[str, list[Callable[..., bool]]]] = []
    for item in filters or ():
        name = item.get("Name") or ""
        if name not in known:
            raise AwsError("InvalidParameterValue", f"The filter '{name}' is invalid", 400)
        compiled.append((name, [compile_glob(_tokens(value), arn=False).matches for value in item.get("Values") or ()]))

    def matches(fields: Mapping[str, str]) -> bool:
        return all(any(match(fields.get(name, "")) for match in values) for name, values in compiled)

    return matches
