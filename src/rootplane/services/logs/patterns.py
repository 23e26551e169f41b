"""CloudWatch Logs filter patterns: parse once, then match log event messages in linear time.

Three forms, as AWS documents them (FilterAndPatternSyntax):

* **terms**: ``ERROR``, ``"quoted phrase"`` (every term must occur, case-sensitive; one with characters other than
  letters, digits and ``_`` must be quoted), ``-term`` (must not occur),
  ``?term ?other`` (at least one of them must occur; ignored next to other terms); an empty pattern and ``" "``
  match every event;
* **JSON** ``{ ... }``: comparisons of ``$.a.b[0]`` selectors (``=``, ``!=`` with strings, a leading or trailing
  ``*`` being a wildcard, or numbers; ``<``, ``<=``, ``>``, ``>=`` with numbers; ``NOT EXISTS``, ``IS NULL``,
  ``IS TRUE``, ``IS FALSE``; AWS has no ``EXISTS`` and no ``IS NOT``) joined by ``&&`` and ``||`` (``&&`` binds
  tighter) and parentheses; ``$.['key.with.periods']`` selects such a key, and one wildcard ``$.*`` / ``$.a[*]``
  per selector (three per pattern) selects any field or element, the comparison holding for any of them; a
  selector that points to an array or object never matches, nor does an event that is not a JSON object;
* **space-delimited** ``[ip, user, ..., status=4*, size>1000]``: the event's fields (split on spaces; ``"..."`` and
  ``[...]`` are one field, without their quotes or brackets) matched one by one, ``...`` standing for any number
  of fields (extracted by position, ``$1``...; without one, the last field holds the rest of the line:
  ``[w1=ERROR, w2]``); a field's conditions may be joined with ``&&`` and ``||``;
* **regular expressions** ``%...%`` (AWS's subset, :mod:`rootplane.services.logs.regex`): a whole pattern of its own
  (matching anywhere in the event), or the value of an ``=``/``!=`` in JSON and space-delimited patterns, at most
  :data:`MAX_REGEXES` of them there.

Matching never backtracks: wildcards go through :mod:`rootplane.policy.glob`, regular expressions through a
bit-parallel NFA simulation, a JSON selector is one walk down the parsed event (fanning out once at its wildcard),
and the fields between two ``...`` are placed at their leftmost fit (fields are independent, so a leftmost fit
never rules out a later one). :class:`InvalidPattern` reports a pattern AWS would refuse.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from rootplane.policy.glob import LIT, STAR, GlobMatcher, compile_glob
from rootplane.services.logs.regex import InvalidRegex, Regex, compile_regex

__all__ = ["InvalidPattern", "FilterPattern", "Match", "compile_pattern", "field_value", "is_reference", "MAX_REGEXES"]

MAX_REGEXES = 2  # per JSON or space-delimited pattern (AWS's quota)

_MISSING = object()


class InvalidPattern(ValueError):
    """The pattern is not one AWS accepts."""


@dataclass(frozen=True)
class Match:
    """A matching event: the values its pattern's named fields took (``$.a.b`` or ``$name`` -> value) and, for a
    space-delimited pattern, all the event's fields in order (``$1``, ``$2``... name them by position)."""

    fields: dict[str, Any] = field(default_factory=dict)
    positions: tuple[str, ...] = ()


# -- values ----------------------------------------------------------------------------------------------------
def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _regex(text: str) -> Regex:
    try:
        return compile_regex(text)
    except InvalidRegex as error:
        raise InvalidPattern(f"%{text}%: {error}") from None


