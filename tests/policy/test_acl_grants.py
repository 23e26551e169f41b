"""ACL grants in the decision (``evaluate(..., granted_as=...)``): a grant is an Allow of the resource-based side
naming the requester's account or everyone (the S3 User Guide's "How Amazon S3 authorizes a request": a
requester of another account needs the bucket or object owner's grant and its own account's permission)."""

from __future__ import annotations

import json

import pytest

from rootplane.policy import NamedPolicy, PolicySet, RequestFacts, evaluate, parse_policy

OWNER, OTHER = "111111111111", "222222222222"
OBJECT = "arn:aws:s3:::bucket/key"


def _policies(*statements: dict, kind: str = "identity") -> tuple[NamedPolicy, ...]:
    text = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return (NamedPolicy("p", parse_policy(text, kind=kind)),)


_READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


def _facts(account: str, *, root: bool = False, anonymous: bool = False) -> RequestFacts:
    arn = "*" if anonymous else f"arn:aws:iam::{account}:root" if root else f"arn:aws:iam::{account}:user/u"
    return RequestFacts("s3:GetObject", OBJECT, arn, "" if anonymous else account, OWNER, principal_is_root=root,
                        principal_is_anonymous=anonymous)


@pytest.mark.parametrize("facts, identity, granted, allowed", [
    (_facts(OTHER), (), "account", False),              # another account's user: its identity policy must allow
    (_facts(OTHER), _policies(_READ), "account", True),
    (_facts(OTHER), _policies(_READ), None, False),      # no grant, no bucket policy: nothing from the owner
    (_facts(OTHER, root=True), (), "account", True),     # the account's root needs only the grant
    (_facts("", anonymous=True), (), "wildcard", True),  # AllUsers
    (_facts("", anonymous=True), (), None, False),
    (_facts(OWNER), (), "wildcard", True),               # a public grant, like a public bucket policy
    (_facts(OWNER), (), "account", False),               # the owner's own grant: its users need their policies
])
def test_a_grant_counts_as_the_resource_side(facts, identity, granted, allowed) -> None:
    assert evaluate(facts, PolicySet(identity=identity), granted_as=granted).allowed is allowed


def test_organization_guardrails_still_bind() -> None:
    scp = _policies({"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}, kind="scp")
    decision = evaluate(_facts(OTHER, root=True), PolicySet(scp_levels=(scp,)), granted_as="account")
    assert (decision.allowed, decision.kind) == (False, "implicit_deny")


def test_only_the_acl_allows_an_object_another_account_owns() -> None:
    """``acl_only``: the bucket policy's Allow does not count and its owner is no owner of the object; its Deny
    still wins."""
    public = NamedPolicy("bucket", parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}), kind="resource"))
    owner = _facts(OWNER, root=True)
    assert evaluate(owner, PolicySet(resource=public)).allowed
    assert not evaluate(owner, PolicySet(resource=public), acl_only=True).allowed
    assert evaluate(owner, PolicySet(resource=public), granted_as="account", acl_only=True).allowed
    assert evaluate(_facts(OWNER), PolicySet(identity=_policies(_READ)), granted_as="account", acl_only=True).allowed
    assert not evaluate(_facts(OWNER), PolicySet(), granted_as="account", acl_only=True).allowed
    deny = NamedPolicy("bucket", parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}), kind="resource"))
    decision = evaluate(_facts(OTHER, root=True), PolicySet(resource=deny), granted_as="account", acl_only=True)
    assert decision.kind == "explicit_deny"
