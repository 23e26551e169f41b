"""re:Post knowledge center, "How do I create an EventBridge rule for AWS account root user login alerts?"
(repost.aws/knowledge-center/root-user-account-eventbridge-rule), with the AWS CLI.

The recipe: an SNS topic with an e-mail subscription confirmed from the e-mail, an EventBridge rule in us-east-1
with the root pattern, the topic as target (topic policy lets events.amazonaws.com publish). The page's pattern
matches root console sign-ins (no API can sign in, so TestEventPattern checks it against a sign-in record); its
"AWS API Call via CloudTrail" variant and a rule on AssumeRoot are delivered for real, including root activity of
an AssumeRoot session in a member account.
"""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from docs_cli import BOOT_KEY, Cli
from orgs_helpers import admin_key, assume_access_role, create_member

SIGN_IN_PATTERN = {"detail-type": ["AWS Console Sign In via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}
ROOT_ACTIVITY = {"detail-type": ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"],
                 "detail": {"userIdentity": {"type": ["Root"]}}}
ASSUME_ROOT_WATCH = {"source": ["aws.sts"], "detail-type": ["AWS API Call via CloudTrail"],
                     "detail": {"eventSource": ["sts.amazonaws.com"], "eventName": ["AssumeRoot"]}}
SIGN_IN_EVENT = {
    "version": "0", "id": "6f87d04b-9f74-4f04-a780-7acf4b0a9b38", "detail-type": "AWS Console Sign In via CloudTrail",
    "source": "aws.signin", "account": "000000000000", "time": "2024-10-25T20:53:47Z", "region": "us-east-1",
    "resources": [], "detail": {
        "eventVersion": "1.08", "userIdentity": {"type": "Root", "principalId": "000000000000",
                                                 "arn": "arn:aws:iam::000000000000:root", "accountId": "000000000000"},
        "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "awsRegion": "us-east-1",
        "responseElements": {"ConsoleLogin": "Success"}, "eventType": "AwsConsoleSignIn"}}


def _alerts(server, cli: Cli, name: str, pattern: dict) -> str:
    """The recipe with the CLI: topic, e-mail subscription confirmed by its link, rule, topic policy, target."""
    email = f"{name}@example.com"
    topic = cli.json("sns", "create-topic", "--name", name)["TopicArn"]
    assert cli.json("sns", "subscribe", "--topic-arn", topic, "--protocol", "email",
                    "--notification-endpoint", email) == {"SubscriptionArn": "pending confirmation"}
    confirmation = server.get_json(f"/_rootplane/outbox?to={email}")[-1]
    assert "Subscription Confirmation" in confirmation["subject"]
    link = re.search(r"^(http\S+Action=ConfirmSubscription\S+)$", confirmation["body"], re.M).group(1)
    with urllib.request.urlopen(link, timeout=10) as response:  # "choose Confirm subscription" in the e-mail
        assert response.status == 200
    subscriptions = cli.json("sns", "list-subscriptions-by-topic", "--topic-arn", topic)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [("email", email)]
    assert subscriptions[0]["SubscriptionArn"].startswith(topic + ":")
    rule_arn = cli.json("events", "put-rule", "--name", name, "--event-pattern", json.dumps(pattern),
                        "--state", "ENABLED", "--description", "Root user activity")["RuleArn"]
    assert rule_arn.endswith(f":rule/{name}") and ":us-east-1:" in rule_arn
    cli.json("sns", "set-topic-attributes", "--topic-arn", topic, "--attribute-name", "Policy", "--attribute-value",
             json.dumps({"Version": "2012-10-17", "Statement": [{
                 "Sid": "AllowEventBridge", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                 "Action": "sns:Publish", "Resource": topic}]}))
    assert cli.json("events", "put-targets", "--rule", name, "--targets", f"Id=1,Arn={topic}") == {
        "FailedEntryCount": 0, "FailedEntries": []}
    assert cli.json("events", "list-targets-by-rule", "--rule", name)["Targets"] == [{"Id": "1", "Arn": topic}]
    return email


def _mails(server, email: str) -> list[dict]:
    """The alerts e-mailed so far (the confirmation request excluded), as EventBridge events."""
    server.client("cloudtrail").lookup_events(MaxResults=1)  # flushes pending records and their deliveries
    mails = server.get_json(f"/_rootplane/outbox?to={email}")[1:]
    return [json.loads(mail["body"].split("\n\n--\n")[0]) for mail in mails]


@pytest.fixture(scope="module")
def root(server) -> Cli:
    return Cli(server, BOOT_KEY)


def test_knowledge_center_sign_in_pattern(server, root):
    _alerts(server, root, "root-login", SIGN_IN_PATTERN)
    described = root.json("events", "describe-rule", "--name", "root-login")
    assert json.loads(described["EventPattern"]) == SIGN_IN_PATTERN and described["State"] == "ENABLED"
    matches = root.json("events", "test-event-pattern", "--event-pattern", json.dumps(SIGN_IN_PATTERN),
                        "--event", json.dumps(SIGN_IN_EVENT))
    assert matches == {"Result": True}
    api_call = {**SIGN_IN_EVENT, "detail-type": "AWS API Call via CloudTrail", "source": "aws.iam"}
    assert root.json("events", "test-event-pattern", "--event-pattern", json.dumps(SIGN_IN_PATTERN),
                     "--event", json.dumps(api_call)) == {"Result": False}
    root.json("iam", "create-user", "--user-name", "someone")
    assert _mails(server, "root-login@example.com") == []  # root API calls are not sign-ins


def test_root_activity_and_assume_root_alerts(server, root):
    root.json("organizations", "create-organization", "--feature-set", "ALL")
    member = create_member(server.client("organizations"), "workload")
    root.json("organizations", "enable-aws-service-access", "--service-principal", "iam.amazonaws.com")
    root.json("iam", "enable-organizations-root-credentials-management")
    admin = Cli(server, admin_key(server))
    watch = _alerts(server, root, "assume-root-watch", ASSUME_ROOT_WATCH)
    member_admin = Cli(server, assume_access_role(server, admin.credentials, member))
    member_alerts = _alerts(server, member_admin, "member-root-activity", ROOT_ACTIVITY)

    credentials = admin.json("sts", "assume-root", "--target-principal", member, "--task-policy-arn",
                             "arn=arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword")["Credentials"]
    Cli(server, credentials).json("iam", "create-login-profile")
    Cli(server, credentials).json("iam", "get-login-profile")  # read-only: rules in state ENABLED skip it

    [opened] = _mails(server, watch)
    assert (opened["source"], opened["detail-type"], opened["account"]) == (
        "aws.sts", "AWS API Call via CloudTrail", "000000000000")
    assert opened["detail"]["eventName"] == "AssumeRoot"
    assert opened["detail"]["requestParameters"]["targetPrincipal"] == member
    assert credentials["SecretAccessKey"] not in json.dumps(opened)
    [used] = _mails(server, member_alerts)
    assert (used["source"], used["account"], used["detail"]["eventName"]) == ("aws.iam", member, "CreateLoginProfile")
    identity = used["detail"]["userIdentity"]
    assert identity["type"] == "Root" and identity["accessKeyId"] == credentials["AccessKeyId"]