@dataclass(frozen=True)
class _Value:
    """A literal of a comparison: a string (glob when it has ``*``, also matched against a number's JSON text) and,
    when it reads as one, a number; or a regular expression (``%...%``), which strings and numbers (their JSON text)
    are searched with."""

    text: str
    number: float | None
    glob: GlobMatcher
    regex: Regex | None = None

    @classmethod
    def pattern(cls, text: str) -> "_Value":
        return cls(text, None, compile_glob([], arn=False), _regex(text))

    @classmethod
    def of(cls, text: str, quoted: bool, inner_stars: bool = True) -> "_Value":
        """A literal; without ``inner_stars`` (JSON strings) only a leading and a trailing ``*`` are wildcards."""
        if inner_stars:
            parts = text.split("*")
        else:
            lead, trail = text.startswith("*"), len(text) > 1 and text.endswith("*")
            parts = ([""] if lead else []) + [text[lead:len(text) - trail]] + ([""] if trail else [])
        tokens = []
        for index, part in enumerate(parts):
            if index:
                tokens.append((STAR, "*"))
            if part:
                tokens.append((LIT, part))
        return cls(text, None if quoted else _number(text), compile_glob(tokens, arn=False))

    def equals(self, actual: Any) -> bool:
        if isinstance(actual, bool) or actual is None:
            return False
        if self.regex is not None:
            return isinstance(actual, (str, int, float)) and self.regex.search(
                actual if isinstance(actual, str) else json.dumps(actual))
        if isinstance(actual, (int, float)):
            if self.number is not None:
                return float(actual) == self.number
            # a wildcard matches a number's JSON text (the CDK's exists() is ``= "*"``, used on numbers)
            return "*" in self.text and self.glob.matches(json.dumps(actual))
        if isinstance(actual, str):
            return self.glob.matches(actual)
        return False


_ORDER: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def _compare(op: str, actual: Any, value: _Value) -> bool:
    """``actual op value`` where ``actual`` is a field's value; a selector that points to an array or object never
    matches."""
    if isinstance(actual, (dict, list)):
        return False
    if op == "=":
        return value.equals(actual)
    if op == "!=":
        return not value.equals(actual)
    number = actual if isinstance(actual, (int, float)) and not isinstance(actual, bool) else (
        _number(actual) if isinstance(actual, str) else None)
    return number is not None and value.number is not None and _ORDER[op](float(number), value.number)


# -- tokens ----------------------------------------------------------------------------------------------------
_TOKEN = re.compile(r"""\s*(?:
    (?P<quoted>"(?:[^"\\]|\\.)*")
  | (?P<regex>%[^%\s]*%)
  | (?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\)|,)
  | (?P<word>[^\s"&|!=<>(),]+)
)""", re.VERBOSE | re.DOTALL)


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) pairs: ``quoted`` (unescaped), ``regex`` (without its ``%`` signs), ``op``, ``word``."""
    text = text.strip()  # then every run of spaces is followed by a token
    found, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise InvalidPattern(text[pos:])
        pos = match.end()
        kind = match.lastgroup or "word"
        value = match.group(kind)
        if kind == "quoted":
            try:
                value = json.loads(value)
            except ValueError:
                value = value[1:-1]
        elif kind == "regex":
            value = value[1:-1]
        found.append((kind, value))
    return found


class _Stream:
    def __init__(self, tokens: list[tuple[str, str]], json_values: bool = False) -> None:
        self.tokens, self.pos, self.json_values = tokens, 0, json_values

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise InvalidPattern("unexpected end")
        self.pos += 1
        return token

    def accept(self, kind: str, text: str | None = None) -> bool:
        token = self.peek()
        if token is not None and token[0] == kind and (text is None or token[1].upper() == text):
            self.pos += 1
            return True
        return False

    def value(self) -> _Value:
        kind, text = self.take()
        if kind == "op":
            raise InvalidPattern(text)
        return _Value.pattern(text) if kind == "regex" else _Value.of(text, kind == "quoted", not self.json_values)

    def has_regex(self) -> bool:
        return any(kind == "regex" for kind, _ in self.tokens)

    def check_regexes(self) -> None:
        """AWS's quota of regular expressions in one JSON or space-delimited pattern."""
        if sum(kind == "regex" for kind, _ in self.tokens) > MAX_REGEXES:
            raise InvalidPattern(f"more than {MAX_REGEXES} regular expressions")


def _condition(stream: _Stream) -> tuple[str, _Value]:
    """``op value`` of a comparison (an ordering needs a number)."""
    kind, op = stream.take()
    if kind != "op" or op not in ("=", "!=", *_ORDER):
        raise InvalidPattern(op)
    value = stream.value()
    if op in _ORDER and value.number is None:
        raise InvalidPattern(value.text)  # a regular expression included: it only goes with = and !=
    return op, value


