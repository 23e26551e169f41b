"""The engine's fast paths against its slow semantics: compiled globs, IP ranges, interned condition tests, the
per-action statement index, the derived condition context and the reports a decision shares between requests."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import random

import pytest

from rootplane.policy import NamedPolicy, PolicySet, RequestFacts, evaluate, parse_policy
from rootplane.policy.conditions import compile_condition_block
from rootplane.policy.evaluate import _lowercase
from rootplane.policy.variables import EXACT, GLOB, PREFIX, compile_globs, glob_regex, parse_template

ALICE = "arn:aws:iam::111111111111:user/alice"


def _facts(action: str = "s3:GetObject", resource: str = "arn:aws:s3:::bucket/key", **kw: object) -> RequestFacts:
    return RequestFacts(action, resource, ALICE, "111111111111", None, **kw)  # type: ignore[arg-type]


def _identity(*statements: dict[str, object]) -> PolicySet:
    text = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return PolicySet(identity=(NamedPolicy("p", parse_policy(text)),))


# --------------------------------------------------------------------------------------------------- globs
@pytest.mark.parametrize("text,shape", [
    ("arn:aws:s3:::bucket", EXACT), ("arn:aws:s3:::bucket/*", PREFIX), ("*", PREFIX), ("a*b", GLOB),
    ("a?", GLOB), ("a**", GLOB), ("*a", GLOB), ("a${*}", EXACT), ("a${*}*", PREFIX), ("a${?}", EXACT),
    ("home/${aws:username}/*", PREFIX), ("${aws:username}", EXACT), ("x/${aws:username}?", GLOB),
])
def test_template_shape(text: str, shape: str) -> None:
    assert parse_template(text).shape == shape


@pytest.mark.parametrize("pattern,text,arn,expected", [
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b/c", True, True),     # a trailing * crosses ':'
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::Bucket/a", True, False),        # case-sensitive
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", True, False),
    ("arn:aws:iam::*", "arn:aws:iam::111111111111:user/x", True, True),     # the last part the pattern has
    ("arn:aws:sqs:*:111111111111:q", "arn:aws:sqs:us-east-1:111111111111:q", True, True),
    ("arn:aws:sqs:*:111111111111:q", "arn:aws:sqs:a:b:111111111111:q", True, False),  # * in the region part
    ("arn:aws:s3:::b*t/key", "arn:aws:s3:::bucket/key", True, True),        # * in the middle
    ("arn:aws:s3:::b?cket", "arn:aws:s3:::bucket", True, True),
    ("arn:aws:s3:::b?cket", "arn:aws:s3:::bcket", True, False),
    ("home/*/x", "home/a:b/x", False, True),
    ("a${*}", "a*", False, True),                                           # an escaped * is a character
    ("a${*}", "ab", False, False),
    ("a${*}*", "a*bc", False, True),
    ("a.c", "abc", False, False),                                           # regex characters are literal
    ("", "", False, True),
])
def test_globs_examples(pattern: str, text: str, arn: bool, expected: bool) -> None:
    assert compile_globs([parse_template(pattern)], arn=arn).matches(text) is expected


_PIECES = ["a", "b", ":", "/", "*", "?", "${*}", "${?}", ".", "ab:", "::"]


def _random_pattern(rng: random.Random) -> str:
    return "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 6)))


def _random_text(rng: random.Random) -> str:
    return "".join(rng.choice(["a", "b", ":", "/", "*", "?", "."]) for _ in range(rng.randint(0, 8)))


@pytest.mark.parametrize("arn", [False, True])
def test_globs_agree_with_regex_semantics(arn: bool) -> None:
    """compile_globs (sets, startswith, one regex) decides as the per-pattern regular expressions do."""
    rng = random.Random(7)
    for _ in range(3000):
        templates = [parse_template(_random_pattern(rng)) for _ in range(rng.randint(1, 3))]
        globs = compile_globs(templates, arn=arn)
        regexes = [glob_regex(t.regex_source(None, arn=arn) or "") for t in templates]
        for _ in range(5):
            text = _random_text(rng)
            if rng.random() < 0.3:
                text = templates[0].literal() + text  # make prefixes hit
            expected = any(r.match(text) is not None for r in regexes)
            assert globs.matches(text) is expected, ([t.source for t in templates], text)


@pytest.mark.parametrize("arn", [False, True])
def test_template_with_variables_agrees_with_regex_semantics(arn: bool) -> None:
    """Template.matches (rendering + equality/startswith) decides as its regex with the values substituted does."""
    rng = random.Random(11)
    names = ["alice", "a*b", "a:b", "?", ""]
    for _ in range(3000):
        variable = rng.choice(["${aws:username}", "${aws:PrincipalTag/x, 'd*'}"])
        source = _random_pattern(rng) + variable + _random_pattern(rng)
        template = parse_template(source)
        context = {"aws:username": rng.choice(names)}
        if rng.random() < 0.5:
            context["aws:principaltag/x"] = rng.choice(names)
        for _ in range(5):
            text = _random_text(rng)
            if rng.random() < 0.5:
                text = (template.render(context) or "").rstrip("*") + text
            source = template.regex_source(context, arn=arn)
            assert source is not None
            expected = glob_regex(source).match(text) is not None
            assert template.matches(text, context, arn=arn) is expected, (source, context, text)


def test_template_unresolvable_variable_matches_nothing() -> None:
    template = parse_template("home/${aws:username}/*")
    assert not template.matches("home//x", {}, arn=False)
    assert not template.matches("home/a/x", {"aws:username": ["a", "b"]}, arn=False)  # multi-valued: no value
    assert template.matches("home/a/x", {"aws:username": ["a"]}, arn=False)


# ---------------------------------------------------------------------------------------------- conditions
def _ip_holds(network: str, address: object) -> bool:
    (test,) = compile_condition_block({"IpAddress": {"aws:SourceIp": network}}, variables=True)
    return test.holds({"aws:sourceip": address})


@pytest.mark.parametrize("network,address,expected", [
    ("10.0.0.0/8", "10.1.2.3", True), ("10.0.0.0/8", "11.0.0.1", False), ("10.0.0.0/8", " 10.1.2.3 ", True),
    ("10.0.0.0/8", "10.1.2.0/24", True),             # a CIDR request value: its network address
    ("10.0.0.0/8", "::ffff:10.1.2.3", False),         # an IPv6 address is never in an IPv4 range
    ("::/0", "10.1.2.3", False), ("2001:db8::/32", "2001:db8::5", True), ("2001:db8::/32", "2001:db9::5", False),
    ("192.168.1.1", "192.168.1.1", True), ("192.168.1.1", "192.168.1.2", False), ("10.0.0.0/8", "nonsense", False),
])
def test_ip_ranges(network: str, address: object, expected: bool) -> None:
    assert _ip_holds(network, address) is expected


def test_ip_ranges_agree_with_ipaddress() -> None:
    rng = random.Random(3)
    for _ in range(2000):
        network = ipaddress.ip_network(f"{rng.choice([10, 172, 192])}.{rng.randint(0, 255)}.0.0/{rng.randint(8, 24)}",
                                       strict=False)
        address = ipaddress.ip_address(f"{rng.choice([10, 172, 192])}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.1")
        assert _ip_holds(str(network), str(address)) is (address in network)


def test_equal_condition_tests_are_one_object() -> None:
    """Tests are interned, so a decision evaluates a test shared by many statements once."""
    block = {"StringEquals": {"aws:PrincipalTag/team": ["blue", "green"]}, "Bool": {"aws:SecureTransport": True}}
    first = compile_condition_block(block, variables=True)
    again = compile_condition_block(json.loads(json.dumps(block)), variables=True)
    assert all(a is b for a, b in zip(first, again))
    upper = compile_condition_block({"StringEquals": {"AWS:PRINCIPALTAG/TEAM": ["blue", "green"]}}, variables=True)
    assert upper[0] is first[0]  # keys are case-insensitive
    one_value = compile_condition_block({"StringEquals": {"aws:PrincipalTag/team": "blue"}}, variables=True)
    assert one_value[0] is not first[0]
    assert compile_condition_block(block, variables=False)[0] is not first[0]  # 2008-10-17: no variables


def test_shared_test_outcome_is_per_request() -> None:
    """The same test object in several statements and requests: each request gets its own outcome."""
    blue_team = {"StringEquals": {"aws:PrincipalTag/team": "blue"}}
    policies = _identity(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": blue_team},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::secret/*", "Condition": blue_team},
    )
    blue, red = {"aws:PrincipalTag/team": "blue"}, {"aws:PrincipalTag/team": "red"}
    assert evaluate(_facts(context=blue), policies).kind == "allow"
    assert evaluate(_facts(context=red), policies).kind == "implicit_deny"
    assert evaluate(_facts(resource="arn:aws:s3:::secret/x", context=blue), policies).kind == "explicit_deny"
    assert evaluate(_facts(resource="arn:aws:s3:::secret/x", context=red), policies).kind == "implicit_deny"


def test_resource_template_outcome_serves_resource_and_not_resource() -> None:
    """One decision remembers a resource template's match; NotResource uses the same outcome negated."""
    policies = _identity(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home-${aws:username}/*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::home-${aws:username}/*"},
    )
    assert evaluate(_facts(resource="arn:aws:s3:::home-alice/k"), policies).kind == "allow"
    assert evaluate(_facts(resource="arn:aws:s3:::home-bob/k"), policies).kind == "explicit_deny"


# ------------------------------------------------------------------------------------------ action index
def test_applicable_statements_per_action() -> None:
    policy = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": "S3:Get*", "Resource": "*"},
        {"Sid": "B", "Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"},
        {"Sid": "C", "Effect": "Deny", "Action": "*", "Resource": "*"},
        {"Sid": "D", "Effect": "Allow", "Action": ["iam:?etUser", "s3:getobject"], "Resource": "*"},
    ]}))
    denies, allows = policy.applicable("s3:getobject")
    assert ([s.sid for s in denies], [s.sid for s in allows]) == (["C"], ["A", "D"])
    denies, allows = policy.applicable("iam:getuser")
    assert ([s.sid for s in denies], [s.sid for s in allows]) == (["B", "C"], ["D"])
    assert policy.applicable("s3:getobject") is policy.applicable("s3:getobject")


def test_applicable_memory_is_bounded_and_stays_correct() -> None:
    policy = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}))
    for n in range(2000):
        assert len(policy.applicable(f"s3:get{n}")[1]) == 1
        assert policy.applicable(f"s3:put{n}") == ((), ())
    assert len(policy._by_action) <= 512


# ------------------------------------------------------------------------------------------ request facts
def test_context_keys_lowered_and_none_dropped() -> None:
    given = {"aws:principaltag/team": "blue", "s3:prefix": None}
    assert _lowercase(given) == {"aws:principaltag/team": "blue"}
    lower = {"aws:principaltag/team": "blue"}
    assert _lowercase(lower) is lower
    assert _lowercase({"AWS:PrincipalTag/Team": "blue", "aws:sourceip": "10.0.0.1"}) == {
        "aws:principaltag/team": "blue", "aws:sourceip": "10.0.0.1"}
    condition = {"Null": {"s3:prefix": "true"}, "StringEquals": {"aws:PrincipalTag/team": "blue"}}
    policies = _identity({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": condition})
    assert evaluate(_facts(context=given), policies).kind == "allow"  # a None value is an absent key


def test_given_keys_win_over_derived_ones() -> None:
    policies = _identity({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}"})
    assert evaluate(_facts(resource="arn:aws:s3:::b/alice"), policies).kind == "allow"  # derived from the user ARN
    assert evaluate(_facts(resource="arn:aws:s3:::b/bob", context={"AWS:UserName": "bob"}), policies).kind == "allow"
    assert evaluate(_facts(resource="arn:aws:s3:::b/bob", context={"aws:username": "bob"}), policies).kind == "allow"
    # a None value is no value, even for a key already seen in lower case: the derived one applies
    assert evaluate(_facts(resource="arn:aws:s3:::b/alice", context={"aws:username": None}), policies).kind == "allow"


def test_context_function_called_only_when_a_decision_needs_it() -> None:
    """A context given as a function is called once, by the first condition or policy variable, else never."""
    calls: list[int] = []

    def context() -> dict[str, object]:
        calls.append(1)
        return {"aws:sourceip": "10.0.0.1"}

    plain = _identity({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    assert evaluate(_facts(context=context), plain).kind == "allow"
    assert calls == []
    conditioned = _identity(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceIp": "192.0.2.1"}}})
    assert evaluate(_facts(context=context), conditioned).kind == "allow"
    assert calls == [1]
    assert evaluate(_facts(context=lambda: {"aws:sourceip": "192.0.2.1"}), conditioned).kind == "explicit_deny"


def test_request_facts_stay_a_frozen_dataclass() -> None:
    facts = _facts(action="S3:GetObject", context={"A:B": "c"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.action = "s3:PutObject"  # type: ignore[misc]
    moved = dataclasses.replace(facts, action="iam:GetUser")
    assert (moved.action, moved._action, moved.context) == ("iam:GetUser", "iam:getuser", {"A:B": "c"})
    assert facts == _facts(action="S3:GetObject", context={"A:B": "c"})
    assert RequestFacts("s3:GetObject", "*", ALICE, "111111111111", None).context == {}


# ------------------------------------------------------------------------------------------ shared reports
def test_reports_follow_policy_name_and_type() -> None:
    """The same compiled policy attached under two names, or as two policy types, is reported as each."""
    policy = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "S", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    first = evaluate(_facts(), PolicySet(identity=(NamedPolicy("one", policy, "user"),)))
    second = evaluate(_facts(), PolicySet(identity=(NamedPolicy("two", policy, "group"),)))
    assert [(m.policy_name, m.source_type) for m in first.matched] == [("one", "user")]
    assert [(m.policy_name, m.source_type) for m in second.matched] == [("two", "group")]
    both = evaluate(_facts(), PolicySet(identity=(NamedPolicy("one", policy, "user"),),
                                         boundary=(NamedPolicy("one", policy, "user"),)), explain=True)
    assert [m.policy_type for m in both.matched] == ["identity-based policy"]
    assert both.allowed


def test_explicit_deny_reports_first_deny_type() -> None:
    deny = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "D", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}), kind="scp")
    allow = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    policies = PolicySet(identity=(NamedPolicy("id", allow),), scp_levels=((NamedPolicy("scp", deny),),))
    decision = evaluate(_facts(), policies)
    assert (decision.kind, decision.deny_policy_type, [m.sid for m in decision.matched]) == (
        "explicit_deny", "service control policy", ["D"])
    alone = evaluate(_facts(), PolicySet(identity=(NamedPolicy("scp", allow),)))
    assert alone.kind == "allow" and alone.matched[0].effect == "Allow"
