"""Buckets trails can deliver to, with the bucket policies CloudTrail's User Guide gives ("Amazon S3 bucket policy
for CloudTrail"), for the trail tests."""

from __future__ import annotations

import json

ACCOUNT = "000000000000"


def bucket_policy(bucket: str, trail_arn: str, prefix: str = "") -> dict:
    """The policy AWS documents for a CloudTrail bucket (Amazon S3 bucket policy for CloudTrail)."""
    path = f"{prefix}/" if prefix else ""
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{bucket}",
         "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}}},
        {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/{path}AWSLogs/{ACCOUNT}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn}}},
    ]}


def trail_bucket(server, bucket: str, trail: str, prefix: str = "") -> str:
    s3 = server.client("s3")
    s3.create_bucket(Bucket=bucket)
    trail_arn = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/{trail}"
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(bucket_policy(bucket, trail_arn, prefix)))
    return trail_arn


def organization_trail_bucket(server, bucket: str, trail_arn: str, org_id: str) -> None:
    """A bucket with the policy AWS documents for an organization trail (the management account's and the
    organization's folders)."""
    statements = [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": f"arn:aws:s3:::{bucket}", "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}}},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": [f"arn:aws:s3:::{bucket}/AWSLogs/{ACCOUNT}/*", f"arn:aws:s3:::{bucket}/AWSLogs/{org_id}/*"],
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail_arn}}},
    ]
    s3 = server.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
