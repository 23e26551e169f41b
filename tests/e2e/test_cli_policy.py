"""``rootplane simulate``, ``policy stream`` and ``policy generate`` against a live server.

alice (broad permissions) makes a few calls; the policy generated from her recorded calls, attached to a fresh
user, allows exactly those calls on those resources and nothing else. CloudTrail event history holds management
events only (object-level S3 calls are data events), so those are the calls a policy is generated from.
"""

from __future__ import annotations

import json
import select
import subprocess
import time

import pytest
from botocore.exceptions import ClientError

from harness import BOOT_ACCOUNT, error_of, policy_document
from rootplane_cli import RootplaneCli

BOOT_KEY = {"AccessKeyId": "test", "SecretAccessKey": "test"}
ALICE_ARN = f"arn:aws:iam::{BOOT_ACCOUNT}:user/alice"
BUCKET, OTHER_BUCKET, KEY, QUEUE = "alice-bucket", "other-bucket", "reports/2026.csv", "alice-queue"
BROAD = policy_document({"Sid": "Broad", "Effect": "Allow", "Action": ["iam:GetUser", "s3:*", "sqs:*"],
                         "Resource": "*"})


def _usable(server, key: dict, service: str):
    """A client for a brand-new key once the server's credential cache sees it."""
    client = server.client_for(key, service)
    deadline = time.monotonic() + 5
    while True:
        try:
            server.client_for(key, "sts").get_caller_identity()
            return client
        except ClientError as error:
            if error.response["Error"]["Code"] != "InvalidClientTokenId" or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def alice(server) -> dict:
    iam = server.client("iam")
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="Broad", PolicyDocument=BROAD)
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    _usable(server, key, "iam").get_user()
    s3, sqs = server.client_for(key, "s3"), server.client_for(key, "sqs")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=b"a,b\n")  # a data event: not in the event history
    s3.get_bucket_location(Bucket=BUCKET)
    s3.list_buckets()
    server.client("s3").create_bucket(Bucket=OTHER_BUCKET)
    queue_url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])
    assert error_of(server.client_for(key, "iam").list_users)[0] == "AccessDenied"
    return {"key": key, "queue_url": queue_url}


@pytest.fixture(scope="module")
def cli(server) -> RootplaneCli:
    return RootplaneCli(server, BOOT_KEY)


def test_generated_policy_allows_exactly_the_recorded_calls(server, cli, alice, tmp_path):
    target = tmp_path / "policy.json"
    result = cli.run("policy", "generate", "--principal", ALICE_ARN, "--since", "1h", "--output-file", str(target))
    assert result.returncode == 0, result.stderr
    policy = json.loads(target.read_text())
    granted = {}
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in actions:
            granted[action] = statement["Resource"]
    account = BOOT_ACCOUNT
    assert granted == {
        "iam:GetUser": ALICE_ARN,
        "s3:CreateBucket": f"arn:aws:s3:::{BUCKET}",
        "s3:GetBucketLocation": f"arn:aws:s3:::{BUCKET}",
        "s3:ListAllMyBuckets": "*",  # the Service Authorization Reference gives it no resource type
        "sts:GetCallerIdentity": "*",
        "sqs:CreateQueue": f"arn:aws:sqs:us-east-1:{account}:{QUEUE}",
        "sqs:GetQueueAttributes": f"arn:aws:sqs:us-east-1:{account}:{QUEUE}",
    }  # iam:ListUsers was denied: never part of the policy

    iam = server.client("iam")
    iam.create_user(UserName="bob")
    iam.put_user_policy(UserName="bob", PolicyName="Generated", PolicyDocument=target.read_text())
    key = iam.create_access_key(UserName="bob")["AccessKey"]
    bob_iam = _usable(server, key, "iam")
    s3, sqs = server.client_for(key, "s3"), server.client_for(key, "sqs")
    assert bob_iam.get_user(UserName="alice")["User"]["Arn"] == ALICE_ARN
    assert s3.get_bucket_location(Bucket=BUCKET)["LocationConstraint"] is None
    assert BUCKET in [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]
    assert sqs.get_queue_attributes(QueueUrl=alice["queue_url"], AttributeNames=["QueueArn"])["Attributes"]
    for denied in (lambda: s3.get_object(Bucket=BUCKET, Key=KEY),            # an action never recorded
                   lambda: s3.put_object(Bucket=BUCKET, Key="other.csv", Body=b"x"),
                   lambda: s3.get_bucket_location(Bucket=OTHER_BUCKET),   # a recorded action on another resource
                   lambda: sqs.delete_queue(QueueUrl=alice["queue_url"]),
                   lambda: bob_iam.get_user(UserName="bob"),
                   bob_iam.list_users):
        assert error_of(denied)[0] in ("AccessDenied", "AccessDeniedException")


