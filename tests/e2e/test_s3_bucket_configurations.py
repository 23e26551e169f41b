"""Bucket configurations auditors read (logging, default encryption, Object Lock, replication, notifications,
lifecycle, CORS, website, request payment, acceleration): stored, read back, deleted and refused as S3 does
(issue #13 B.4)."""

from __future__ import annotations

import datetime as dt

from harness import error_of, iam_user_key, policy_document


def test_new_bucket_reports_aws_defaults_and_missing_configurations(server, unique):
    s3 = server.client("s3")
    bucket = f"defaults-{unique}"
    s3.create_bucket(Bucket=bucket)
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules == [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    notification = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert not {"TopicConfigurations", "QueueConfigurations", "LambdaFunctionConfigurations"} & set(notification)
    for call, code, message in [
        (s3.get_object_lock_configuration, "ObjectLockConfigurationNotFoundError",
         "Object Lock configuration does not exist for this bucket"),
        (s3.get_bucket_replication, "ReplicationConfigurationNotFoundError", "The replication configuration was not found"),
        (s3.get_bucket_lifecycle_configuration, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"),
        (s3.get_bucket_cors, "NoSuchCORSConfiguration", "The CORS configuration does not exist"),
        (s3.get_bucket_website, "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"),
    ]:
        assert error_of(call, Bucket=bucket) == (code, message, 404)
    assert error_of(s3.get_bucket_logging, Bucket=f"missing-{unique}")[0] == "NoSuchBucket"


def test_configurations_round_trip_and_delete(server, unique):
    s3 = server.client("s3")
    bucket, logs = f"configured-{unique}", f"logs-{unique}"
    s3.create_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=logs)
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": logs, "TargetPrefix": "access/"}})
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"] == {"TargetBucket": logs, "TargetPrefix": "access/"}
    kms = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/k"},
                      "BucketKeyEnabled": True}]}
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=kms)
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"] == kms
    s3.delete_bucket_encryption(Bucket=bucket)
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0][
        "ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    expiry = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    lifecycle = {"Rules": [{"ID": "old", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
                            "Expiration": {"Date": expiry}}]}
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=lifecycle)
    rule = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
    assert (rule["ID"], rule["Filter"], rule["Expiration"]["Date"]) == ("old", {"Prefix": "tmp/"}, expiry)
    s3.delete_bucket_lifecycle(Bucket=bucket)
    assert error_of(s3.get_bucket_lifecycle_configuration, Bucket=bucket)[0] == "NoSuchLifecycleConfiguration"
    cors = {"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["https://example.com"], "MaxAgeSeconds": 60}]}
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=cors)
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == cors["CORSRules"]
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    assert s3.get_bucket_website(Bucket=bucket)["IndexDocument"] == {"Suffix": "index.html"}
    s3.delete_bucket_website(Bucket=bucket)
    assert error_of(s3.get_bucket_website, Bucket=bucket)[0] == "NoSuchWebsiteConfiguration"
    queue_arn = "arn:aws:sqs:us-east-1:000000000000:events"
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
        {"Id": "q", "QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]})
    queues = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]
    assert queues == [{"Id": "q", "QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Enabled"


def test_object_lock_and_replication_need_versioning(server, unique):
    s3 = server.client("s3")
    bucket = f"unversioned-{unique}"
    s3.create_bucket(Bucket=bucket)
    lock = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}
    assert error_of(s3.put_object_lock_configuration, Bucket=bucket, ObjectLockConfiguration=lock) == (
        "InvalidBucketState", "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration", 409)
    replication = {"Role": "arn:aws:iam::000000000000:role/replicator", "Rules": [
        {"ID": "all", "Priority": 1, "Status": "Enabled", "Filter": {}, "DeleteMarkerReplication": {"Status": "Disabled"},
         "Destination": {"Bucket": "arn:aws:s3:::elsewhere"}}]}
    assert error_of(s3.put_bucket_replication, Bucket=bucket, ReplicationConfiguration=replication) == (
        "InvalidRequest", "Versioning must be 'Enabled' on the bucket to apply a replication configuration", 400)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=replication)
    assert s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]["Rules"][0]["ID"] == "all"
    s3.delete_bucket_replication(Bucket=bucket)
    assert error_of(s3.get_bucket_replication, Bucket=bucket)[0] == "ReplicationConfigurationNotFoundError"


def test_bucket_created_with_object_lock(server, unique):
    s3 = server.client("s3")
    bucket = f"locked-{unique}"
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled"}
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert error_of(s3.put_bucket_versioning, Bucket=bucket, VersioningConfiguration={"Status": "Suspended"}) == (
        "InvalidBucketState", "An Object Lock configuration is present on this bucket, so the versioning state cannot "
        "be changed.", 409)


def test_configuration_reads_are_authorized_with_their_iam_actions(server, unique):
    s3 = server.client("s3")
    bucket = f"authz-{unique}"
    s3.create_bucket(Bucket=bucket)
    iam = server.client("iam")
    key = iam_user_key(server, f"reader-{unique}")
    iam.put_user_policy(UserName=f"reader-{unique}", PolicyName="enc", PolicyDocument=policy_document(
        {"Effect": "Allow", "Action": "s3:GetEncryptionConfiguration", "Resource": f"arn:aws:s3:::{bucket}"}))
    reader = server.client("s3", access_key=key["AccessKeyId"], secret_key=key["SecretAccessKey"])
    assert reader.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    code, _message, status = error_of(reader.get_bucket_logging, Bucket=bucket)
    assert (code, status) == ("AccessDenied", 403)