# -- JSON patterns ---------------------------------------------------------------------------------------------
_KEY = r"[A-Za-z0-9_\-@:]+"
_STEP = re.compile(rf"\.({_KEY})|\[(\d+)\]|\.?\['([^']*)'\]|\.\*|\[\*\]")
_SELECTOR = re.compile(rf"\$(?:\.{_KEY}|\[\d+\]|\.?\['[^']*'\]|\.\*|\[\*\])+$")
_ANY = None  # the wildcard step: any array element or object field
MAX_WILDCARDS = 3  # wildcard selectors in one JSON pattern (AWS's quota; one per property selector)

Step = str | int | None


def _selector(text: str) -> tuple[Step, ...]:
    """The steps of ``$.a.b[0]``, ``$.['key.with.periods']``, ``$.*`` or ``$.a[*]`` (at most one wildcard)."""
    if _SELECTOR.match(text) is None:
        raise InvalidPattern(text)
    steps = tuple(int(step.group(2)) if step.group(2) is not None else
                  step.group(1) if step.group(1) is not None else step.group(3)
                  for step in _STEP.finditer(text[1:]))
    if steps.count(_ANY) > 1:
        raise InvalidPattern(f"{text}: more than one wildcard selector")
    return steps


def _resolve(document: Any, path: tuple[Step, ...]) -> list[Any]:
    """The values a selector points to in ``document`` (none when absent; a wildcard may give several)."""
    found = [document]
    for step in path:
        reached: list[Any] = []
        for node in found:
            if step is _ANY:
                reached.extend(node.values() if isinstance(node, dict) else node if isinstance(node, list) else ())
            elif isinstance(step, int):
                if isinstance(node, list) and step < len(node):
                    reached.append(node[step])
            elif isinstance(node, dict) and step in node:
                reached.append(node[step])
        found = reached
    return found


Node = Callable[[Any, dict[str, Any]], bool]


def _json_comparison(stream: _Stream) -> Node:
    kind, text = stream.take()
    if kind != "word":
        raise InvalidPattern(text)
    name, path = text, _selector(text)

    def record(event: Any, seen: dict[str, Any]) -> list[Any]:
        found = _resolve(event, path)
        if found:
            seen[name] = found[0]
        return found

    if stream.accept("word", "NOT"):
        if not stream.accept("word", "EXISTS"):
            raise InvalidPattern("NOT")
        return lambda event, seen: not _resolve(event, path)
    if stream.accept("word", "IS"):
        kind, word = stream.take()
        wanted = {"NULL": None, "TRUE": True, "FALSE": False}.get(word.upper(), _MISSING) if kind == "word" else _MISSING
        if wanted is _MISSING:
            raise InvalidPattern(word)
        return lambda event, seen: any(actual is wanted for actual in record(event, seen))
    op, value = _condition(stream)
    return lambda event, seen: any(_compare(op, actual, value) for actual in record(event, seen))


def _json_or(stream: _Stream) -> Node:
    terms = [_json_and(stream)]
    while stream.accept("op", "||"):
        terms.append(_json_and(stream))
    return terms[0] if len(terms) == 1 else (lambda event, seen: any(term(event, seen) for term in terms))


def _json_and(stream: _Stream) -> Node:
    terms = [_json_unary(stream)]
    while stream.accept("op", "&&"):
        terms.append(_json_unary(stream))
    return terms[0] if len(terms) == 1 else (lambda event, seen: all(term(event, seen) for term in terms))


def _json_unary(stream: _Stream) -> Node:
    if stream.accept("op", "("):
        node = _json_or(stream)
        if not stream.accept("op", ")"):
            raise InvalidPattern("missing )")
        return node
    return _json_comparison(stream)


# -- space-delimited patterns ----------------------------------------------------------------------------------
_ELLIPSIS = "..."
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


@dataclass(frozen=True)
class _Field:
    name: str
    test: Callable[[str], bool]


def _field(stream: _Stream) -> _Field | None:
    """One comma-separated field of a space-delimited pattern (None: ``...``): ``name``, or ``name op value``
    followed by more conditions joined with ``&&``/``||`` (each may repeat the name)."""
    kind, name = stream.take()
    if kind == "word" and name == _ELLIPSIS:
        return None
    if kind != "word" or not _FIELD_NAME.match(name):
        raise InvalidPattern(name)
    token = stream.peek()
    if token is None or token == ("op", ","):
        return _Field(name, lambda text: True)
    alternatives: list[list[tuple[str, _Value]]] = [[_condition(stream)]]
    while (token := stream.peek()) is not None and token != ("op", ","):
        if stream.accept("op", "||"):
            alternatives.append([])
        elif not stream.accept("op", "&&"):
            raise InvalidPattern(token[1])
        stream.accept("word", name.upper())
        alternatives[-1].append(_condition(stream))
    return _Field(name, lambda text: any(all(_compare(op, text, value) for op, value in conditions)
                                         for conditions in alternatives))


