"""The regular expressions of CloudWatch Logs filter patterns (``%...%``), matched in linear time.

AWS's subset (FilterAndPatternSyntax, "Supported regular expressions"): letters, digits, the symbols
``: _ # = @ / ; , -`` and the operators ``^ $ ? [ ] { } | \\ * + .``; no parentheses, no multi-byte characters
(anything else is refused). Without groups, ``|`` separates whole alternatives and every quantifier
(``* + ? {m} {m,} {m,n}``, a trailing ``?`` being laziness, which a yes/no match ignores) applies to one character,
class or escape (``\\d \\D \\s \\S \\w \\W`` as in Java, ``\\xhh`` for the ASCII character of two hexadecimal digits,
or an escaped operator or symbol).

So every alternative is a sequence of *slots* (a character test, mandatory or optional, repeatable or not), once
bounded repetitions are unrolled (at most :data:`MAX_SLOTS`, rootplane's cap). The search (unanchored: AWS matches a regex
anywhere in the text) is a bit-parallel NFA simulation (extended Shift-And): one integer holds every alternative's
reached slots, each character costs a few integer operations (the epsilon moves over runs of optional slots are one
subtraction), and the steps already taken are cached. There is no backtracking: time is linear in the text whatever
the expression. ``^`` may only open an alternative and ``$`` only close one (rootplane refuses them elsewhere).
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["InvalidRegex", "Regex", "compile_regex", "MAX_SLOTS"]

MAX_SLOTS = 1000  # slots of all alternatives, bounded repetitions unrolled: rootplane's cap on a step's cost
_MAX_CACHED_STEPS = 8192
_ALLOWED = frozenset(string.ascii_letters + string.digits + ":_#=@/;,-" + "^$?[]{}|\\*+.")
_LINE_BREAKS = frozenset("\n\r\u0085\u2028\u2029")
_DIGITS = frozenset(string.digits)
_SPACES = frozenset(" \t\n\x0b\f\r")
_WORD = frozenset(string.ascii_letters + string.digits + "_")
_CLASSES = {"d": (_DIGITS, False), "D": (_DIGITS, True), "s": (_SPACES, False), "S": (_SPACES, True),
            "w": (_WORD, False), "W": (_WORD, True)}

Predicate = Callable[[str], bool]
_CHAR, _BOL, _EOL = range(3)


class InvalidRegex(ValueError):
    """The expression is not in AWS's supported subset."""


def _in(chars: frozenset[str], negated: bool) -> Predicate:
    return (lambda ch: ch not in chars) if negated else (lambda ch: ch in chars)


@dataclass(frozen=True)
class _Slot:
    """One character of an alternative: its test, whether it may be skipped and whether it may repeat."""

    test: Predicate
    optional: bool
    loops: bool


@dataclass
class _Branch:
    """One alternative: its slots and its anchors."""

    slots: list[_Slot] = field(default_factory=list)
    at_start: bool = False
    at_end: bool = False


