"""Policy variables: ``${aws:username}``, ``${aws:PrincipalTag/team, 'default'}``, and the ``${*}``/``${?}``/``${$}`` escapes.

A policy string (a Resource ARN or a condition value) is compiled once into a :class:`Template`: a tuple of
tokens.  Tokens are literal text, the two glob wildcards (``*`` and ``?``), and variables.  At decision time a
template is *rendered* against the request context; a variable whose key is absent (and has no default) makes the
whole value unresolvable (``None``), which makes that value not match.

Variables are only recognised in documents with ``Version: 2012-10-17``; for ``2008-10-17`` documents the text is
literal (``variables=False``).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Mapping

from rootplane.policy.glob import LIT, QMARK, STAR, VALUE, compile_glob, is_backtracking_safe

__all__ = [
    "Template", "Globs", "Context", "MULTI_VALUED", "parse_template", "compile_globs", "context_value_as_string",
    "glob_regex",
]

#: A request's condition context: lower-case key -> one value, or several as a list, tuple, set or frozenset.
Context = Mapping[str, object]
MULTI_VALUED = (list, tuple, set, frozenset)

# Token kinds: the glob's literal text, ``*`` and ``?`` (rootplane.policy.glob), and variables.
VAR = VALUE + 1
# Template shapes, by the wildcards they hold: none, one ``*`` at the very end, anything else.
EXACT, PREFIX, GLOB = "exact", "prefix", "glob"

_ESCAPES = {"*": "*", "?": "?", "$": "$"}
_VAR_RE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT_RE = re.compile(r"^\s*([^,]+?)\s*,\s*'([^']*)'\s*$")


def context_value_as_string(value: object) -> str:
    """The string form AWS uses for a context value (booleans are ``true``/``false``, times ISO-8601 Z)."""
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


@dataclass(frozen=True, slots=True, eq=False)
class Template:
    """A compiled policy string.  ``tokens`` holds ``(kind, text, default)`` triples.

    Hashes by identity (templates are interned by :func:`parse_template`), so a decision can remember per
    template whether it matched the request's resource.  ``shape`` is EXACT (no wildcard: matching is
    equality), PREFIX (one ``*`` at the end and no other wildcard: matching is ``startswith``, as the glob's
    trailing ``*`` crosses ``:`` even in ARNs) or GLOB (a regular expression where that cannot backtrack
    badly, else a linear-time glob matcher: rootplane.policy.glob).
    """

    source: str
    tokens: tuple[tuple[int, str, str | None], ...]
    has_vars: bool
    shape: str

    def render(self, context: Context) -> str | None:
        """Substitute variables; wildcards are rendered as the characters ``*``/``?``.  None if unresolvable."""
        if not self.has_vars:
            return self.literal()
        out: list[str] = []
        for kind, text, default in self.tokens:
            if kind == VAR:
                value = resolve_variable(text, default, context)
                if value is None:
                    return None
                out.append(value)
            elif kind == STAR:
                out.append("*")
            elif kind == QMARK:
                out.append("?")
            else:
                out.append(text)
        return "".join(out)

    def matches(self, text: str, context: Context, *, arn: bool) -> bool:
        """Whether ``text`` matches this glob with the request's variable values (False if unresolvable)."""
        if self.shape == GLOB:
            matcher = self.matcher(context, arn=arn)
            return matcher is not None and matcher(text)
        rendered = self.render(context)
        if rendered is None:
            return False
        return text.startswith(rendered[:-1]) if self.shape == PREFIX else text == rendered

    def matcher(self, context: Context, *, arn: bool) -> Callable[[str], bool] | None:
        """The glob matcher for this request (cached per resolved variable values); None if unresolvable."""
        values = []
        for kind, text, default in self.tokens:
            if kind == VAR:
                value = resolve_variable(text, default, context)
                if value is None:
                    return None
                values.append(value)
        key = (self.source, arn, tuple(values))
        matcher = _MATCHERS.get(key)
        if matcher is None:
            if len(_MATCHERS) > 8192:
                _MATCHERS.clear()
            rendered = iter(values)
            tokens = [(VALUE, next(rendered)) if kind == VAR else (kind, text) for kind, text, _ in self.tokens]
            if is_backtracking_safe(tokens, arn=arn):
                regex = glob_regex(self.regex_source(context, arn=arn) or "")
                matcher = _MATCHERS[key] = lambda text: regex.match(text) is not None
            else:
                matcher = _MATCHERS[key] = compile_glob(tokens, arn=arn).matches
        return matcher

    def literal(self) -> str:
        """The text with escapes applied (only meaningful when there are no variables)."""
        return "".join("*" if k == STAR else "?" if k == QMARK else t for k, t, _ in self.tokens)

    def regex_source(self, context: Context | None, *, arn: bool) -> str | None:
        """A regular expression (anchored by the caller) for glob matching; None if a variable is unresolvable.

        With ``arn=True`` a wildcard in one of the first five ``:``-separated ARN parts cannot cross a ``:``
        (except in the last part the pattern has); in the resource part it matches anything.
        """
        out: list[str] = []
        colons = 0
        total_colons = sum(t.count(":") for k, t, _ in self.tokens if k == LIT) if arn else 0
        for kind, text, default in self.tokens:
            if kind == LIT:
                out.append(re.escape(text))
                colons += text.count(":")
            elif kind == VAR:
                if context is None:
                    return None
                value = resolve_variable(text, default, context)
                if value is None:
                    return None
                out.append(re.escape(value))
            else:
                bounded = arn and colons < 5 and colons < total_colons
                if kind == STAR:
                    out.append("[^:]*" if bounded else ".*")
                else:
                    out.append("[^:]" if bounded else ".")
        return "".join(out)


