"""Glob matching that cannot be made slow: ``*`` matches any run of characters, ``?`` exactly one.

A pattern is split on its ``*``s into segments (literal text with ``?`` holes).  The first segment must match at
the start of the text, the last at its end, and those in between are found left to right, each at its leftmost
place: a leftmost match never rules out a later segment, so no choice is ever revisited.  A decision costs one
``str.find`` (or, for a segment with ``?``, one search of a quantifier-free regex) per segment: O(len(text) x
len(pattern)) at worst, linear in practice, whatever the caller sends.  A backtracking regex for ``a*a*a*b`` is
polynomial in the text's length with the number of stars as the exponent.

ARN globs (``arn=True``): a wildcard in one of the first five ``:``-separated parts of the pattern does not cross
a ``:``, except in the last part the pattern has.  Those bounded parts are matched one by one against the text
cut at its colons, the rest of the text against the rest of the pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Protocol

__all__ = ["LIT", "STAR", "QMARK", "VALUE", "Token", "GlobMatcher", "compile_glob", "is_backtracking_safe"]

#: Token kinds: literal pattern text, ``*``, ``?``, and a substituted value (literal text whose colons do not
#: separate ARN parts).
LIT, STAR, QMARK, VALUE = 0, 1, 2, 3
Token = tuple[int, str]


class GlobMatcher(Protocol):
    def matches(self, text: str, start: int = 0, end: int | None = None) -> bool: ...


class _Segment:
    """Literal text with ``?`` holes, matched at a place or found from one."""

    __slots__ = ("text", "regex", "size")

    def __init__(self, tokens: list[Token]) -> None:
        self.text = "".join("?" if kind == QMARK else text for kind, text in tokens)
        self.size = len(self.text)
        holes = any(kind == QMARK for kind, _ in tokens)
        self.regex = re.compile("".join("." if kind == QMARK else re.escape(text) for kind, text in tokens),
                                re.DOTALL) if holes else None

    def at(self, text: str, pos: int, end: int) -> bool:
        if self.regex is None:
            return text.startswith(self.text, pos, end)
        return self.regex.match(text, pos, end) is not None

    def find(self, text: str, pos: int, end: int) -> int:
        if self.regex is None:
            return text.find(self.text, pos, end)
        found = self.regex.search(text, pos, end)
        return -1 if found is None else found.start()


@dataclass(frozen=True, slots=True)
class _Glob:
    head: _Segment
    middle: tuple[_Segment, ...]
    tail: _Segment | None  # None: the pattern has no ``*``
    minimum: int

    def matches(self, text: str, start: int = 0, end: int | None = None) -> bool:
        if end is None:
            end = len(text)
        if end - start < self.minimum:
            return False
        head, tail = self.head, self.tail
        if tail is None:
            return end - start == head.size and head.at(text, start, end)
        tail_start = end - tail.size
        if not head.at(text, start, end) or not tail.at(text, tail_start, end):
            return False
        pos = start + head.size
        for segment in self.middle:
            found = segment.find(text, pos, tail_start)
            if found < 0:
                return False
            pos = found + segment.size
        return True


@dataclass(frozen=True, slots=True)
class _ArnGlob:
    parts: tuple[tuple[_Glob, int], ...]  # the bounded parts, each with the colons its substituted values hold
    rest: _Glob

    def matches(self, text: str, start: int = 0, end: int | None = None) -> bool:
        if end is None:
            end = len(text)
        pos = start
        for glob, colons in self.parts:
            stop = pos - 1
            for _ in range(colons + 1):
                stop = text.find(":", stop + 1, end)
                if stop < 0:
                    return False
            if not glob.matches(text, pos, stop):
                return False
            pos = stop + 1
        return self.rest.matches(text, pos, end)


def _plain(tokens: Iterable[Token]) -> _Glob:
    segments: list[list[Token]] = [[]]
    for kind, text in tokens:
        if kind == STAR:
            segments.append([])
        elif text or kind == QMARK:
            segments[-1].append((QMARK, "?") if kind == QMARK else (LIT, text))
    compiled = [_Segment(s) for s in segments]
    if len(compiled) == 1:
        return _Glob(compiled[0], (), None, compiled[0].size)
    middle = tuple(s for s in compiled[1:-1] if s.size)
    return _Glob(compiled[0], middle, compiled[-1], sum(s.size for s in compiled))


def _arn_parts(tokens: Iterable[Token]) -> list[list[Token]]:
    """The tokens cut at the first five pattern colons (fewer if the pattern has fewer: the last part is free)."""
    tokens = list(tokens)
    total = sum(text.count(":") for kind, text in tokens if kind == LIT)
    cuts = min(5, total)
    parts: list[list[Token]] = [[]]
    for kind, text in tokens:
        if kind != LIT:
            parts[-1].append((kind, text))
            continue
        while len(parts) <= cuts and ":" in text:
            before, _, text = text.partition(":")
            parts[-1].append((LIT, before))
            parts.append([])
        parts[-1].append((LIT, text))
    return parts


def compile_glob(tokens: Iterable[Token], *, arn: bool) -> GlobMatcher:
    """Compile a pattern given as tokens (see the kinds above)."""
    if not arn:
        return _plain(tokens)
    *bounded, rest = _arn_parts(tokens)
    return _ArnGlob(tuple((_plain(p), sum(t.count(":") for _, t in p)) for p in bounded), _plain(rest))


def is_backtracking_safe(tokens: Iterable[Token], *, arn: bool) -> bool:
    """Whether a backtracking regex for this pattern runs in linear time: at most one ``*`` in each part it cannot
    leave (each bounded ARN part, and the rest); the caller may then keep its faster combined regex."""
    parts = _arn_parts(tokens) if arn else [list(tokens)]
    return all(sum(kind == STAR for kind, _ in part) <= 1 for part in parts)
