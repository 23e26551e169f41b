"""Micro-benchmark: µs per policy decision.

Run: .venv/bin/python bench/policy_decision.py
Not a test.  Two scenarios:

1. Issue #3: a principal with 10 attached policies / 50 statements with conditions.  Policies are compiled once
   (parse_policy_cached); RequestFacts + evaluate() are timed.
2. What the server's authorizer (rootplane.authz.authorizer.decide) asks for an IAM GetUser by an IAM user with
   10 policies (AWS managed, customer managed, inline, group) under two SCP levels: the global context built by
   rootplane.authz.context_keys, then RequestFacts + evaluate().  Also timed: the authorizer-side work around the
   engine, i.e. building that context, and building the PolicySet as rootplane.authz.gather does (every document
   text is read afresh per request, so parse_policy_cached hashes it again).
"""

from __future__ import annotations

import datetime as _dt
import json
import time
from types import SimpleNamespace
from typing import Callable

from rootplane.auth.principal import IAM_USER, Principal
from rootplane.authz.context_keys import global_context
from rootplane.data import managed_policy_by_arn
from rootplane.policy import NamedPolicy, PolicySet, RequestFacts, evaluate, parse_policy_cached

SERVICES = ["s3", "sqs", "iam", "sts", "organizations"]
ROUNDS = 20000
FULL_AWS_ACCESS = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'


