"""Micro-benchmark: µs per policy decision for a principal with 10 attached policies / 50 statements with conditions.

Run: .venv/bin/python bench/policy_decision.py
Not a test.  Policies are compiled once (parse_policy_cached); only evaluate() is timed.
"""

from __future__ import annotations

import json
import time

from rootplane.policy import NamedPolicy, PolicySet, RequestFacts, evaluate, parse_policy_cached

SERVICES = ["s3", "sqs", "iam", "sts", "organizations"]


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


def main() -> None:
    policies = PolicySet(
        identity=tuple(NamedPolicy(f"policy-{n}", parse_policy_cached(_policy(n), "identity")) for n in range(10)),
        scp_levels=((NamedPolicy("FullAWSAccess", parse_policy_cached(
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', "scp")),),),
    )
    assert sum(len(p.policy.statements) for p in policies.identity) == 50
    context = {"aws:PrincipalTag/team": "blue", "aws:SourceIp": "10.1.2.3", "aws:SecureTransport": True,
               "aws:RequestedRegion": "us-east-1"}
    facts = RequestFacts("s3:GetObject", "arn:aws:s3:::bucket-alice/key", "arn:aws:iam::111111111111:user/alice",
                         "111111111111", "111111111111", context)
    decision = evaluate(facts, policies, explain=True)
    print("decision:", decision.kind, [m.sid for m in decision.matched])
    rounds = 20000
    for label, build in (("evaluate only (facts reused)", False), ("RequestFacts + evaluate", True)):
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(rounds):
                f = RequestFacts("s3:GetObject", "arn:aws:s3:::bucket-alice/key", "arn:aws:iam::111111111111:user/alice",
                                 "111111111111", "111111111111", context) if build else facts
                evaluate(f, policies)
            best = min(best, (time.perf_counter() - start) / rounds)
        print(f"{label}: {best * 1e6:.1f} µs/decision (10 policies, 50 statements with conditions, best of 5 x {rounds})")


if __name__ == "__main__":
    main()