def test_generate_without_recorded_calls_is_an_error(cli):
    result = cli.run("policy", "generate", "--principal", f"arn:aws:iam::{BOOT_ACCOUNT}:user/nobody")
    assert result.returncode == 2
    assert result.stderr.strip() == (f"Error: no allowed calls recorded for arn:aws:iam::{BOOT_ACCOUNT}:user/nobody "
                                     "in that time window")
    bad = cli.run("policy", "generate", "--principal", ALICE_ARN, "--since", "yesterday")
    assert bad.returncode == 2 and "'yesterday' is not a time" in bad.stderr


def test_stream_history_shows_decisions(cli, alice):
    result = cli.run("policy", "stream", "--no-follow", "--since", "1h", "--output", "json")
    assert result.returncode == 0, result.stderr
    calls = [json.loads(line) for line in result.stdout.splitlines()]
    alices = [call for call in calls if call["Principal"] == ALICE_ARN]
    assert [call["Action"] for call in alices] == ["sts:GetCallerIdentity", "iam:GetUser", "s3:CreateBucket",
                                                   "s3:GetBucketLocation", "s3:ListAllMyBuckets", "sqs:CreateQueue",
                                                   "sqs:GetQueueAttributes", "iam:ListUsers"]
    location = alices[3]
    assert (location["Resource"], location["Decision"], location["Detail"]) == (
        f"arn:aws:s3:::{BUCKET}", "Allowed", "")
    denied = alices[-1]
    assert denied["Decision"] == "Denied"
    assert denied["Detail"] == (f"AccessDenied: User: {ALICE_ARN} is not authorized to perform: iam:ListUsers on "
                                f"resource: arn:aws:iam::{BOOT_ACCOUNT}:user/ because no identity-based policy "
                                "allows the iam:ListUsers action")
    text = cli.run("policy", "stream", "--no-follow", "--since", "1h").stdout
    assert f"{ALICE_ARN} iam:ListUsers - Denied AccessDenied: User: {ALICE_ARN}" in text


def test_stream_shows_each_calls_deciding_statement(server, cli, unique):
    """The policy and statement (Sid and index) that allowed or denied each call; kept beside the CloudTrail
    record, never in the record LookupEvents answers."""
    iam, name = server.client("iam"), f"bob-{unique}"
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="Mixed", PolicyDocument=policy_document(
        {"Sid": "ReadUsers", "Effect": "Allow", "Action": ["iam:GetUser", "iam:ListUsers"], "Resource": "*"},
        {"Sid": "NoListing", "Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"}))
    bob = _usable(server, iam.create_access_key(UserName=name)["AccessKey"], "iam")
    bob.get_user()
    assert error_of(bob.list_users)[0] == error_of(bob.list_roles)[0] == "AccessDenied"
    result = cli.run("policy", "stream", "--no-follow", "--since", "1h", "--output", "json")
    assert result.returncode == 0, result.stderr
    calls = [json.loads(line) for line in result.stdout.splitlines()]
    deciding = {call["Action"]: call["DecidingStatement"] for call in calls
                if call["Principal"] == f"arn:aws:iam::{BOOT_ACCOUNT}:user/{name}"}
    mixed = {"policyType": "identity-based policy", "policy": "Mixed"}
    assert deciding["iam:GetUser"] == {"decision": "Allow", "action": "iam:GetUser", **mixed, "sid": "ReadUsers",
                                       "statementIndex": 0}
    assert deciding["iam:ListUsers"] == {"decision": "ExplicitDeny", "action": "iam:ListUsers", **mixed,
                                         "sid": "NoListing", "statementIndex": 1}
    assert deciding["iam:ListRoles"] == {"decision": "ImplicitDeny", "action": "iam:ListRoles",
                                         "policyType": "identity-based policy"}
    text = cli.run("policy", "stream", "--no-follow", "--since", "1h").stdout
    assert "iam:ListUsers - Denied AccessDenied: " in text
    assert "(denied by identity-based policy 'Mixed', statement 1 (Sid 'NoListing'))" in text
    assert "(allowed by identity-based policy 'Mixed', statement 0 (Sid 'ReadUsers'))" in text
    events = server.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": name}])["Events"]
    assert {event["EventName"] for event in events} >= {"GetUser", "ListUsers", "ListRoles"}
    for event in events:
        assert "NoListing" not in event["CloudTrailEvent"] and "ReadUsers" not in event["CloudTrailEvent"]
        assert "deciding" not in event["CloudTrailEvent"].lower()