def _best(label: str, step: Callable[[], object]) -> float:
    """Best of 5 runs of ROUNDS calls, in µs per call; printed with ``label``."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(ROUNDS):
            step()
        best = min(best, (time.perf_counter() - start) / ROUNDS)
    print(f"  {label}: {best * 1e6:.1f} µs (best of 5 x {ROUNDS})")
    return best


# ------------------------------------------------------------------------------------------ scenario 1: issue #3
def _policy(n: int) -> str:
    statements = []
    for i in range(5):
        service = SERVICES[(n + i) % len(SERVICES)]
        statements.append({
            "Sid": f"P{n}S{i}",
            "Effect": "Deny" if i == 4 else "Allow",
            "Action": [f"{service}:Get*", f"{service}:List*", f"{service}:Describe{i}*"],
            "Resource": [f"arn:aws:{service}:*:111111111111:thing-{n}-{i}/*", "arn:aws:s3:::bucket-${aws:username}/*"],
            "Condition": {
                "StringEquals": {"aws:PrincipalTag/team": ["blue", "green"]},
                "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]},
                "Bool": {"aws:SecureTransport": "true"},
                "StringNotEqualsIfExists": {"aws:ResourceAccount": "${aws:PrincipalAccount}"} if i == 4 else
                {"aws:RequestedRegion": "eu-north-1"},
            },
        })
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def issue_3() -> None:
    print("1. issue #3: 10 policies, 50 statements with conditions; s3:GetObject")
    policies = PolicySet(
        identity=tuple(NamedPolicy(f"policy-{n}", parse_policy_cached(_policy(n), "identity")) for n in range(10)),
        scp_levels=((NamedPolicy("FullAWSAccess", parse_policy_cached(FULL_AWS_ACCESS, "scp")),),),
    )
    assert sum(len(p.policy.statements) for p in policies.identity) == 50
    context = {"aws:PrincipalTag/team": "blue", "aws:SourceIp": "10.1.2.3", "aws:SecureTransport": True,
               "aws:RequestedRegion": "us-east-1"}

    def facts() -> RequestFacts:
        return RequestFacts("s3:GetObject", "arn:aws:s3:::bucket-alice/key", "arn:aws:iam::111111111111:user/alice",
                            "111111111111", "111111111111", context)

    reused = facts()
    decision = evaluate(reused, policies, explain=True)
    print("  decision:", decision.kind, [m.sid for m in decision.matched])
    _best("evaluate only (facts reused: their condition context is derived once)", lambda: evaluate(reused, policies))
    _best("RequestFacts + evaluate", lambda: evaluate(facts(), policies))


# ------------------------------------------------------------------------- scenario 2: the authorizer's GetUser
ACCOUNT = "111111111111"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/alice"


def _document(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=4)


def _statement(sid: str, effect: str, action: str | list[str], resource: str = "*",
               condition: dict[str, object] | None = None, negated: bool = False) -> dict[str, object]:
    statement = {"Sid": sid, "Effect": effect, "NotAction" if negated else "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


OWN_USER = "arn:aws:iam::*:user/${aws:username}"
# (name, source type, document) as gather.policy_set_for finds them for alice: attached, inline, group policies.
CUSTOMER_POLICIES = [
    ("ForceMFA", "user-managed", _document(  # the IAM User Guide's "manage own credentials with MFA" example
        _statement("AllowViewAccountInfo", "Allow", ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"]),
        _statement("AllowManageOwnPasswords", "Allow", ["iam:ChangePassword", "iam:GetUser"], OWN_USER),
        _statement("AllowManageOwnAccessKeys", "Allow", ["iam:CreateAccessKey", "iam:DeleteAccessKey",
                                                         "iam:ListAccessKeys", "iam:UpdateAccessKey"], OWN_USER),
        _statement("AllowManageOwnVirtualMFADevice", "Allow", "iam:CreateVirtualMFADevice", "arn:aws:iam::*:mfa/*"),
        _statement("AllowManageOwnUserMFA", "Allow", ["iam:DeactivateMFADevice", "iam:EnableMFADevice",
                                                      "iam:ListMFADevices", "iam:ResyncMFADevice"], OWN_USER),
        _statement("DenyAllExceptListedIfNoMFA", "Deny", [
            "iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices",
            "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken",
        ], condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, negated=True),
    )),
    ("S3HomeFolder", "user-managed", _document(
        _statement("ListHome", "Allow", "s3:ListBucket", "arn:aws:s3:::home-bucket",
                   {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}}),
        _statement("HomeObjects", "Allow", "s3:*Object", "arn:aws:s3:::home-bucket/home/${aws:username}/*"),
    )),
    ("RegionGuard", "user-managed", _document(
        _statement("DenyOutsideRegions", "Deny", ["iam:*", "sts:*", "organizations:*", "account:*"],
                   condition={"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}, negated=True),
    )),
    ("TeamABAC", "user-managed", _document(
        _statement("TeamResources", "Allow", ["sqs:*", "sns:*"],
                   condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}),
        _statement("TagOnCreate", "Allow", ["sqs:CreateQueue", "sns:CreateTopic"],
                   condition={"StringEquals": {"aws:RequestTag/team": "${aws:PrincipalTag/team}"},
                              "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}}),
    )),
    ("team-queues", "user", _document(
        _statement("Queues", "Allow", ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                                       "sqs:GetQueueAttributes"], "arn:aws:sqs:*:111111111111:team-blue-*"),
    )),
    ("office-network", "user", _document(
        _statement("DenyOutsideOffice", "Deny", "*",
                   condition={"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "127.0.0.0/8", "192.168.0.0/16"]},
                              "Bool": {"aws:ViaAWSService": "false"}}),
    )),
    ("developers", "group", _document(
        _statement("Buckets", "Allow", ["s3:ListAllMyBuckets", "s3:GetBucketLocation"]),
        _statement("Logs", "Allow", ["cloudtrail:LookupEvents", "events:Describe*", "events:List*"]),
        _statement("NoIamWrites", "Deny", ["iam:Create*", "iam:Delete*", "iam:Put*", "iam:Attach*", "iam:Detach*"],
                   condition={"StringNotEquals": {"aws:PrincipalTag/role": "admin"}}),
    )),
]
AWS_MANAGED = ["IAMReadOnlyAccess", "IAMUserChangePassword", "AmazonSQSFullAccess"]


def _aws_document(name: str) -> str:
    record = managed_policy_by_arn(f"arn:aws:iam::aws:policy/{name}")
    assert record is not None, name
    return json.dumps(record["Document"], indent=4)  # as rootplane.services.iam.catalog renders it (once)


def authorizer_get_user() -> None:
    print("2. the authorizer's check for iam:GetUser by an IAM user: 10 policies (3 AWS managed, 4 customer managed, "
          "2 inline, 1 group), 2 SCP levels")
    principal = Principal(kind=IAM_USER, account_id=ACCOUNT, arn=USER_ARN, user_id="AIDAEXAMPLEALICE0001",
                          name="alice", access_key_id="AKIAEXAMPLEALICE0001",
                          tags=(("team", "blue"), ("cost-center", "1234")))
    now = _dt.datetime(2025, 6, 1, 12, 0, 0, tzinfo=_dt.timezone.utc)
    request = SimpleNamespace(principal=principal, region="us-east-1", source_ip="127.0.0.1", secure_transport=False,
                              now=lambda: now)
    # rootplane.services.iam.authz.checks for GetUser without UserName: the caller's own ARN and tags.
    action, resource, tags = "iam:GetUser", USER_ARN, principal.tag_map()
    aws_texts = [(name, "aws-managed", _aws_document(name)) for name in AWS_MANAGED]
    stored = [(name, source, text.encode()) for name, source, text in CUSTOMER_POLICIES]  # as the store returns rows
    scp_text = FULL_AWS_ACCESS.encode()

    def policy_set() -> PolicySet:
        """What rootplane.authz.gather.policy_set_for builds per request."""
        identity = [NamedPolicy(name, parse_policy_cached(text, "identity"), source)
                    for name, source, text in aws_texts]
        identity += [NamedPolicy(name, parse_policy_cached(raw.decode(), "identity"), source)
                     for name, source, raw in stored]
        levels = [[NamedPolicy("p-FullAWSAccess", parse_policy_cached(raw.decode(), "scp"), "service control policy")]
                  for raw in (scp_text, scp_text)]  # the organization root and the account
        return PolicySet(identity=tuple(identity), scp_levels=levels)

    def context() -> dict[str, object]:
        return global_context(request, resource, ACCOUNT, tags)

    def facts(ctx: dict[str, object]) -> RequestFacts:
        """As rootplane.authz.authorizer.decide builds them."""
        return RequestFacts(action=action, resource=resource, principal_arn=principal.arn,
                            principal_account=principal.account_id, resource_account=ACCOUNT, context=ctx,
                            principal_is_root=principal.is_root, principal_is_service=principal.service,
                            role_arn=principal.role_arn, principal_is_anonymous=False)

    policies = policy_set()
    ctx = context()
    assert len(policies.identity) == 10
    decision = evaluate(facts(ctx), policies, explain=True)
    print(f"  decision: {decision.kind} {[(m.policy_name, m.sid) for m in decision.matched]}; "
          f"{len(ctx)} context keys")
    engine = _best("engine: RequestFacts + evaluate", lambda: evaluate(facts(ctx), policies))
    built = _best("authorizer side: global_context", context)
    gathered = _best("authorizer side: PolicySet as gather builds it (fresh document texts)", policy_set)
    print(f"  per check: {(engine + built + gathered) * 1e6:.1f} µs, of which the engine {engine * 1e6:.1f} µs")


if __name__ == "__main__":
    issue_3()
    authorizer_get_user()
