"""The CIS root-usage chain ("Ensure a log metric filter and alarm exist for usage of the root account"), built with
any caller's clients: a logging trail delivers to a log group through a role, the CIS metric filter counts root calls
and an alarm (Sum >= 1 over one period) notifies an SNS topic with an SQS subscriber."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from cloudwatch_helpers import PERIOD, topic_with_queue
from harness import policy_document

__all__ = ["REGION", "CIS_ROOT_USAGE", "METRIC", "RootUsageChain", "stream_of", "trail_to_log_group",
           "root_usage_chain"]

REGION = "us-east-1"
METRIC = "RootAccountUsageCount"
CIS_ROOT_USAGE = ('{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
                  '$.eventType != "AwsServiceEvent" }')


@dataclass(frozen=True)
class RootUsageChain:
    """What ``root_usage_chain`` built."""

    group: str
    namespace: str
    alarm_name: str
    topic: str
    queue: str


def stream_of(account: str) -> str:
    """The log stream CloudTrail delivers the account's records of REGION to."""
    return f"{account}_CloudTrail_{REGION}"


def trail_to_log_group(client: Callable, account: str, unique: str) -> str:
    """Bucket, log group, role and a logging trail that delivers to the group; returns the group name."""
    bucket, group, role_name = f"cis-trail-{unique}", f"/cis/trail-{unique}", f"cis-trail-logs-{unique}"
    client("s3").create_bucket(Bucket=bucket)
    client("s3").put_bucket_policy(Bucket=bucket, Policy=policy_document(
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": f"arn:aws:s3:::{bucket}"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{account}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}))
    client("logs").create_log_group(logGroupName=group)
    iam = client("iam")
    role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=policy_document(
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    iam.put_role_policy(RoleName=role_name, PolicyName="to-logs", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": f"arn:aws:logs:{REGION}:{account}:log-group:{group}:log-stream:{stream_of(account)}*"}))
    trail = client("cloudtrail")
    trail.create_trail(Name=f"cis-{unique}", S3BucketName=bucket, IsMultiRegionTrail=True,
                       CloudWatchLogsLogGroupArn=f"arn:aws:logs:{REGION}:{account}:log-group:{group}:*",
                       CloudWatchLogsRoleArn=role["Role"]["Arn"])
    trail.start_logging(Name=f"cis-{unique}")
    return group


def root_usage_chain(client: Callable, account: str, unique: str) -> RootUsageChain:
    """The whole chain: trail to log group, the CIS metric filter, its alarm and the alarm's topic and queue."""
    group = trail_to_log_group(client, account, unique)
    namespace = f"CISBenchmark/{unique}"
    client("logs").put_metric_filter(logGroupName=group, filterName="RootAccountUsage", filterPattern=CIS_ROOT_USAGE,
                                     metricTransformations=[{"metricName": METRIC, "metricNamespace": namespace,
                                                             "metricValue": "1"}])
    topic, queue = topic_with_queue(client("sns"), client("sqs"), f"cis-alarms-{unique}")
    alarm_name = f"cis-root-usage-{unique}"
    client("cloudwatch").put_metric_alarm(
        AlarmName=alarm_name, AlarmDescription="CIS 4.3: usage of the root account", MetricName=METRIC,
        Namespace=namespace, Statistic="Sum", Period=PERIOD, EvaluationPeriods=1, Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic], TreatMissingData="notBreaching")
    return RootUsageChain(group, namespace, alarm_name, topic, queue)
