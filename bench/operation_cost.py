"""What a served call of each common operation costs the event loop: a survey to find the slow paths (issue #19).

    .venv/bin/python bench/operation_cost.py [--seconds 1.5] [--only SUBSTRING] [--against ministack|moto]

One fresh rootplane (SQLite store) holds a user with a key, a password policy, a bucket with an object, a queue, a
topic, an organization and a log group. Each operation below is then replayed for ``--seconds`` by make bench's load (4 closed-loop clients
replaying one pre-signed request, bench/loadgen.py), once the server is quiet. Reported per operation: req/s and the
event-loop thread's CPU per request (user + system, from /proc), most expensive first. Every operation repeats
without changing what the next call sees (writes such as SendMessage or PutObject only add or replace). Figures of
one run on a shared machine move by a fifth or more: compare operations of one run, or A/B runs made together.

``--against``: the same operations, on the same kind of world, replayed on a peer (bench/peers.py) after rootplane,
with its req/s and rootplane's ratio to it; "not served" where the peer refuses to build the world's part the
operation needs (ministack has no Organizations) or answers the operation with errors.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from pathlib import Path

from botocore.exceptions import ClientError

sys.path.insert(0, str(Path(__file__).parent))

from loadgen import sign_query_requests, sign_requests, throughput  # noqa: E402
from scenarios import IAM, STS, _admin, _client  # noqa: E402
from servers import (  # noqa: E402
    RunningServer, event_loop_cpu_seconds, settle, start_fresh_rootplane, start_ministack, start_moto,
)

PEER_STARTERS = {"ministack": start_ministack, "moto": start_moto}

_JSON = "application/x-amz-json-1.1"
_JSON_TARGETS = {  # operation -> (signing name, X-Amz-Target, body)
    "organizations DescribeOrganization": ("organizations", "AWSOrganizationsV20161128.DescribeOrganization", {}),
    "organizations ListAccounts": ("organizations", "AWSOrganizationsV20161128.ListAccounts", {}),
    "logs DescribeLogGroups": ("logs", "Logs_20140328.DescribeLogGroups", {}),
    "cloudtrail LookupEvents": ("cloudtrail", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
                                {"MaxResults": 50}),
    "cloudtrail DescribeTrails": ("cloudtrail",
                                  "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails", {}),
}


def _world(endpoint: str) -> dict[str, str]:
    """What the operations act on."""
    prefix = f"cost{uuid.uuid4().hex[:6]}"
    s3, sqs, sns = (_client(endpoint, name) for name in ("s3", "sqs", "sns"))
    key, secret = _admin(endpoint, f"{prefix}-user", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    bucket = f"{prefix}-bucket"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="object", Body=b"x" * 1024)
    _client(endpoint, "iam").update_account_password_policy(MinimumPasswordLength=14)
    try:
        _client(endpoint, "organizations").create_organization(FeatureSet="ALL")
    except ClientError:  # a peer without Organizations: its operations are not served there
        pass
    _client(endpoint, "logs").create_log_group(logGroupName=f"{prefix}-group")
    return {"user": f"{prefix}-user", "key": key, "secret": secret, "bucket": bucket,
            "queue": sqs.create_queue(QueueName=f"{prefix}-queue")["QueueUrl"],
            "topic": sns.create_topic(Name=f"{prefix}-topic")["TopicArn"]}


def _requests(endpoint: str, world: dict) -> dict[str, list]:
    """operation -> its pre-signed request (signed by the root user's key unless the call needs an IAM user)."""
    user, queue, topic, bucket = world["user"], world["queue"], world["topic"], world["bucket"]
    query = {
        "iam GetUser": ("iam", f"Action=GetUser&{IAM}&UserName={user}"),
        "iam ListUsers": ("iam", f"Action=ListUsers&{IAM}"),
        "iam GetAccountSummary": ("iam", f"Action=GetAccountSummary&{IAM}"),
        "iam ListAccessKeys": ("iam", f"Action=ListAccessKeys&{IAM}&UserName={user}"),
        "iam ListAttachedUserPolicies": ("iam", f"Action=ListAttachedUserPolicies&{IAM}&UserName={user}"),
        "iam GetUserPolicy": ("iam", f"Action=GetUserPolicy&{IAM}&UserName={user}&PolicyName=bench"),
        "iam ListMFADevices": ("iam", f"Action=ListMFADevices&{IAM}&UserName={user}"),
        "iam GetAccountPasswordPolicy": ("iam", f"Action=GetAccountPasswordPolicy&{IAM}"),
        "sts GetCallerIdentity": ("sts", f"Action=GetCallerIdentity&{STS}"),
        "sqs SendMessage": ("sqs", f"Action=SendMessage&QueueUrl={queue}&MessageBody=m&Version=2012-11-05"),
        "sqs GetQueueAttributes": ("sqs", f"Action=GetQueueAttributes&QueueUrl={queue}&AttributeName.1=All"
                                          "&Version=2012-11-05"),
        "sns Publish": ("sns", f"Action=Publish&TopicArn={topic}&Message=m&Version=2010-03-31"),
        "sns ListTopics": ("sns", "Action=ListTopics&Version=2010-03-31"),
    }
    found = {name: sign_query_requests(endpoint, service, [body]) for name, (service, body) in query.items()}
    found["sts GetSessionToken (IAM user)"] = sign_query_requests(
        endpoint, "sts", [f"Action=GetSessionToken&{STS}"], world["key"], world["secret"])
    for name, (service, target, body) in _JSON_TARGETS.items():
        found[name] = sign_requests(endpoint, service, [("POST", "/", json.dumps(body).encode(),
                                                         {"Content-Type": _JSON, "X-Amz-Target": target})])
    for name, method, body in (("s3 GetObject", "GET", b""), ("s3 PutObject", "PUT", b"x" * 1024)):
        found[name] = sign_requests(endpoint, "s3", [(method, f"/{bucket}/object", body, {})])
    found["s3 ListObjectsV2"] = sign_requests(endpoint, "s3", [("GET", f"/{bucket}?list-type=2", b"", {})])
    return found


def _measured(server: RunningServer, only: str, seconds: float) -> dict[str, tuple[float, float, int]]:
    """operation -> (req/s, event-loop CPU µs per request, error answers) on ``server``."""
    requests = {name: signed for name, signed in _requests(server.endpoint, _world(server.endpoint)).items()
                if only in name}
    measured = {}
    for name, signed in requests.items():
        settle([server.process])
        before = event_loop_cpu_seconds(server.process.pid)
        load = throughput(server.endpoint, signed, seconds=seconds, repeat_each=True)
        cpu = (event_loop_cpu_seconds(server.process.pid) - before) / max(1, load.answered)
        measured[name] = (load.rate, cpu * 1e6, load.errors)
        print(f"  {server.name} {name}: {load.rate:,.0f} req/s", file=sys.stderr)
    return measured


def _on(start, only: str, seconds: float) -> dict[str, tuple[float, float, int]]:
    server = start()
    try:
        return _measured(server, only, seconds)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="load per operation")
    parser.add_argument("--only", default="", help="only the operations whose name contains this")
    parser.add_argument("--against", choices=sorted(PEER_STARTERS), help="also replay them on this peer")
    options = parser.parse_args()
    ours = _on(start_fresh_rootplane, options.only, options.seconds)
    for name, (_, _, errors) in ours.items():
        if errors:
            raise SystemExit(f"{name}: {errors} answers were errors")
    peer = _on(PEER_STARTERS[options.against], options.only, options.seconds) if options.against else {}
    print(f"Generated by `{' '.join(['python bench/operation_cost.py', *sys.argv[1:]])}` on "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: one fresh server, SQLite store.\n")
    head = "| operation | req/s | event-loop CPU µs/request |"
    if options.against:
        head += f" {options.against} req/s | ÷ {options.against} |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for name, (rate, cpu, _) in sorted(ours.items(), key=lambda item: -item[1][1]):
        line = f"| {name} | {rate:,.0f} | {cpu:,.0f} |"
        if options.against:
            theirs = peer.get(name)
            served = theirs is not None and not theirs[2]
            line += f" {theirs[0]:,.0f} | {rate / theirs[0]:.2f} × |" if served else " not served | — |"
        print(line)


if __name__ == "__main__":
    main()
