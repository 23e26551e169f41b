"""Issue #10 finding 15: iam:PassRole is evaluated when an operation hands a role to a service (with
iam:PassedToService), and sts:GetAccessKeyInfo is an authorized action."""

from __future__ import annotations

import json

from tests.harness import error_of, policy_document

ACCOUNT = "000000000000"


def _user(server, name: str, *statements: dict) -> dict:
    iam = server.client("iam")
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy_document(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}


def _pass_role_denied(user: str, role_arn: str) -> str:
    return (f"User: arn:aws:iam::{ACCOUNT}:user/{user} is not authorized to perform: iam:PassRole on resource: "
            f"{role_arn} because no identity-based policy allows the iam:PassRole action")


def test_put_targets_needs_pass_role_for_the_target_role(server, unique):
    root = server.client("events")
    root.put_rule(Name=f"r-{unique}", EventPattern=json.dumps({"source": ["app"]}))
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/events-{unique}"
    queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:q-{unique}"
    target = {"Id": "t", "Arn": queue, "RoleArn": role_arn}
    user = f"pt-{unique}"
    events = server.client_for(_user(server, user, {"Effect": "Allow", "Action": "events:*", "Resource": "*"}),
                               "events")
    assert error_of(events.put_targets, Rule=f"r-{unique}", Targets=[target]) == (
        "AccessDeniedException", _pass_role_denied(user, role_arn), 400)
    events.put_targets(Rule=f"r-{unique}", Targets=[{"Id": "t", "Arn": queue}])  # no role: no PassRole

    passer = f"pp-{unique}"
    allowed = server.client_for(_user(server, passer, {"Effect": "Allow", "Action": "events:*", "Resource": "*"}, {
        "Effect": "Allow", "Action": "iam:PassRole", "Resource": role_arn,
        "Condition": {"StringEquals": {"iam:PassedToService": "events.amazonaws.com"}}}), "events")
    assert allowed.put_targets(Rule=f"r-{unique}", Targets=[target])["FailedEntryCount"] == 0
    listed = root.list_targets_by_rule(Rule=f"r-{unique}")["Targets"]
    assert [t.get("RoleArn") for t in listed] == [role_arn]


def test_pass_role_condition_names_the_receiving_service(server, unique):
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/trail-{unique}"
    user = f"ct-{unique}"
    cloudtrail = server.client_for(_user(server, user, {"Effect": "Allow", "Action": "cloudtrail:*", "Resource": "*"}, {
        "Effect": "Allow", "Action": "iam:PassRole", "Resource": role_arn,
        "Condition": {"StringEquals": {"iam:PassedToService": "events.amazonaws.com"}}}), "cloudtrail")
    code, message, status = error_of(
        cloudtrail.create_trail, Name=f"t-{unique}", S3BucketName=f"missing-{unique}", CloudWatchLogsRoleArn=role_arn,
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:g:*")
    assert (code, message, status) == ("AccessDeniedException", _pass_role_denied(user, role_arn), 400)
    # Without a role to pass, the request reaches CloudTrail (which then finds no bucket).
    assert error_of(cloudtrail.create_trail, Name=f"t-{unique}", S3BucketName=f"missing-{unique}")[0] == \
        "S3BucketDoesNotExistException"


def test_get_access_key_info_is_authorized(server, unique):
    key_id = server.client("iam").create_access_key()["AccessKey"]["AccessKeyId"]
    user = f"ak-{unique}"
    sts = server.client_for(_user(server, user), "sts")
    code, message, status = error_of(sts.get_access_key_info, AccessKeyId=key_id)
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(f"User: arn:aws:iam::{ACCOUNT}:user/{user} is not authorized to perform: "
                              "sts:GetAccessKeyInfo")
    allowed = server.client_for(_user(server, f"ak2-{unique}", {"Effect": "Allow", "Action": "sts:GetAccessKeyInfo",
                                                                "Resource": "*"}), "sts")
    assert allowed.get_access_key_info(AccessKeyId=key_id)["Account"] == ACCOUNT