_POSITION = re.compile(r"\$[1-9][0-9]*")  # a field by its position (those "..." stands for)
_EVENT_FIELD = re.compile(r'"([^"]*)"?|\[([^\]]*)\]?|(\S+)')


def _event_fields(message: str, count: int | None = None) -> list[str]:
    """The fields of an event; with ``count`` (a pattern without ``...``), at most that many, the last one holding
    the rest of the line."""
    found = list(_EVENT_FIELD.finditer(message))
    values = [next(group for group in match.groups() if group is not None) for match in found]
    if count and len(found) > count:
        values[count - 1:] = [message[found[count - 1].start():].rstrip()]
    return values


def _fit(run: list[_Field], values: list[str], at: int) -> bool:
    return all(spec.test(values[at + index]) for index, spec in enumerate(run))


def _place(runs: list[list[_Field]], values: list[str], open_start: bool, open_end: bool) -> list[int] | None:
    """Where each run of fields between ``...`` starts: the first at 0 unless the pattern opens with ``...``,
    the last at the end unless it closes with one, the others at their leftmost fit."""
    starts = [0] * len(runs)
    low, high, first, last = 0, len(values), 0, len(runs)
    if not open_end:
        at = high - len(runs[-1])
        if at < 0 or not _fit(runs[-1], values, at):
            return None
        starts[-1], high, last = at, at, last - 1
    if not open_start and first < last:
        if len(runs[0]) > high or not _fit(runs[0], values, 0):
            return None
        low, first = len(runs[0]), 1
    for index in range(first, last):
        run = runs[index]
        at = next((start for start in range(low, high - len(run) + 1) if _fit(run, values, start)), -1)
        if at < 0:
            return None
        starts[index], low = at, at + len(run)
    return starts


# -- the compiled pattern --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FilterPattern:
    """A compiled filter pattern. ``kind`` is ``terms``, ``json`` or ``delimited`` (dimensions need the last two)."""

    text: str
    kind: str
    _match: Callable[[str], Match | None]
    names: frozenset[str] = frozenset()  # the field references the pattern defines ($.a.b or $name)
    has_regex: bool = False  # a quota of AWS counts the patterns with regular expressions

    def match(self, message: str) -> Match | None:
        """The match of one event message, or None."""
        return self._match(message)

    def matches(self, message: str) -> bool:
        return self._match(message) is not None


_TERM = re.compile(r"[A-Za-z0-9_]+")  # what a term may hold outside double quotes


def _compile_terms(text: str) -> FilterPattern:
    required: list[str] = []
    excluded: list[str] = []
    optional: list[str] = []
    prefix = ""
    for kind, word in _tokens(text):
        if kind in ("op", "regex") or prefix and kind != "quoted":
            raise InvalidPattern(word)
        if kind == "word" and word[0] in "-?":
            prefix, word = word[0], word[1:]
            if not word:
                continue  # -"quoted phrase", ?"quoted phrase"
        if kind == "word" and not _TERM.fullmatch(word):
            raise InvalidPattern(word)  # other characters need double quotes
        if kind == "quoted" and not word.strip():
            prefix = ""  # " " matches everything
            continue
        {"": required, "-": excluded, "?": optional}[prefix].append(word)
        prefix = ""
    if prefix:
        raise InvalidPattern(text)
    if required or excluded:
        optional = []  # "?" terms combined with other terms are ignored

    def match(message: str) -> Match | None:
        if all(term in message for term in required) and not any(term in message for term in excluded) and (
                not optional or any(term in message for term in optional)):
            return Match()
        return None
    return FilterPattern(text, "terms", match)


def _compile_regex(text: str) -> FilterPattern:
    regex = _regex(text[1:-1])
    return FilterPattern(text, "terms", lambda message: Match() if regex.search(message) else None, has_regex=True)


