"""Issue #10 finding 5, engine side: a saved policy names users and roles by unique id, matched by the caller's id."""

from __future__ import annotations

import json

from rootplane.policy import NamedPolicy, PolicySet, RequestFacts, evaluate, parse_policy

USER_ID, ROLE_ID = "AIDAAAAAAAAAAAAAAAAAA", "AROABBBBBBBBBBBBBBBBB"
USER = "arn:aws:iam::111111111111:user/x"
SESSION = "arn:aws:sts::111111111111:assumed-role/r/s"
ROLE = "arn:aws:iam::111111111111:role/r"


def _trust(principal: str) -> PolicySet:
    text = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]})
    return PolicySet(resource=NamedPolicy("trust", parse_policy(text, kind="trust"), "resource-based policy"))


def _assume(arn: str, unique_id: str | None, role_arn: str | None = None) -> str:
    facts = RequestFacts("sts:AssumeRole", "arn:aws:iam::111111111111:role/t", arn, "111111111111",
                         "111111111111", role_arn=role_arn, unique_id=unique_id)
    return evaluate(facts, _trust(USER_ID if role_arn is None else ROLE_ID)).kind


def test_unique_id_matches_only_that_user_or_role() -> None:
    assert _assume(USER, USER_ID) == "allow"
    assert _assume(USER, "AIDACCCCCCCCCCCCCCCCC") == "implicit_deny"  # a namesake: another id
    assert _assume(SESSION, ROLE_ID, ROLE) == "allow"
    assert _assume(SESSION, "AROADDDDDDDDDDDDDDDDD", ROLE) == "implicit_deny"
