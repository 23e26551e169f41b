"""Issue #10 finding 3 (ReDoS): policy and EventBridge wildcards decide in linear time, with glob semantics."""

from __future__ import annotations

import json
import random
import re
import time

import pytest

from rootplane.policy import NamedPolicy, PolicySet, RequestFacts, evaluate, parse_policy
from rootplane.policy.glob import LIT, QMARK, STAR, VALUE, Token, compile_glob
from rootplane.policy.variables import glob_regex
from rootplane.services.events.patterns import compile_pattern, matches

ALICE = "arn:aws:iam::111111111111:user/alice"
PATHOLOGICAL = "a*a*a*a*a*a*a*a*b"
FAST = 0.05  # seconds; the backtracking regexes took seconds to minutes on these inputs


def _random_tokens(rng: random.Random) -> list[Token]:
    kinds = [(LIT, "a"), (LIT, "b"), (LIT, ":"), (LIT, "/"), (LIT, "ab:"), (STAR, "*"), (QMARK, "?"),
             (VALUE, "a:b"), (VALUE, "a"), (VALUE, "")]
    return [rng.choice(kinds) for _ in range(rng.randint(0, 9))]


def _reference(tokens: list[Token], arn: bool) -> str:
    """Regex of the tokens as Template.regex_source writes it (substituted values are literal, colons uncounted)."""
    out: list[str] = []
    colons = 0
    total = sum(t.count(":") for k, t in tokens if k == LIT) if arn else 0
    for kind, text in tokens:
        if kind in (LIT, VALUE):
            out.append(re.escape(text))
            colons += text.count(":") if kind == LIT else 0
        else:
            bounded = arn and colons < 5 and colons < total
            out.append(("[^:]" if bounded else ".") + ("*" if kind == STAR else ""))
    return "".join(out)


@pytest.mark.parametrize("arn", [False, True])
def test_glob_agrees_with_regex_semantics(arn: bool) -> None:
    """Property: on random patterns (many stars, ``?``, colons, substituted values) and texts, the linear matcher
    decides exactly as the anchored regex did."""
    rng = random.Random(2026)
    for _ in range(4000):
        tokens = _random_tokens(rng)
        glob = compile_glob(tokens, arn=arn)
        regex = glob_regex(_reference(tokens, arn))
        literal = "".join(t for k, t in tokens if k in (LIT, VALUE))
        for _ in range(6):
            text = "".join(rng.choice("ab:/") for _ in range(rng.randint(0, 12)))
            if rng.random() < 0.3:
                text = literal + text
            elif rng.random() < 0.3:
                text = text[: rng.randint(0, len(text))] + literal
            assert glob.matches(text) is (regex.match(text) is not None), (tokens, text)


def test_glob_examples() -> None:
    def glob(pattern: str, arn: bool = False):
        return compile_glob([(STAR, c) if c == "*" else (QMARK, c) if c == "?" else (LIT, c) for c in pattern],
                            arn=arn)

    assert glob("*a*b*c*").matches("xxaxxbxxcxx")
    assert not glob("*a*b*c*").matches("cba")
    assert glob("a?c").matches("abc") and not glob("a?c").matches("ac")
    assert glob("ab*ba").matches("aba") is False and glob("ab*ba").matches("abba")
    assert glob("").matches("") and not glob("").matches("x")
    assert glob("arn:aws:sqs:*:1:q", arn=True).matches("arn:aws:sqs:us-east-1:1:q")
    assert not glob("arn:aws:sqs:*:1:q", arn=True).matches("arn:aws:sqs:a:b:1:q")
    assert glob("arn:aws:iam::*", arn=True).matches("arn:aws:iam::1:user/x")


def _timed(step) -> tuple[object, float]:
    start = time.perf_counter()
    result = step()
    return result, time.perf_counter() - start


def test_pathological_resource_decides_fast() -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::bucket/{PATHOLOGICAL}"}]})
    policies = PolicySet(identity=(NamedPolicy("p", parse_policy(text)),))
    facts = RequestFacts("s3:GetObject", "arn:aws:s3:::bucket/" + "a" * 1024, ALICE, "111111111111", None)
    decision, seconds = _timed(lambda: evaluate(facts, policies))
    assert decision.kind == "implicit_deny"
    assert seconds < FAST


def test_pathological_resource_with_variable_decides_fast() -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::${aws:username}/" + PATHOLOGICAL}]})
    policies = PolicySet(identity=(NamedPolicy("p", parse_policy(text)),))
    facts = RequestFacts("s3:GetObject", "arn:aws:s3:::alice/" + "a" * 1024, ALICE, "111111111111", None,
                         {"aws:username": "alice"})
    decision, seconds = _timed(lambda: evaluate(facts, policies))
    assert decision.kind == "implicit_deny"
    assert seconds < FAST


def test_pathological_string_like_user_agent_decides_fast() -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringLike": {"aws:UserAgent": "*a*b*c*"}}}]})
    policies = PolicySet(identity=(NamedPolicy("p", parse_policy(text)),))
    facts = RequestFacts("s3:GetObject", "arn:aws:s3:::b/k", ALICE, "111111111111", None,
                         {"aws:UserAgent": "ab" * 2048})
    decision, seconds = _timed(lambda: evaluate(facts, policies))
    assert decision.kind == "implicit_deny"
    assert seconds < FAST
    hit = RequestFacts("s3:GetObject", "arn:aws:s3:::b/k", ALICE, "111111111111", None,
                       {"aws:UserAgent": "ab" * 2048 + "c"})
    assert evaluate(hit, policies).kind == "allow"


def test_pathological_action_decides_fast() -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:" + PATHOLOGICAL, "Resource": "*"}]})
    policies = PolicySet(identity=(NamedPolicy("p", parse_policy(text)),))
    facts = RequestFacts("s3:" + "a" * 60, "arn:aws:s3:::b/k", ALICE, "111111111111", None)
    decision, seconds = _timed(lambda: evaluate(facts, policies))
    assert decision.kind == "implicit_deny"
    assert seconds < FAST


def test_pathological_event_pattern_decides_fast() -> None:
    pattern = compile_pattern(json.dumps({"detail": {"name": [{"wildcard": PATHOLOGICAL}]}}))
    event = {"detail": {"name": "a" * 4096}}
    result, seconds = _timed(lambda: matches(pattern, event))
    assert result is False
    assert seconds < FAST
    assert matches(pattern, {"detail": {"name": "a" * 4096 + "b"}}) is True