class _Parser:
    """Recursive descent over the text into alternatives of slots."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.size = text, 0, 0

    def peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def take(self) -> str:
        ch = self.peek()
        if ch is None:
            raise InvalidRegex("unexpected end")
        self.pos += 1
        return ch

    # -- atoms -----------------------------------------------------------------------------------------------
    def escape(self) -> tuple[frozenset[str], bool]:
        ch = self.take()
        if ch in _CLASSES:
            return _CLASSES[ch]
        if ch == "x":  # \xhh: the ASCII character of two hexadecimal digits
            digits = self.text[self.pos:self.pos + 2]
            if len(digits) < 2 or not all(digit in string.hexdigits for digit in digits):
                raise InvalidRegex("\\x")
            self.pos += 2
            return frozenset(chr(int(digits, 16))), False
        if ch.isalnum():
            raise InvalidRegex(f"\\{ch}")
        return frozenset(ch), False

    def char_class(self) -> Predicate:
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        members: set[str] = set()
        named: list[Predicate] = []
        first = True
        while (ch := self.take()) != "]" or first:
            if ch == "[":
                raise InvalidRegex("[")
            if ch == "]":
                raise InvalidRegex("empty class")
            first = False
            if ch == "\\":
                chars, negate = self.escape()
                if negate or len(chars) > 1:
                    named.append(_in(chars, negate))
                    continue
                ch = next(iter(chars))
            if self.peek() == "-" and self.pos + 1 < len(self.text) and self.text[self.pos + 1] != "]":
                self.pos += 1
                end = self.take()
                if end == "\\":
                    chars, negate = self.escape()
                    if negate or len(chars) > 1:
                        raise InvalidRegex("range")
                    end = next(iter(chars))
                if end == "[" or ord(end) < ord(ch):
                    raise InvalidRegex("range")
                members.update(chr(code) for code in range(ord(ch), ord(end) + 1))
            else:
                members.add(ch)
        frozen = frozenset(members)
        if not named:
            return _in(frozen, negated)
        return lambda c: (c in frozen or any(test(c) for test in named)) != negated

    def atom(self) -> tuple[int, Predicate | None]:
        ch = self.take()
        if ch == "^":
            return _BOL, None
        if ch == "$":
            return _EOL, None
        if ch == ".":
            return _CHAR, _in(_LINE_BREAKS, True)
        if ch == "[":
            return _CHAR, self.char_class()
        if ch == "\\":
            return (_CHAR, _in(*self.escape()))
        if ch in "?*+{}]|":
            raise InvalidRegex(ch)
        return _CHAR, _in(frozenset(ch), False)

    # -- quantifiers -----------------------------------------------------------------------------------------
    def number(self) -> int | None:
        start = self.pos
        while (ch := self.peek()) is not None and ch.isdigit():
            self.pos += 1
        return int(self.text[start:self.pos]) if self.pos > start else None

    def bounds(self) -> tuple[int, int | None]:
        """``{m}``, ``{m,}``, ``{m,n}`` after the ``{``."""
        low = self.number()
        if low is None:
            raise InvalidRegex("{")
        high: int | None = low
        if self.peek() == ",":
            self.pos += 1
            high = self.number()
        if self.take() != "}" or high is not None and high < low or max(low, high or 0) > MAX_SLOTS:
            raise InvalidRegex("{")
        return low, high

    def quantifier(self) -> tuple[int, int | None]:
        ch = self.peek()
        if ch == "*":
            low, high = 0, None
        elif ch == "+":
            low, high = 1, None
        elif ch == "?":
            low, high = 0, 1
        elif ch == "{":
            self.pos += 1
            low, high = self.bounds()
            self.pos -= 1
        else:
            return 1, 1
        self.pos += 1
        if self.peek() == "?":
            self.pos += 1  # lazy: the same set of matches
        if self.peek() in ("*", "+", "?", "{"):
            raise InvalidRegex("repeated quantifier")
        return low, high

    # -- structure -------------------------------------------------------------------------------------------
    def add(self, branch: _Branch, test: Predicate, low: int, high: int | None) -> None:
        """Unroll ``test{low,high}`` into slots (``+`` is one mandatory slot that loops, ``*`` an optional one)."""
        copies = max(low, 1) if high is None else high
        self.size += copies
        if self.size > MAX_SLOTS:
            raise InvalidRegex("expression too large")
        for index in range(copies):
            last = index == copies - 1
            branch.slots.append(_Slot(test, optional=index >= low, loops=high is None and last))

    def branch(self) -> _Branch:
        branch = _Branch()
        while (ch := self.peek()) is not None and ch != "|":
            kind, pred = self.atom()
            low, high = self.quantifier()
            if kind != _CHAR and (low, high) != (1, 1):
                raise InvalidRegex("quantified anchor")
            if branch.at_end or kind == _BOL and branch.slots:
                raise InvalidRegex("anchor inside the expression")
            if kind == _BOL:
                branch.at_start = True
            elif kind == _EOL:
                branch.at_end = True
            else:
                assert pred is not None
                self.add(branch, pred, low, high)
        return branch

    def expression(self) -> list[_Branch]:
        branches = [self.branch()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.branch())
        return branches


class Regex:
    """A compiled expression: :meth:`search` tells whether it matches anywhere in a text.

    Bit ``k`` of an alternative's segment means "its first ``k`` slots are matched" (bit 0: nothing yet)."""

    def __init__(self, text: str, branches: list[_Branch]) -> None:
        self.text = text
        self._tests: list[tuple[int, _Slot]] = []  # (bit, slot)
        starts = anchored = done = done_at_end = low = fill = tops = 0
        offset = 0
        for branch in branches:
            start = 1 << offset
            if branch.at_start:
                anchored |= start
            else:
                starts |= start
            run_start = None  # the bit before the current run of optional slots
            for index, slot in enumerate(branch.slots, start=1):
                bit = offset + index
                self._tests.append((bit, slot))
                if slot.optional and run_start is None:
                    run_start = bit - 1
                if run_start is not None and (index == len(branch.slots) or not branch.slots[index].optional):
                    low |= 1 << run_start
                    tops |= 1 << bit
                    fill |= ((1 << (bit + 1)) - 1) ^ ((1 << (run_start + 1)) - 1)
                    run_start = None
            accept = 1 << (offset + len(branch.slots))
            if branch.at_end:
                done_at_end |= accept
            else:
                done |= accept
            offset += len(branch.slots) + 1
        self._starts, self._low, self._fill, self._tops = starts, low, fill, tops
        self._lower = fill & ~tops | low  # the bits of each run but its top
        self._done, self._done_at_end = done, done_at_end
        self._first = self._close(starts | anchored)
        self._masks: dict[str, tuple[int, int]] = {}
        self._steps: dict[tuple[int, str], int] = {}

    def _close(self, reached: int) -> int:
        """Skip optional slots: in each run, every bit from the lowest reached one up to the run's top."""
        if not self._low:
            return reached
        pending = (reached & self._lower) | self._tops
        return reached | (~(pending - self._low) ^ pending) & self._fill

    def _mask(self, ch: str) -> tuple[int, int]:
        """The slots ``ch`` passes, and those of them that may repeat."""
        found = self._masks.get(ch)
        if found is None:
            passes = loops = 0
            for bit, slot in self._tests:
                if slot.test(ch):
                    passes |= 1 << bit
                    if slot.loops:
                        loops |= 1 << bit
            found = self._masks[ch] = (passes, loops)
        return found

    def _step(self, reached: int, ch: str) -> int:
        passes, loops = self._mask(ch)
        found = self._close(((reached << 1) & passes) | (reached & loops) | self._starts)
        if len(self._steps) >= _MAX_CACHED_STEPS:
            self._steps.clear()
        self._steps[(reached, ch)] = found
        return found

    def search(self, text: str) -> bool:
        """Whether the expression matches somewhere in ``text`` (linear in its length)."""
        reached = self._first
        # Every test treats the non-ASCII characters other than line breaks alike: one stands for them all.
        chars = text if text.isascii() else (ch if ch < "\x80" or ch in _LINE_BREAKS else "\x80" for ch in text)
        done, steps, step = self._done, self._steps, self._step
        for ch in chars:
            if reached & done:
                return True
            following = steps.get((reached, ch))
            reached = step(reached, ch) if following is None else following
        return bool(reached & (done | self._done_at_end))


def compile_regex(text: str) -> Regex:
    """Compile the text between the ``%`` signs (raises :class:`InvalidRegex`)."""
    if not text:
        raise InvalidRegex("empty")
    bad = next((ch for ch in text if ch not in _ALLOWED), None)
    if bad is not None:
        raise InvalidRegex(bad)
    parser = _Parser(text)
    branches = parser.expression()
    if parser.pos != len(text):
        raise InvalidRegex(text[parser.pos:])
    return Regex(text, branches)
