"""CloudTrail delivery to CloudWatch Logs: CreateTrail/UpdateTrail check the log group and the role, a trail whose
role CloudTrail may assume puts every record (root calls included) into ``<account>_CloudTrail_<region>``, and one
whose role CloudTrail may not assume delivers nothing and reports the error in GetTrailStatus."""

from __future__ import annotations

import datetime as dt
import json
import time

from harness import BOOT_ACCOUNT, error_of, policy_document

REGION = "us-east-1"
STREAM = f"{BOOT_ACCOUNT}_CloudTrail_{REGION}"
TRUST = policy_document({"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                         "Action": "sts:AssumeRole"})
CIS_ROOT_USAGE = ('{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
                  '$.eventType != "AwsServiceEvent" }')
OTHER_TRUST = policy_document({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                               "Action": "sts:AssumeRole"})


def _bucket(server, name: str) -> None:
    s3 = server.client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(Bucket=name, Policy=policy_document(
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": f"arn:aws:s3:::{name}"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{name}/AWSLogs/{BOOT_ACCOUNT}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}))


def _group(server, name: str) -> str:
    server.client("logs").create_log_group(logGroupName=name)
    return f"arn:aws:logs:{REGION}:{BOOT_ACCOUNT}:log-group:{name}:*"


def _role(server, name: str, group: str, trust: str = TRUST, allow: bool = True) -> str:
    iam = server.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"] if allow else ["logs:CreateLogStream"]
    iam.put_role_policy(RoleName=name, PolicyName="to-logs", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": actions,
         "Resource": f"arn:aws:logs:{REGION}:{BOOT_ACCOUNT}:log-group:{group}:log-stream:{STREAM}*"}))
    return arn


def _flush(server) -> None:
    server.client("cloudtrail").lookup_events(MaxResults=1)  # waits for the audit writer and its deliveries


def _delivered(server, group: str, wanted, deadline: float = 20.0) -> list[dict]:
    """The records in the trail's stream once ``wanted(records)`` holds (polled until the deadline)."""
    logs = server.client("logs")
    end = time.monotonic() + deadline
    while True:
        _flush(server)
        streams = [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]]
        records = []
        if STREAM in streams:
            events = logs.get_log_events(logGroupName=group, logStreamName=STREAM, startFromHead=True)["events"]
            records = [json.loads(event["message"]) for event in events]
        if wanted(records) or time.monotonic() > end:
            return records
        time.sleep(0.2)


def test_create_trail_checks_log_group_and_role(server, unique):
    cloudtrail = server.client("cloudtrail")
    _bucket(server, f"ct-checks-{unique}")
    group_name = f"/trail/checks-{unique}"
    group = _group(server, group_name)
    good = _role(server, f"ct-good-{unique}", group_name)

    def create(**kwargs):
        return cloudtrail.create_trail(Name=f"checks-{unique}", S3BucketName=f"ct-checks-{unique}", **kwargs)

    assert error_of(create, CloudWatchLogsLogGroupArn=group) == (
        "InvalidCloudWatchLogsRoleArnException", "You must specify a log group and a role ARN.", 400)
    assert error_of(create, CloudWatchLogsRoleArn=good)[0] == "InvalidCloudWatchLogsLogGroupArnException"
    missing = f"arn:aws:logs:{REGION}:{BOOT_ACCOUNT}:log-group:/missing-{unique}:*"
    assert error_of(create, CloudWatchLogsLogGroupArn=missing, CloudWatchLogsRoleArn=good) == (
        "InvalidCloudWatchLogsLogGroupArnException", "CloudTrail cannot validate the specified log group ARN.", 400)
    untrusted = _role(server, f"ct-ec2-{unique}", group_name, trust=OTHER_TRUST)
    assert error_of(create, CloudWatchLogsLogGroupArn=group, CloudWatchLogsRoleArn=untrusted) == (
        "InvalidCloudWatchLogsRoleArnException", "Access denied. Check the trust relationships for your role.", 400)
    weak = _role(server, f"ct-weak-{unique}", group_name, allow=False)
    assert error_of(create, CloudWatchLogsLogGroupArn=group, CloudWatchLogsRoleArn=weak) == (
        "InvalidCloudWatchLogsLogGroupArnException", "Access denied. Check the permissions for your role.", 400)

    created = create(CloudWatchLogsLogGroupArn=group, CloudWatchLogsRoleArn=good)
    assert (created["CloudWatchLogsLogGroupArn"], created["CloudWatchLogsRoleArn"]) == (group, good)
    updated = cloudtrail.update_trail(Name=f"checks-{unique}", CloudWatchLogsLogGroupArn="", CloudWatchLogsRoleArn="")
    assert "CloudWatchLogsLogGroupArn" not in updated
    assert error_of(cloudtrail.update_trail, Name=f"checks-{unique}", CloudWatchLogsLogGroupArn=group,
                    CloudWatchLogsRoleArn=untrusted)[0] == "InvalidCloudWatchLogsRoleArnException"
    cloudtrail.update_trail(Name=f"checks-{unique}", CloudWatchLogsLogGroupArn=group, CloudWatchLogsRoleArn=good)
    trail = cloudtrail.get_trail(Name=f"checks-{unique}")["Trail"]
    assert (trail["CloudWatchLogsLogGroupArn"], trail["CloudWatchLogsRoleArn"]) == (group, good)


def test_trail_delivers_records_to_the_log_group(server, unique):
    cloudtrail = server.client("cloudtrail")
    _bucket(server, f"ct-good-{unique}")
    group_name = f"/trail/good-{unique}"
    group = _group(server, group_name)
    role = _role(server, f"ct-deliver-{unique}", group_name)
    cloudtrail.create_trail(Name=f"good-{unique}", S3BucketName=f"ct-good-{unique}",
                            CloudWatchLogsLogGroupArn=group, CloudWatchLogsRoleArn=role)
    server.client("logs").put_metric_filter(
        logGroupName=group_name, filterName="root-usage", filterPattern=CIS_ROOT_USAGE, metricTransformations=[
            {"metricName": "RootAccountUsageCount", "metricNamespace": f"CIS/{unique}", "metricValue": "1"}])
    cloudtrail.start_logging(Name=f"good-{unique}")
    server.client("iam").create_user(UserName=f"made-by-root-{unique}")

    def has_root_call(records):
        return any(r["eventName"] == "CreateUser" and r["userIdentity"]["type"] == "Root" and
                   r["requestParameters"]["userName"] == f"made-by-root-{unique}" for r in records)
    records = _delivered(server, group_name, has_root_call)
    assert has_root_call(records)
    assert all(r["recipientAccountId"] == BOOT_ACCOUNT and r["eventVersion"] for r in records)
    status = cloudtrail.get_trail_status(Name=f"good-{unique}")
    assert "LatestCloudWatchLogsDeliveryTime" in status and "LatestCloudWatchLogsDeliveryError" not in status
    stream = server.client("logs").describe_log_streams(logGroupName=group_name)["logStreams"][0]
    assert stream["logStreamName"] == STREAM
    # The CIS metric filter counted the delivered root calls (and nothing else: CloudTrail makes no service calls).
    roots = sum(r["userIdentity"]["type"] == "Root" and "invokedBy" not in r["userIdentity"] for r in records)
    now = dt.datetime.now(dt.timezone.utc)
    points = server.client("cloudwatch").get_metric_statistics(
        Namespace=f"CIS/{unique}", MetricName="RootAccountUsageCount", Period=3600, Statistics=["Sum"],
        StartTime=now - dt.timedelta(hours=2), EndTime=now + dt.timedelta(hours=1))["Datapoints"]
    assert sum(point["Sum"] for point in points) >= roots >= 1
    cloudtrail.stop_logging(Name=f"good-{unique}")


def test_role_cloudtrail_may_not_assume_delivers_nothing(server, unique):
    cloudtrail = server.client("cloudtrail")
    _bucket(server, f"ct-bad-{unique}")
    group_name = f"/trail/bad-{unique}"
    group = _group(server, group_name)
    role = _role(server, f"ct-revoked-{unique}", group_name)
    cloudtrail.create_trail(Name=f"bad-{unique}", S3BucketName=f"ct-bad-{unique}",
                            CloudWatchLogsLogGroupArn=group, CloudWatchLogsRoleArn=role)
    # The trust policy changes after CreateTrail checked it: CloudTrail can no longer assume the role.
    server.client("iam").update_assume_role_policy(RoleName=f"ct-revoked-{unique}", PolicyDocument=OTHER_TRUST)
    cloudtrail.start_logging(Name=f"bad-{unique}")
    server.client("iam").list_users()

    def failed(_records):
        return "LatestCloudWatchLogsDeliveryError" in cloudtrail.get_trail_status(Name=f"bad-{unique}")
    assert _delivered(server, group_name, failed) == []
    status = cloudtrail.get_trail_status(Name=f"bad-{unique}")
    assert status["LatestCloudWatchLogsDeliveryError"] == "AccessDeniedException"
    assert "LatestCloudWatchLogsDeliveryTime" not in status
    assert server.client("logs").describe_log_streams(logGroupName=group_name)["logStreams"] == []
    cloudtrail.stop_logging(Name=f"bad-{unique}")
