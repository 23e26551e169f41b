"""KMS key policies (kind "key"): the key policy must allow; naming the account only enables identity policies;
the account's root user is bound too (AWS KMS developer guide, "Key policies in AWS KMS")."""

from __future__ import annotations

import json

from rootplane.policy import NamedPolicy, PolicySet, RequestFacts, evaluate, parse_policy

ACCOUNT = "111122223333"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
ENCRYPT_ALL = NamedPolicy("admin", parse_policy(json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]})))


def _key_policy(*statements: dict) -> NamedPolicy:
    text = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return NamedPolicy("resource-policy", parse_policy(text, kind="key"), "resource-based policy")


def _decide(principal: str, key_policy: NamedPolicy, identity: tuple[NamedPolicy, ...] = ()):
    facts = RequestFacts("kms:Encrypt", KEY, principal, ACCOUNT, ACCOUNT, principal_is_root=principal == ROOT)
    return evaluate(facts, PolicySet(identity=identity, resource=key_policy))


def _allow(principal: str, action: str = "kms:*") -> dict:
    return {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": action, "Resource": "*"}


def test_the_default_policy_enables_identity_policies_and_the_root_user():
    policy = _key_policy(_allow(ROOT))
    assert _decide(ALICE, policy, (ENCRYPT_ALL,)).allowed
    denied = _decide(ALICE, policy)
    assert (denied.kind, denied.deny_policy_type) == ("implicit_deny", "identity-based policy")
    assert _decide(ROOT, policy).allowed


def test_a_key_policy_that_does_not_trust_the_account_makes_identity_policies_count_for_nothing():
    policy = _key_policy(_allow(f"arn:aws:iam::{ACCOUNT}:user/bob"))
    for principal, identity in ((ALICE, (ENCRYPT_ALL,)), (ROOT, ())):
        decision = _decide(principal, policy, identity)
        assert (decision.allowed, decision.deny_policy_type) == (False, "resource-based policy")


def test_a_key_policy_naming_the_user_needs_no_identity_policy():
    assert _decide(ALICE, _key_policy(_allow(ALICE))).allowed


def test_trusting_the_account_for_other_actions_does_not_enable_this_one():
    decision = _decide(ALICE, _key_policy(_allow(ROOT, "kms:Describe*")), (ENCRYPT_ALL,))
    assert (decision.allowed, decision.deny_policy_type) == (False, "resource-based policy")


def test_a_deny_in_the_key_policy_binds_the_root_user():
    policy = _key_policy(_allow(ROOT), {"Effect": "Deny", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*"})
    assert _decide(ROOT, policy).kind == "explicit_deny"