def test_stream_follows_new_calls(server, cli, alice):
    process = subprocess.Popen(cli.command("policy", "stream", "--since", "1s", "--interval", "0.2", "--output",
                                           "json"), env=cli.env(), stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        server.client("sqs").get_queue_url(QueueName=QUEUE)  # the root user's: alice's calls stay as recorded
        deadline, seen = time.monotonic() + 30, []
        while time.monotonic() < deadline:
            ready, _, _ = select.select([process.stdout], [], [], 0.5)
            if ready:
                call = json.loads(process.stdout.readline())
                seen.append(call["Action"])
                if call["Action"] == "sqs:GetQueueUrl":
                    assert call["Principal"] == f"arn:aws:iam::{BOOT_ACCOUNT}:root" and call["Decision"] == "Allowed"
                    break
        assert "sqs:GetQueueUrl" in seen, seen
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_simulate_principal(cli, alice):
    status, decisions = cli.json("simulate", "--principal", ALICE_ARN, "--action", "s3:GetObject", "--action",
                                 "iam:ListUsers", "--resource", f"arn:aws:s3:::{BUCKET}/{KEY}", "--output", "json")
    assert status == 1  # something is denied
    by_action = {d["Action"]: d for d in decisions}
    assert by_action["s3:GetObject"]["Decision"] == "allowed"
    assert by_action["s3:GetObject"]["DecidingStatements"] == ["Broad (user) line 1"]
    assert by_action["iam:ListUsers"]["Decision"] == "implicitDeny"
    assert by_action["iam:ListUsers"]["DecidingStatements"] == []


def test_simulate_policy_file_shows_the_statement(cli, tmp_path):
    document = tmp_path / "policy.json"
    document.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadReports", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/reports/*"},
        {"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/secret/*"},
    ]}, indent=2))
    status, decisions = cli.json("simulate", "--policy-file", str(document), "--action", "s3:GetObject",
                                 "--resource", "arn:aws:s3:::b/reports/x", "--output", "json")
    assert status == 0
    [decision] = decisions
    assert decision["Decision"] == "allowed"
    [statement] = decision["DecidingStatements"]
    assert statement.startswith("PolicyInputList.1 (IAM Policy) line 3: {")
    assert '"Sid": "ReadReports"' in statement and "NoSecrets" not in statement
    status, decisions = cli.json("simulate", "--policy-file", str(document), "--action", "s3:GetObject",
                                 "--resource", "arn:aws:s3:::b/secret/x", "--output", "json")
    assert status == 1 and decisions[0]["Decision"] == "explicitDeny"
    assert '"Sid": "NoSecrets"' in decisions[0]["DecidingStatements"][0]
    usage = cli.run("simulate", "--action", "s3:GetObject")
    assert usage.returncode == 2 and "give either --principal ARN or --policy-file FILE" in usage.stderr
