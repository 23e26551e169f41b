"""IAM User Guide, "Track privileged tasks in AWS CloudTrail" (cloudtrail-track-privileged-tasks.html).

As the page shows: an administrator *role* session of the management account runs ``aws sts assume-root`` for
``S3UnlockBucketPolicy`` and deletes a member's bucket policy. Step 1 finds the ``AssumeRoot`` event in the
management account; step 2 finds, in the member account, the events whose ``accessKeyId`` is the one the
AssumeRoot event returned. Fields are checked against the page's two example records, through the AWS CLI.
"""

from __future__ import annotations

import datetime as _dt
import json
import re

import pytest

from docs_cli import Cli
from orgs_helpers import admin_key, assume_access_role, create_member

S3_UNLOCK = "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"
BUCKET = "resource-policy-johndoe"
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"AWS": "arn:aws:iam::000000000000:root"}}]}
ASSUME_ROOT = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRoot", "Resource": "arn:aws:iam::*:root"},
    {"Effect": "Allow", "Action": "cloudtrail:LookupEvents", "Resource": "*"}]}
# STS records expirations as "Oct 25, 2024, 9:07:11 PM"
STS_DATE = re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2} [AP]M$")


@pytest.fixture(scope="module")
def story(server) -> dict:
    orgs, iam = server.client("organizations"), server.client("iam")
    orgs.create_organization(FeatureSet="ALL")
    member = create_member(orgs, "workload")
    orgs.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    iam.enable_organizations_root_sessions()
    iam.create_role(RoleName="JohnDoe", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.put_role_policy(RoleName="JohnDoe", PolicyName="AssumeRoot", PolicyDocument=json.dumps(ASSUME_ROOT))
    admin = admin_key(server)
    john = Cli(server, Cli(server, admin).json("sts", "assume-role", "--role-arn",
                                               "arn:aws:iam::000000000000:role/JohnDoe",
                                               "--role-session-name", "JohnRole1")["Credentials"])
    member_credentials = assume_access_role(server, admin, member)
    member_admin = Cli(server, member_credentials)
    s3 = server.client_for(member_credentials, "s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                                "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]}]}))
    credentials = john.json("sts", "assume-root", "--target-principal", member, "--task-policy-arn",
                            f"arn={S3_UNLOCK}")["Credentials"]
    Cli(server, credentials).json("s3api", "delete-bucket-policy", "--bucket", BUCKET)
    return {"port": server.port, "member": member, "john": john, "member_admin": member_admin, "credentials": credentials}


def _events(cli: Cli, key: str, value: str) -> list[dict]:
    return cli.json("cloudtrail", "lookup-events", "--lookup-attributes",
                    f"AttributeKey={key},AttributeValue={value}")["Events"]


def test_step1_assume_root_event_in_management_account(story):
    events = _events(story["john"], "EventName", "AssumeRoot")
    assert len(events) == 1
    summary = events[0]
    assert (summary["EventName"], summary["EventSource"], summary["ReadOnly"]) == (
        "AssumeRoot", "sts.amazonaws.com", "false")
    record = json.loads(summary["CloudTrailEvent"])
    identity = record["userIdentity"]
    assert identity["type"] == "AssumedRole" and identity["accountId"] == "000000000000"
    assert identity["arn"] == "arn:aws:sts::000000000000:assumed-role/JohnDoe/JohnRole1"
    assert identity["principalId"].endswith(":JohnRole1")
    assert identity["accessKeyId"] == story["john"].credentials["AccessKeyId"]
    issuer = identity["sessionContext"]["sessionIssuer"]
    assert issuer == {"type": "Role", "principalId": identity["principalId"].split(":")[0],
                      "arn": "arn:aws:iam::000000000000:role/JohnDoe", "accountId": "000000000000",
                      "userName": "JohnDoe"}
    assert identity["sessionContext"]["attributes"]["mfaAuthenticated"] == "false"
    assert identity["sessionContext"]["assumedRoot"] == "true"
    assert (record["eventSource"], record["eventName"], record["awsRegion"]) == (
        "sts.amazonaws.com", "AssumeRoot", "us-east-1")
    assert record["requestParameters"] == {"targetPrincipal": story["member"], "taskPolicyArn": {"arn": S3_UNLOCK}}
    returned = record["responseElements"]["credentials"]
    assert returned["accessKeyId"] == story["credentials"]["AccessKeyId"]
    assert STS_DATE.match(returned["expiration"]), returned["expiration"]
    assert story["credentials"]["SecretAccessKey"] not in summary["CloudTrailEvent"]
    assert (record["readOnly"], record["eventType"], record["managementEvent"], record["eventCategory"],
            record["recipientAccountId"]) == (False, "AwsApiCall", True, "Management", "000000000000")
    assert _dt.datetime.strptime(record["eventTime"], "%Y-%m-%dT%H:%M:%SZ")


def test_step2_session_actions_in_member_account(story):
    member, key = story["member"], story["credentials"]["AccessKeyId"]
    events = _events(story["member_admin"], "AccessKeyId", key)
    assert [event["EventName"] for event in events] == ["DeleteBucketPolicy"]
    assert events[0]["Username"] == "root" and events[0]["AccessKeyId"] == key
    assert {"ResourceType": "AWS::S3::Bucket", "ResourceName": BUCKET} in events[0]["Resources"]
    record = json.loads(events[0]["CloudTrailEvent"])
    assert record["userIdentity"]["type"] == "Root"
    assert {k: record["userIdentity"][k] for k in ("principalId", "arn", "accountId", "accessKeyId")} == {
        "principalId": member, "arn": f"arn:aws:iam::{member}:root", "accountId": member, "accessKeyId": key}
    assert record["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"] == "false"
    assert (record["eventSource"], record["eventName"]) == ("s3.amazonaws.com", "DeleteBucketPolicy")
    assert record["requestParameters"] == {"bucketName": BUCKET, "Host": f"127.0.0.1:{story['port']}", "policy": ""}
    assert record["responseElements"] is None
    assert record["resources"] == [{"accountId": member, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{BUCKET}"}]
    assert (record["readOnly"], record["eventType"], record["managementEvent"], record["recipientAccountId"],
            record["eventCategory"]) == (False, "AwsApiCall", True, member, "Management")


def test_lookup_events_cli_paging_and_query(story):
    cli = story["member_admin"]
    by_s3 = ("--lookup-attributes", "AttributeKey=EventSource,AttributeValue=s3.amazonaws.com")
    names = cli.text("cloudtrail", "lookup-events", *by_s3, "--query", "Events[].EventName").split()
    assert names == ["DeleteBucketPolicy", "PutBucketPolicy", "CreateBucket"]  # newest first
    first = cli.json("cloudtrail", "lookup-events", *by_s3, "--max-items", "1")
    assert [event["EventName"] for event in first["Events"]] == names[:1] and first["NextToken"]
    second = cli.json("cloudtrail", "lookup-events", *by_s3, "--max-items", "2", "--starting-token",
                      first["NextToken"])
    assert [event["EventName"] for event in second["Events"]] == names[1:] and "NextToken" not in second
    assert [event["EventName"] for event in cli.json("cloudtrail", "lookup-events", *by_s3, "--page-size", "1")[
        "Events"]] == names
    assert cli.text("cloudtrail", "lookup-events", "--lookup-attributes",
                    "AttributeKey=Username,AttributeValue=root", "--query", "Events[].EventName") == \
        "DeleteBucketPolicy"
