"""CloudWatch Logs resource policies (PutResourcePolicy, DescribeResourcePolicies, DeleteResourcePolicy): account-level
policies by name, at most 10 per account and Region, and one AWS CLI call."""

from __future__ import annotations

import json
import time

from harness import BOOT_ACCOUNT, error_of, policy_document

EVENTS_TO_LOGS = policy_document({
    "Sid": "TrustEventsToStoreLogEvent", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": f"arn:aws:logs:us-east-1:{BOOT_ACCOUNT}:log-group:/aws/events/*:*"})


def test_put_describe_update_and_delete_a_policy(server, unique):
    logs = server.client("logs")
    before = int(time.time() * 1000)
    put = logs.put_resource_policy(policyName=f"p-{unique}", policyDocument=EVENTS_TO_LOGS)["resourcePolicy"]
    assert put["policyName"] == f"p-{unique}" and put["policyDocument"] == EVENTS_TO_LOGS
    assert put["policyScope"] == "ACCOUNT" and before - 1000 <= put["lastUpdatedTime"] <= before + 60_000
    assert "resourceArn" not in put and "revisionId" not in put
    listed = {p["policyName"]: p for p in logs.describe_resource_policies()["resourcePolicies"]}
    assert listed[f"p-{unique}"] == put

    other = policy_document({"Effect": "Allow", "Principal": {"Service": "route53.amazonaws.com"},
                             "Action": "logs:PutLogEvents", "Resource": "*"})
    updated = logs.put_resource_policy(policyName=f"p-{unique}", policyDocument=other)["resourcePolicy"]
    assert updated["policyDocument"] == other and updated["lastUpdatedTime"] >= put["lastUpdatedTime"]
    listed = [p for p in logs.describe_resource_policies()["resourcePolicies"] if p["policyName"] == f"p-{unique}"]
    assert listed == [updated]

    assert logs.delete_resource_policy(policyName=f"p-{unique}")["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert f"p-{unique}" not in [p["policyName"] for p in logs.describe_resource_policies()["resourcePolicies"]]
    # aws/aws-cdk#12016 quotes the service's message
    assert error_of(logs.delete_resource_policy, policyName=f"p-{unique}") == (
        "ResourceNotFoundException", f"Policy with name [p-{unique}] does not exist.", 400)


def test_ten_policies_per_account_and_region_and_paging(server, unique):
    logs = server.client("logs", region="eu-west-3")
    names = [f"q{i}-{unique}" for i in range(10)]
    for name in names:
        logs.put_resource_policy(policyName=name, policyDocument=EVENTS_TO_LOGS)
    assert error_of(logs.put_resource_policy, policyName=f"extra-{unique}", policyDocument=EVENTS_TO_LOGS) == (
        "LimitExceededException", "Resource limit exceeded.", 400)
    logs.put_resource_policy(policyName=names[0], policyDocument=EVENTS_TO_LOGS)  # replacing one is no new policy
    seen, token = [], None
    while True:
        page = logs.describe_resource_policies(limit=4, **({"nextToken": token} if token else {}))
        assert len(page["resourcePolicies"]) <= 4
        seen += [p["policyName"] for p in page["resourcePolicies"]]
        token = page.get("nextToken")
        if not token:
            break
    assert sorted(seen) == sorted(names)
    assert error_of(logs.describe_resource_policies, nextToken="not-a-token") == (
        "InvalidParameterException", "The specified nextToken is invalid.", 400)
    # other Regions have their own policies
    assert f"q0-{unique}" not in [p["policyName"] for p in
                                  server.client("logs").describe_resource_policies()["resourcePolicies"]]
    logs.delete_resource_policy(policyName=names[1])
    logs.put_resource_policy(policyName=f"extra-{unique}", policyDocument=EVENTS_TO_LOGS)
    for name in [*names[:1], *names[2:], f"extra-{unique}"]:
        logs.delete_resource_policy(policyName=name)


def test_a_document_that_is_no_policy_is_refused(server, unique):
    logs = server.client("logs")
    code, _, status = error_of(logs.put_resource_policy, policyName=f"bad-{unique}", policyDocument="{not json")
    assert (code, status) == ("InvalidParameterException", 400)
    code, _, status = error_of(logs.put_resource_policy, policyName=f"big-{unique}",
                               policyDocument=" " * 51_201)
    assert (code, status) == ("InvalidParameterException", 400)
    assert f"bad-{unique}" not in [p["policyName"] for p in logs.describe_resource_policies()["resourcePolicies"]]


def test_put_resource_policy_with_the_cli(server, unique):
    out = server.cli_json("logs", "put-resource-policy", "--policy-name", f"cli-{unique}",
                          "--policy-document", EVENTS_TO_LOGS)
    assert out["resourcePolicy"]["policyName"] == f"cli-{unique}"
    assert json.loads(out["resourcePolicy"]["policyDocument"]) == json.loads(EVENTS_TO_LOGS)
    listed = server.cli_json("logs", "describe-resource-policies")["resourcePolicies"]
    assert f"cli-{unique}" in [p["policyName"] for p in listed]
    server.cli("logs", "delete-resource-policy", "--policy-name", f"cli-{unique}")


def test_a_log_groups_own_policy_has_a_revision(server, unique):
    logs = server.client("logs")
    name = f"/aws/events/scoped-{unique}"
    logs.create_log_group(logGroupName=name)
    arn = f"arn:aws:logs:us-east-1:{BOOT_ACCOUNT}:log-group:{name}"
    document = policy_document({"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": f"{arn}:*"})
    put = logs.put_resource_policy(resourceArn=arn, policyDocument=document)
    policy = put["resourcePolicy"]
    assert (policy["policyScope"], policy["resourceArn"], policy["policyDocument"]) == ("RESOURCE", arn, document)
    assert policy["revisionId"] == put["revisionId"] and "policyName" not in policy
    # a log group has one policy: it is replaced only at its current revision
    code, _, status = error_of(logs.put_resource_policy, resourceArn=arn, policyDocument=document)
    assert (code, status) == ("OperationAbortedException", 400)
    code, _, status = error_of(logs.put_resource_policy, resourceArn=arn, policyDocument=document,
                               expectedRevisionId="stale")
    assert (code, status) == ("OperationAbortedException", 400)
    again = logs.put_resource_policy(resourceArn=arn, policyDocument=document, expectedRevisionId=put["revisionId"])
    assert again["revisionId"] != put["revisionId"]

    assert logs.describe_resource_policies(resourceArn=arn, policyScope="RESOURCE")["resourcePolicies"] == [
        again["resourcePolicy"]]
    assert arn not in [p.get("resourceArn") for p in logs.describe_resource_policies()["resourcePolicies"]]
    assert again["resourcePolicy"] in logs.describe_resource_policies(policyScope="RESOURCE")["resourcePolicies"]
    code, _, status = error_of(logs.delete_resource_policy, resourceArn=arn, expectedRevisionId=put["revisionId"])
    assert (code, status) == ("OperationAbortedException", 400)
    logs.delete_resource_policy(resourceArn=arn, expectedRevisionId=again["revisionId"])
    assert logs.describe_resource_policies(resourceArn=arn, policyScope="RESOURCE")["resourcePolicies"] == []

    missing = f"arn:aws:logs:us-east-1:{BOOT_ACCOUNT}:log-group:/missing-{unique}"
    assert error_of(logs.put_resource_policy, resourceArn=missing, policyDocument=document) == (
        "ResourceNotFoundException", "The specified log group does not exist.", 400)
    code, _, status = error_of(logs.put_resource_policy, resourceArn=arn, policyName="both", policyDocument=document)
    assert (code, status) == ("InvalidParameterException", 400)


def test_deleting_a_log_group_deletes_its_policy(server, unique):
    logs = server.client("logs")
    name = f"/scoped/gone-{unique}"
    logs.create_log_group(logGroupName=name)
    arn = f"arn:aws:logs:us-east-1:{BOOT_ACCOUNT}:log-group:{name}"
    logs.put_resource_policy(resourceArn=arn, policyDocument=EVENTS_TO_LOGS)
    logs.delete_log_group(logGroupName=name)
    logs.create_log_group(logGroupName=name)
    assert logs.describe_resource_policies(resourceArn=arn, policyScope="RESOURCE")["resourcePolicies"] == []