def _compile_json(text: str) -> FilterPattern:
    stream = _Stream(_tokens(text[1:-1]), json_values=True)
    if stream.peek() is None:
        raise InvalidPattern(text)
    stream.check_regexes()
    node = _json_or(stream)
    if stream.peek() is not None:
        raise InvalidPattern(stream.peek()[1])
    names = frozenset(word for kind, word in stream.tokens if kind == "word" and word.startswith("$"))
    if sum(_selector(name).count(_ANY) for name in names if _SELECTOR.match(name)) > MAX_WILDCARDS:
        raise InvalidPattern(f"more than {MAX_WILDCARDS} wildcard selectors")

    def match(message: str) -> Match | None:
        stripped = message.strip()
        if not stripped.startswith("{"):
            return None
        try:
            event = json.loads(stripped)
        except (ValueError, RecursionError):
            return None
        seen: dict[str, Any] = {}
        return Match(seen) if isinstance(event, dict) and node(event, seen) else None
    return FilterPattern(text, "json", match, names, stream.has_regex())


def _compile_delimited(text: str) -> FilterPattern:
    stream = _Stream(_tokens(text[1:-1]))
    stream.check_regexes()
    runs: list[list[_Field]] = [[]]
    ellipses = open_start = open_end = 0
    while stream.peek() is not None:
        spec = _field(stream)
        open_end = spec is None
        if spec is None:
            ellipses += 1
            open_start = open_start or not any(runs)
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(spec)
        if stream.peek() is not None and not stream.accept("op", ","):
            raise InvalidPattern(stream.peek()[1])
        if stream.peek() is None and stream.tokens[-1] == ("op", ","):  # a trailing comma: one more, unnamed field
            runs[-1].append(_Field("", lambda text: True))
            open_end = False
    if not runs[-1]:
        runs.pop()
    names = [spec.name for run in runs for spec in run if spec.name]
    if len(set(names)) != len(names):
        raise InvalidPattern("duplicate field name")
    count = sum(len(run) for run in runs)

    def match(message: str) -> Match | None:
        values = _event_fields(message, None if ellipses else count)
        if not ellipses and len(values) != count:
            return None
        starts = _place(runs, values, bool(open_start), bool(open_end)) if runs else []
        if starts is None:
            return None
        named = {at + index: spec.name for run, at in zip(runs, starts) for index, spec in enumerate(run)}
        return Match({f"${named.get(index) or index + 1}": value for index, value in enumerate(values)},
                     tuple(values))
    return FilterPattern(text, "delimited", match, frozenset(f"${name}" for name in names), stream.has_regex())


def compile_pattern(text: str) -> FilterPattern:
    """Compile a filter pattern (raises :class:`InvalidPattern`)."""
    stripped = text.strip()
    if stripped.startswith("{"):
        if not stripped.endswith("}"):
            raise InvalidPattern(text)
        return _compile_json(stripped)
    if stripped.startswith("["):
        if not stripped.endswith("]"):
            raise InvalidPattern(text)
        return _compile_delimited(stripped)
    if len(stripped) > 1 and stripped.startswith("%") and stripped.endswith("%"):
        return _compile_regex(stripped)
    return _compile_terms(stripped)


def field_value(pattern: FilterPattern, message: str, match: Match, reference: str) -> Any:
    """The value of ``$.a.b``, ``$name`` or ``$3`` in a matched event (``None`` when absent): a JSON pattern may
    name any member of the event, a space-delimited one its own fields or any field by position."""
    if reference in match.fields:
        return match.fields[reference]
    if pattern.kind != "json":
        position = int(reference[1:]) if _POSITION.fullmatch(reference) else 0
        return match.positions[position - 1] if 0 < position <= len(match.positions) else None
    try:
        event = json.loads(message)
    except (ValueError, RecursionError):
        return None
    found = _resolve(event, _selector(reference))
    return found[0] if found else None


def is_reference(pattern: FilterPattern, text: str) -> bool:
    """Whether ``text`` names a field of events this pattern matches (``$.a.b`` for JSON, ``$name`` it defines or
    ``$3``, a position, for space-delimited patterns)."""
    if pattern.kind == "json":
        try:
            return bool(_selector(text))
        except InvalidPattern:
            return False
    return pattern.kind == "delimited" and (text in pattern.names or _POSITION.fullmatch(text) is not None)
