"""The regular expressions of CloudWatch Logs filter patterns (``%...%``): AWS's documented examples, its supported
subset (anything else refused), agreement with Python's ``re`` on that subset, and linear time on pathological
expressions."""

from __future__ import annotations

import random
import re
import time

import pytest

from rootplane.services.logs.regex import MAX_SLOTS, InvalidRegex, compile_regex

DOCUMENTED = [
    # (expression, text, matches): AWS's examples of each supported operator.
    ("AUTHORIZED", "[ERROR 401] UNAUTHORIZED REQUEST", True),
    ("AUTHORIZED", "[SUCCESS 200] AUTHORIZED REQUEST", True),
    ("^[hc]at", "hat trick", True),
    ("^[hc]at", "that", False),
    ("[hc]at$", "a cat", True),
    ("[hc]at$", "cats", False),
    ("colou?r", "color", True),
    ("colou?r", "colour", True),
    ("[abcx-z]", "y", True),
    ("[abcx-z]", "d", False),
    ("^a{3,5}$", "aaaa", True),
    ("^a{3,5}$", "aa", False),
    ("^a{3,5}$", "aaaaaa", False),
    ("gray|grey", "grey", True),
    ("[Ee]rror|[Ff]ail", "Fail to start", True),
    ("10\\.10\\.0\\.1", "10.10.0.1", True),
    ("10\\.10\\.0\\.1", "10a10b0c1", False),
    ("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}", "from 192.0.2.10 port 22", True),
    ("^\\S+\\s\\w+$", "GET index_1", True),
    ("^\\D\\W", "a-", True),
    ("ab*c", "ac", True),
    ("ab+c", "ac", False),
    ("a.c", "a\nc", False),  # . stops at line breaks, as in Java
    ("^$", "", True),
    ("[^0-9]", "123", False),
    ("a{2,}", "aa", True),
    ("a+?b", "aab", True),  # a lazy quantifier matches the same texts
    ("\\x3A", "a:b", True),  # \xhh: the ASCII character of two hexadecimal digits
    ("\\x28", "f(x)", True),
    ("[\\x28x]", "(", True),
    ("\\x3a", "ab", False),
]


@pytest.mark.parametrize(("expression", "text", "expected"), DOCUMENTED)
def test_documented_operators(expression, text, expected):
    assert compile_regex(expression).search(text) is expected


@pytest.mark.parametrize("expression", [
    "something!",  # AWS's own example: '!' is not supported
    "(a|b)", "a(b)", "a b", "a%b", "caf\u00e9", "", "*a", "a**", "a{2}{3}", "a{3,2}", "a{", "a{x}", "[]",
    "[a", "[z-a]", "\\q", "a^b", "a$b", "^*", "a{2000}", "[a[b]]", "\\", "\\x", "\\x3", "\\xZZ",
])
def test_unsupported_expressions_are_refused(expression):
    with pytest.raises(InvalidRegex):
        compile_regex(expression)


def _python(expression: str) -> re.Pattern[str]:
    translated = (expression.replace("\\d", "[0-9]").replace("\\w", "[A-Za-z0-9_]")
                  .replace("\\s", "[ \\t\\n\\x0b\\f\\r]").replace("$", "\\Z"))
    return re.compile(translated)


def test_agrees_with_python_re_on_the_subset():
    rng = random.Random(7)
    atoms = ["a", "b", "c", ".", "[ab]", "[^a]", "\\d", "\\w", "\\s", "[a-c]", "x", "\\."]
    quantifiers = ["", "*", "+", "?", "{2}", "{1,3}", "{0,2}", "{2,}", "*?"]
    texts = ["".join(rng.choice("abcx1. \n") for _ in range(rng.randint(0, 12))) for _ in range(100)]
    for _ in range(800):
        expression = "|".join(
            ("^" if rng.random() < 0.2 else "")
            + "".join(rng.choice(atoms) + rng.choice(quantifiers) for _ in range(rng.randint(0, 4)))
            + ("$" if rng.random() < 0.2 else "")
            for _ in range(rng.randint(1, 3)))
        if not expression:
            continue
        ours, reference = compile_regex(expression), _python(expression)
        for text in texts:
            assert ours.search(text) is bool(reference.search(text)), (expression, text)


def test_non_ascii_text():
    assert compile_regex("^.\\W.$").search("\u00e9\u2014\u4e2d")
    assert not compile_regex("a.b").search("a\u2028b")


@pytest.mark.parametrize(("expression", "text"), [
    ("[ab]*a[ab]{" + str(MAX_SLOTS - 10) + "}c", None),  # a DFA of 2^990 states: only simulation copes
    ("a*a*a*a*a*a*a*a*a*a*a*a*c", "a"),  # a backtracking matcher: polynomial of degree 12
    ("\\w+\\w+\\w+\\w+@", "a"),
    ("a{0,900}b", "a"),
])
def test_pathological_expressions_take_linear_time(expression, text):
    """Each against a 256 KB event (AWS's largest), failing at the very end; a generous bound for loaded CI."""
    rng = random.Random(1)
    body = "".join(rng.choice("ab") for _ in range(262_144)) if text is None else text * 262_144
    compiled = compile_regex(expression)
    started = time.monotonic()
    assert not compiled.search(body)
    assert time.monotonic() - started < 5