_MATCHERS: dict[tuple[str, bool, tuple[str, ...]], Callable[[str], bool]] = {}


def resolve_variable(key: str, default: str | None, context: Context) -> str | None:
    """Look a variable up in the (lower-cased) context; a multi-valued or absent key uses the default."""
    value = context.get(key)
    if value is None:
        return default
    if type(value) is not str and isinstance(value, MULTI_VALUED):
        if len(value) != 1:
            return default
        (value,) = value
    return context_value_as_string(value)


@lru_cache(maxsize=4096)
def parse_template(text: str, variables: bool = True) -> Template:
    """Compile a policy string into a :class:`Template`."""
    tokens: list[tuple[int, str, str | None]] = []
    literal: list[str] = []

    def flush() -> None:
        if literal:
            tokens.append((LIT, "".join(literal), None))
            literal.clear()

    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if variables and ch == "$" and text.startswith("${", i):
            m = _VAR_RE.match(text, i)
            if m:
                body = m.group(1)
                if body in _ESCAPES:
                    literal.append(_ESCAPES[body])
                else:
                    default: str | None = None
                    dm = _DEFAULT_RE.match(body)
                    key = body.strip()
                    if dm:
                        key, default = dm.group(1), dm.group(2)
                    flush()
                    tokens.append((VAR, key.lower(), default))
                i = m.end()
                continue
        if ch == "*":
            flush()
            tokens.append((STAR, "*", None))
        elif ch == "?":
            flush()
            tokens.append((QMARK, "?", None))
        else:
            literal.append(ch)
        i += 1
    flush()
    wildcards = [i for i, (k, _, _) in enumerate(tokens) if k in (STAR, QMARK)]
    if not wildcards:
        shape = EXACT
    elif wildcards == [len(tokens) - 1] and tokens[-1][0] == STAR:
        shape = PREFIX
    else:
        shape = GLOB
    return Template(source=text, tokens=tuple(tokens), has_vars=any(k == VAR for k, _, _ in tokens), shape=shape)


@lru_cache(maxsize=8192)
def glob_regex(source: str) -> re.Pattern[str]:
    """Compile (and cache) an anchored regex built by :meth:`Template.regex_source`."""
    return re.compile(f"(?:{source})\\Z", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Globs:
    """Policy strings without variables, compiled together: exact ones, ``prefix*`` ones, one regex for the globs
    a backtracking regex decides in linear time, and glob matchers (rootplane.policy.glob) for the others."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]
    regex: re.Pattern[str] | None
    others: tuple[Callable[[str], bool], ...] = ()

    def matches(self, text: str) -> bool:
        if text in self.exact:
            return True
        if self.prefixes and text.startswith(self.prefixes):
            return True
        if self.regex is not None and self.regex.match(text) is not None:
            return True
        for other in self.others:
            if other(text):
                return True
        return False


def compile_globs(templates: Iterable[Template], *, arn: bool) -> Globs:
    """Compile templates that have no variables (``arn``: ARN-aware wildcards, see :meth:`Template.regex_source`)."""
    exact: set[str] = set()
    prefixes: list[str] = []
    regexes: list[str] = []
    others: list[Callable[[str], bool]] = []
    for template in templates:
        if template.shape == EXACT:
            exact.add(template.literal())
        elif template.shape == PREFIX:
            prefixes.append(template.literal()[:-1])
        else:
            tokens = [(kind, text) for kind, text, _ in template.tokens]
            if is_backtracking_safe(tokens, arn=arn):
                regexes.append(template.regex_source(None, arn=arn) or "")
            else:
                others.append(compile_glob(tokens, arn=arn).matches)
    return Globs(frozenset(exact), tuple(prefixes), glob_regex("|".join(regexes)) if regexes else None,
                 tuple(others))
