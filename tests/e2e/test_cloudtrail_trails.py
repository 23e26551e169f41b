"""Trails: CreateTrail's bucket checks and log files delivered to the project's own S3 (gzipped JSON records)."""

from __future__ import annotations

import datetime as _dt
import gzip
import json
import re

import pytest
from botocore.exceptions import ClientError

from cloudwatch_helpers import notifications, topic_with_queue
from docs_cli import BOOT_KEY, Cli
from trail_helpers import ACCOUNT, bucket_policy, trail_bucket


def _log_records(server, bucket: str) -> tuple[list[str], list[dict]]:
    server.client("cloudtrail").lookup_events(MaxResults=1)  # flushes pending records and deliveries
    s3 = server.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    records: list[dict] = []
    for key in keys:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        records.extend(json.loads(gzip.decompress(body))["Records"])
    return keys, records


def test_trails_are_stored_and_log(server, unique):
    client = server.client("cloudtrail")
    trail_bucket(server, f"logs-{unique}", f"trail-{unique}")
    created = client.create_trail(Name=f"trail-{unique}", S3BucketName=f"logs-{unique}")
    assert created["TrailARN"] == f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/trail-{unique}"
    assert client.get_trail_status(Name=f"trail-{unique}")["IsLogging"] is False
    client.start_logging(Name=f"trail-{unique}")
    status = client.get_trail_status(Name=created["TrailARN"])
    assert status["IsLogging"] is True and "StartLoggingTime" in status
    # The string twin of StartLoggingTime is CloudTrail's whole-second UTC text (the AWS CLI's example).
    assert status["TimeLoggingStarted"] == status["StartLoggingTime"].astimezone(
        _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    client.stop_logging(Name=f"trail-{unique}")
    status = client.get_trail_status(Name=f"trail-{unique}")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", status["TimeLoggingStopped"])
    client.start_logging(Name=f"trail-{unique}")
    trails = client.describe_trails(trailNameList=[f"trail-{unique}"])["trailList"]
    assert trails[0]["S3BucketName"] == f"logs-{unique}" and trails[0]["HomeRegion"] == "us-east-1"
    with pytest.raises(ClientError) as caught:
        client.create_trail(Name=f"trail-{unique}", S3BucketName="b")
    assert caught.value.response["Error"]["Code"] == "TrailAlreadyExistsException"
    with pytest.raises(ClientError) as caught:
        client.get_trail_status(Name="missing-trail")
    assert caught.value.response["Error"]["Code"] == "TrailNotFoundException"
    client.stop_logging(Name=f"trail-{unique}")


def test_create_trail_checks_the_bucket(server, unique):
    client = server.client("cloudtrail")
    with pytest.raises(ClientError) as caught:
        client.create_trail(Name=f"nb-{unique}", S3BucketName=f"missing-{unique}")
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("S3BucketDoesNotExistException",
                                                 f"S3 bucket missing-{unique} does not exist.")
    server.client("s3").create_bucket(Bucket=f"open-{unique}")
    with pytest.raises(ClientError) as caught:
        client.create_trail(Name=f"np-{unique}", S3BucketName=f"open-{unique}")
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("InsufficientS3BucketPolicyException",
                                                 f"Incorrect S3 bucket policy is detected for bucket: open-{unique}")
    # A policy for another trail ARN does not do either.
    trail_bucket(server, f"other-{unique}", f"someone-else-{unique}")
    with pytest.raises(ClientError) as caught:
        client.create_trail(Name=f"np-{unique}", S3BucketName=f"other-{unique}")
    assert caught.value.response["Error"]["Code"] == "InsufficientS3BucketPolicyException"


def test_logging_trail_delivers_gzipped_records(server, unique):
    client, bucket, trail = server.client("cloudtrail"), f"deliver-{unique}", f"d-{unique}"
    trail_bucket(server, bucket, trail, prefix="audit")
    client.create_trail(Name=trail, S3BucketName=bucket, S3KeyPrefix="audit")
    server.client("iam").create_user(UserName=f"before-{unique}")
    client.start_logging(Name=trail)
    server.client("iam").create_user(UserName=f"logged-{unique}")
    keys, records = _log_records(server, bucket)
    pattern = (rf"^audit/AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/\d{{4}}/\d{{2}}/\d{{2}}/"
               rf"{ACCOUNT}_CloudTrail_us-east-1_\d{{8}}T\d{{4}}Z_[0-9a-f]{{16}}\.json\.gz$")
    assert keys and all(re.match(pattern, key) for key in keys)
    created = [r for r in records if r["eventName"] == "CreateUser"]
    assert [r["requestParameters"]["userName"] for r in created] == [f"logged-{unique}"]
    assert created[0]["recipientAccountId"] == ACCOUNT
    status = client.get_trail_status(Name=trail)
    assert "LatestDeliveryTime" in status and "LatestDeliveryError" not in status
    # The bucket policy taken away: the next delivery fails with AccessDenied.
    server.client("s3").delete_bucket_policy(Bucket=bucket)
    server.client("iam").create_user(UserName=f"lost-{unique}")
    _log_records(server, bucket)
    assert client.get_trail_status(Name=trail)["LatestDeliveryError"] == "AccessDenied"
    client.stop_logging(Name=trail)


def test_log_files_delivered_into_an_object_lock_bucket_keep_its_default_retention(server, unique):
    """Default retention applies to every new object version placed in the bucket (S3 User Guide, "How S3 Object
    Lock works": bucket configuration), the log files CloudTrail delivers included: none can be deleted for good."""
    client, s3, bucket, trail = server.client("cloudtrail"), server.client("s3"), f"locked-{unique}", f"l-{unique}"
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 3}}})
    trail_arn = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/{trail}"
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(bucket_policy(bucket, trail_arn)))
    client.create_trail(Name=trail, S3BucketName=bucket)
    client.start_logging(Name=trail)
    server.client("iam").create_user(UserName=f"kept-{unique}")
    keys, _ = _log_records(server, bucket)
    client.stop_logging(Name=trail)
    assert keys
    for key in keys:
        version = s3.list_object_versions(Bucket=bucket, Prefix=key)["Versions"][0]["VersionId"]
        retention = s3.get_object_retention(Bucket=bucket, Key=key, VersionId=version)["Retention"]
        assert retention["Mode"] == "COMPLIANCE"
        left = retention["RetainUntilDate"] - _dt.datetime.now(_dt.timezone.utc)
        assert _dt.timedelta(days=2, hours=23) < left <= _dt.timedelta(days=3)
        with pytest.raises(ClientError) as refused:
            s3.delete_object(Bucket=bucket, Key=key, VersionId=version)
        assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_stopping_a_trail_delivers_the_stop_logging_event(server, unique):
    """A trail delivers what happened before logging was turned off, StopLogging included (CloudTrail User Guide,
    "Turning off logging for a trail"): CIS's CloudTrail-changes alarm sees a trail being stopped. What happens after
    it is not delivered."""
    client, bucket, trail = server.client("cloudtrail"), f"stop-{unique}", f"s-{unique}"
    trail_bucket(server, bucket, trail)
    client.create_trail(Name=trail, S3BucketName=bucket)
    client.start_logging(Name=trail)
    client.stop_logging(Name=trail)
    server.client("iam").create_user(UserName=f"after-{unique}")
    _, records = _log_records(server, bucket)
    stops = [r for r in records if r["eventName"] == "StopLogging"]
    assert [r["requestParameters"]["name"] for r in stops] == [trail]
    assert not [r for r in records if r["eventName"] == "CreateUser"]


def test_trail_tags_and_insight_selectors(server, unique):
    """Auditors (ScoutSuite, Prowler) read a trail's tags and Insights selectors (issue #13 B.4)."""
    client = server.client("cloudtrail")
    name = f"tagged-{unique}"
    arn = trail_bucket(server, f"tagged-logs-{unique}", name)
    client.create_trail(Name=name, S3BucketName=f"tagged-logs-{unique}", TagsList=[{"Key": "team", "Value": "sec"}])
    client.add_tags(ResourceId=arn, TagsList=[{"Key": "env", "Value": "prod"}, {"Key": "flag"}])
    listed = client.list_tags(ResourceIdList=[arn])["ResourceTagList"]
    assert listed == [{"ResourceId": arn, "TagsList": [{"Key": "team", "Value": "sec"}, {"Key": "env", "Value": "prod"},
                                                       {"Key": "flag"}]}]
    client.remove_tags(ResourceId=arn, TagsList=[{"Key": "team"}])
    assert [t["Key"] for t in client.list_tags(ResourceIdList=[arn])["ResourceTagList"][0]["TagsList"]] == ["env", "flag"]
    with pytest.raises(ClientError) as excinfo:
        client.add_tags(ResourceId=arn, TagsList=[{"Key": f"k{i}", "Value": "v"} for i in range(49)])
    assert excinfo.value.response["Error"]["Code"] == "TagsLimitExceededException"
    with pytest.raises(ClientError) as excinfo:
        client.list_tags(ResourceIdList=[f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/none-{unique}"])
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"

    with pytest.raises(ClientError) as excinfo:
        client.get_insight_selectors(TrailName=name)
    assert (excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]) == (
        "InsightNotEnabledException", f"Trail {arn} does not have Insights enabled.")
    selectors = [{"InsightType": "ApiCallRateInsight"}, {"InsightType": "ApiErrorRateInsight"}]
    assert client.put_insight_selectors(TrailName=name, InsightSelectors=selectors)["InsightSelectors"] == selectors
    got = client.get_insight_selectors(TrailName=name)
    assert (got["TrailARN"], got["InsightSelectors"]) == (arn, selectors)
    client.put_insight_selectors(TrailName=name, InsightSelectors=[])
    with pytest.raises(ClientError) as excinfo:
        client.get_insight_selectors(TrailName=name)
    assert excinfo.value.response["Error"]["Code"] == "InsightNotEnabledException"


def test_describe_and_list_trails_show_each_trail_as_created(store_server):
    """DescribeTrails and ListTrails read one prepared statement (issue #19), on SQLite and PostgreSQL."""
    client = store_server.client("cloudtrail")
    trail_bucket(store_server, "described-logs", "b-regional", prefix="audit")
    trail_bucket(store_server, "described-logs-2", "a-global")
    client.create_trail(Name="b-regional", S3BucketName="described-logs", S3KeyPrefix="audit",
                        IncludeGlobalServiceEvents=False)
    client.create_trail(Name="a-global", S3BucketName="described-logs-2", IsMultiRegionTrail=True,
                        EnableLogFileValidation=True)
    client.put_event_selectors(TrailName="a-global", EventSelectors=[{"ReadWriteType": "WriteOnly"}])
    regional, global_ = client.describe_trails()["trailList"][::-1]
    assert [trail["Name"] for trail in client.describe_trails()["trailList"]] == ["a-global", "b-regional"]
    assert (regional["S3KeyPrefix"], regional["IncludeGlobalServiceEvents"], regional["IsMultiRegionTrail"],
            regional["HasCustomEventSelectors"], regional["LogFileValidationEnabled"]) == (
        "audit", False, False, False, False)
    assert (global_["IsMultiRegionTrail"], global_["LogFileValidationEnabled"], global_["HasCustomEventSelectors"],
            global_["IsOrganizationTrail"], "S3KeyPrefix" in global_) == (True, True, True, False, False)
    elsewhere = store_server.client("cloudtrail", region="eu-west-1")
    assert [trail["Name"] for trail in elsewhere.describe_trails()["trailList"]] == ["a-global"]
    assert elsewhere.describe_trails(includeShadowTrails=False)["trailList"] == []
    assert [(trail["Name"], trail["HomeRegion"]) for trail in client.list_trails()["Trails"]] == [
        ("a-global", "us-east-1"), ("b-regional", "us-east-1")]


def test_shadow_trails_are_read_only_outside_the_home_region(server, unique):
    """A multi-region trail is seen from every region, but only its home region may change it (AWS API Reference:
    StartLogging, StopLogging, UpdateTrail, DeleteTrail, PutEventSelectors "must be called from the Region in which
    the trail was created", else InvalidHomeRegionException). A single-region trail is unknown by name elsewhere;
    DescribeTrails finds it there by ARN only."""
    client, elsewhere = server.client("cloudtrail"), server.client("cloudtrail", region="eu-west-1")
    shared, local = f"all-{unique}", f"one-{unique}"
    trail_bucket(server, f"all-logs-{unique}", shared)
    local_arn = trail_bucket(server, f"one-logs-{unique}", local)
    client.create_trail(Name=shared, S3BucketName=f"all-logs-{unique}", IsMultiRegionTrail=True)
    client.create_trail(Name=local, S3BucketName=f"one-logs-{unique}")
    assert elsewhere.get_trail(Name=shared)["Trail"]["HomeRegion"] == "us-east-1"
    for call in (lambda: elsewhere.start_logging(Name=shared), lambda: elsewhere.stop_logging(Name=shared),
                 lambda: elsewhere.update_trail(Name=shared, EnableLogFileValidation=True),
                 lambda: elsewhere.put_event_selectors(TrailName=shared,
                                                       EventSelectors=[{"ReadWriteType": "WriteOnly"}]),
                 lambda: elsewhere.delete_trail(Name=shared)):
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.response["Error"]["Code"] == "InvalidHomeRegionException"
    assert client.get_trail_status(Name=shared)["IsLogging"] is False
    with pytest.raises(ClientError) as caught:
        elsewhere.get_trail(Name=local)
    assert caught.value.response["Error"]["Code"] == "TrailNotFoundException"
    assert elsewhere.describe_trails(trailNameList=[local])["trailList"] == []
    assert [t["Name"] for t in elsewhere.describe_trails(trailNameList=[local_arn])["trailList"]] == [local]
    client.delete_trail(Name=shared)
    client.delete_trail(Name=local)


def test_event_selectors_basic_or_advanced_within_limits(server, unique):
    """PutEventSelectors takes EventSelectors or AdvancedEventSelectors, not both, and replaces the other kind;
    InvalidEventSelectorsException past 5 selectors, 250 data resources, or an advanced selector without
    eventCategory (CloudTrail API Reference: PutEventSelectors, InvalidEventSelectorsException,
    AdvancedFieldSelector). DescribeTrails' HasCustomEventSelectors and HasInsightSelectors follow."""
    client, name = server.client("cloudtrail"), f"sel-{unique}"
    trail_bucket(server, f"sel-logs-{unique}", name)
    arn = client.create_trail(Name=name, S3BucketName=f"sel-logs-{unique}")["TrailARN"]
    basic = [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]
    advanced = [{"Name": "management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]
    s3_objects = {"Type": "AWS::S3::Object"}
    refused = [
        {"EventSelectors": basic, "AdvancedEventSelectors": advanced},
        {"EventSelectors": basic * 6},
        {"EventSelectors": []},
        {"EventSelectors": [{"DataResources": [{**s3_objects, "Values": [f"arn:aws:s3:::b{i}/" for i in range(200)]}]},
                            {"DataResources": [{**s3_objects, "Values": [f"arn:aws:s3:::c{i}/" for i in range(51)]}]}]},
        {"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "readOnly", "Equals": ["true"]}]}]},
        {"AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                                        {"Field": "userName", "Equals": ["root"]}]}]},
    ]
    for request in refused:
        with pytest.raises(ClientError) as caught:
            client.put_event_selectors(TrailName=name, **request)
        assert caught.value.response["Error"]["Code"] == "InvalidEventSelectorsException", request
    assert client.describe_trails(trailNameList=[name])["trailList"][0]["HasCustomEventSelectors"] is False
    put = client.put_event_selectors(TrailName=name, AdvancedEventSelectors=advanced)
    assert (put["TrailARN"], put["AdvancedEventSelectors"], "EventSelectors" in put) == (arn, advanced, False)
    got = client.get_event_selectors(TrailName=name)
    assert (got["AdvancedEventSelectors"], "EventSelectors" in got) == (advanced, False)
    client.put_event_selectors(TrailName=name, EventSelectors=basic)
    got = client.get_event_selectors(TrailName=name)
    assert (got["EventSelectors"][0]["ReadWriteType"], "AdvancedEventSelectors" in got) == ("WriteOnly", False)
    client.put_insight_selectors(TrailName=name, InsightSelectors=[{"InsightType": "ApiCallRateInsight"}])
    described = client.describe_trails(trailNameList=[name])["trailList"][0]
    assert (described["HasCustomEventSelectors"], described["HasInsightSelectors"]) == (True, True)
    assert client.get_trail(Name=name)["Trail"]["HasInsightSelectors"] is True
    client.delete_trail(Name=name)


def test_trail_names_follow_cloudtrail_rules(server, unique):
    """InvalidTrailNameException (CloudTrail API Reference): no adjacent periods, underscores or dashes ("my-_namespace
    and my--namespace are invalid") and not in IP address format (192.168.5.4)."""
    client = server.client("cloudtrail")
    for name in ("my-_namespace", f"t_-{unique}", "192.168.5.4", "my--namespace"):
        with pytest.raises(ClientError) as caught:
            client.create_trail(Name=name, S3BucketName=f"no-bucket-{unique}")
        assert caught.value.response["Error"]["Code"] == "InvalidTrailNameException", name


def _let_cloudtrail_publish(sns, topic: str, trail_arn: str) -> None:
    """The topic policy the CloudTrail User Guide gives ("Amazon SNS topic policy for CloudTrail")."""
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "AWSCloudTrailSNSPolicy", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "SNS:Publish", "Resource": topic,
            "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}}}]}))


def test_trail_sns_topic_must_let_cloudtrail_publish(server, unique):
    """CreateTrail/UpdateTrail with SnsTopicName: a missing topic, or one whose policy does not let
    cloudtrail.amazonaws.com publish, is InsufficientSnsTopicPolicyException "SNS Topic does not exist or the topic
    policy is incorrect!" (AWS's answer, CloudTrail User Guide "Amazon SNS topic policy for CloudTrail"); the trail
    then shows SnsTopicName and SnsTopicARN."""
    client, sns, name = server.client("cloudtrail"), server.client("sns"), f"notify-{unique}"
    trail_arn = trail_bucket(server, f"notify-logs-{unique}", name)
    topic = sns.create_topic(Name=f"trail-topic-{unique}")["TopicArn"]
    for topic_name in (f"missing-{unique}", f"trail-topic-{unique}"):
        with pytest.raises(ClientError) as caught:
            client.create_trail(Name=name, S3BucketName=f"notify-logs-{unique}", SnsTopicName=topic_name)
        assert (caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]) == (
            "InsufficientSnsTopicPolicyException", "SNS Topic does not exist or the topic policy is incorrect!")
    _let_cloudtrail_publish(sns, topic, trail_arn)
    created = client.create_trail(Name=name, S3BucketName=f"notify-logs-{unique}", SnsTopicName=f"trail-topic-{unique}")
    assert (created["SnsTopicName"], created["SnsTopicARN"]) == (f"trail-topic-{unique}", topic)
    assert client.get_trail(Name=name)["Trail"]["SnsTopicARN"] == topic
    with pytest.raises(ClientError) as caught:
        client.update_trail(Name=name, SnsTopicName=f"missing-{unique}")
    assert caught.value.response["Error"]["Code"] == "InsufficientSnsTopicPolicyException"
    client.delete_trail(Name=name)


def test_a_trail_announces_each_log_file_on_its_topic(server, unique):
    """Each log file delivered is announced on the trail's SNS topic as {"s3Bucket", "s3ObjectKey": [key]} (User
    Guide, "Configuring Amazon SNS notifications for CloudTrail"); a queue subscribed to the topic receives them."""
    client, sns, name, bucket = server.client("cloudtrail"), server.client("sns"), f"told-{unique}", f"told-{unique}"
    trail_arn = trail_bucket(server, bucket, name)
    topic, url = topic_with_queue(sns, server.client("sqs"), f"told-{unique}")
    _let_cloudtrail_publish(sns, topic, trail_arn)
    client.create_trail(Name=name, S3BucketName=bucket, SnsTopicName=topic)
    client.start_logging(Name=name)
    server.client("iam").create_user(UserName=f"told-{unique}")
    client.stop_logging(Name=name)
    keys, _ = _log_records(server, bucket)
    announced = notifications(server.client("sqs"), url, len(keys))
    assert sorted(key for envelope in announced for key in json.loads(envelope["Message"])["s3ObjectKey"]) == keys
    assert {json.loads(envelope["Message"])["s3Bucket"] for envelope in announced} == {bucket}
    assert {envelope["TopicArn"] for envelope in announced} == {topic}


def _cloudtrail_key_policy(trail_arn: str) -> str:
    """The key policy the CloudTrail User Guide documents for a trail's key ("Configure AWS KMS key policies for
    CloudTrail": the account's root, and CloudTrail's kms:GenerateDataKey* for the trail's encryption context)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceArn": trail_arn},
                       "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                                      f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"}}}]})


def test_trail_kms_key_resolves_to_its_arn(server, unique):
    """CreateTrail/UpdateTrail KmsKeyId may be a key id, key ARN, alias name or alias ARN (CloudTrail API Reference,
    CreateTrail KmsKeyId); the trail reports the full key ARN (CreateTrail response: "a fully specified ARN to a
    KMS key")."""
    client, kms, name = server.client("cloudtrail"), server.client("kms"), f"sealed-{unique}"
    trail_arn = trail_bucket(server, f"sealed-logs-{unique}", name)
    key = kms.create_key(Policy=_cloudtrail_key_policy(trail_arn))["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/trail-{unique}", TargetKeyId=key["KeyId"])
    alias_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/trail-{unique}"
    created = client.create_trail(Name=name, S3BucketName=f"sealed-logs-{unique}", KmsKeyId=key["KeyId"])
    assert created["KmsKeyId"] == key["Arn"]
    for given in (key["Arn"], f"alias/trail-{unique}", alias_arn):
        assert client.update_trail(Name=name, KmsKeyId=given)["KmsKeyId"] == key["Arn"], given
    assert client.get_trail(Name=name)["Trail"]["KmsKeyId"] == key["Arn"]
    assert client.describe_trails(trailNameList=[name])["trailList"][0]["KmsKeyId"] == key["Arn"]
    client.delete_trail(Name=name)


def test_a_trail_with_a_kms_key_encrypts_its_log_files_with_it(server, unique):
    """Log files of a trail with a KMS key are SSE-KMS objects under that key, their encryption context naming the
    trail (User Guide, "Encrypting CloudTrail log files with AWS KMS keys"): reading one needs kms:Decrypt, which the
    key policy gives the account's principals and a key policy without it takes away."""
    client, kms, s3 = server.client("cloudtrail"), server.client("kms"), server.client("s3")
    name, bucket = f"kmslogs-{unique}", f"kmslogs-{unique}"
    trail_arn = trail_bucket(server, bucket, name)
    key = kms.create_key(Policy=_cloudtrail_key_policy(trail_arn))["KeyMetadata"]
    client.create_trail(Name=name, S3BucketName=bucket, KmsKeyId=key["KeyId"])
    client.start_logging(Name=name)
    server.client("iam").create_user(UserName=f"kmslogs-{unique}")
    client.stop_logging(Name=name)
    keys, records = _log_records(server, bucket)  # read back by the account's root: the key policy allows it
    assert keys and any(r["eventName"] == "CreateUser" for r in records)
    head = s3.head_object(Bucket=bucket, Key=keys[0])
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", key["Arn"])
    policy = json.loads(_cloudtrail_key_policy(trail_arn))
    policy["Statement"][0]["Action"] = ["kms:PutKeyPolicy", "kms:GetKeyPolicy", "kms:DescribeKey"]
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=json.dumps(policy))
    with pytest.raises(ClientError) as refused:
        s3.get_object(Bucket=bucket, Key=keys[0])
    assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_trail_kms_key_must_exist_in_the_bucket_region(server, unique):
    """A key that does not exist, or is in another Region than the bucket, is KmsKeyNotFoundException (CloudTrail API
    Reference: "thrown when the KMS key does not exist, when the S3 bucket and the KMS key are not in the same
    Region"); a KmsKeyId that is no KMS key ARN is InvalidKmsKeyIdException ("the KMS key ARN is not valid"). Only the
    codes are confirmed, not AWS's messages."""
    client, name = server.client("cloudtrail"), f"nokey-{unique}"
    trail_arn = trail_bucket(server, f"nokey-logs-{unique}", name)
    elsewhere = server.client("kms", region="eu-west-1").create_key(
        Policy=_cloudtrail_key_policy(trail_arn))["KeyMetadata"]["Arn"]
    missing = (f"alias/missing-{unique}", "12345678-1234-1234-1234-123456789012",
               f"arn:aws:kms:us-east-1:{ACCOUNT}:key/12345678-1234-1234-1234-123456789012", elsewhere)
    for given in missing:
        with pytest.raises(ClientError) as caught:
            client.create_trail(Name=name, S3BucketName=f"nokey-logs-{unique}", KmsKeyId=given)
        assert caught.value.response["Error"]["Code"] == "KmsKeyNotFoundException", given
    with pytest.raises(ClientError) as caught:
        client.create_trail(Name=name, S3BucketName=f"nokey-logs-{unique}", KmsKeyId=f"arn:aws:s3:::nokey-{unique}")
    assert caught.value.response["Error"]["Code"] == "InvalidKmsKeyIdException"
    client.create_trail(Name=name, S3BucketName=f"nokey-logs-{unique}")
    with pytest.raises(ClientError) as caught:
        client.update_trail(Name=name, KmsKeyId=missing[0])
    assert caught.value.response["Error"]["Code"] == "KmsKeyNotFoundException"
    assert "KmsKeyId" not in client.get_trail(Name=name)["Trail"]
    client.delete_trail(Name=name)


def test_trail_kms_key_policy_must_let_cloudtrail_encrypt(server, unique):
    """A key whose policy does not let cloudtrail.amazonaws.com kms:GenerateDataKey* for the trail (the default key
    policy, or a condition on another trail's ARN) is InsufficientEncryptionPolicyException "Insufficient
    permissions to access S3 bucket <bucket> or KMS key <key ARN>." (AWS's answer as quoted in Azure-Sentinel#12242
    and aws-cdk#23391)."""
    client, kms, name = server.client("cloudtrail"), server.client("kms"), f"denied-{unique}"
    bucket = f"denied-logs-{unique}"
    trail_arn = trail_bucket(server, bucket, name)
    plain = kms.create_key()["KeyMetadata"]["Arn"]
    other = kms.create_key(Policy=_cloudtrail_key_policy(f"{trail_arn}-other"))["KeyMetadata"]["Arn"]
    for key in (plain, other):
        with pytest.raises(ClientError) as caught:
            client.create_trail(Name=name, S3BucketName=bucket, KmsKeyId=key)
        assert (caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]) == (
            "InsufficientEncryptionPolicyException",
            f"Insufficient permissions to access S3 bucket {bucket} or KMS key {key}."), key
    client.create_trail(Name=name, S3BucketName=bucket)
    with pytest.raises(ClientError) as caught:
        client.update_trail(Name=name, KmsKeyId=plain)
    assert caught.value.response["Error"]["Code"] == "InsufficientEncryptionPolicyException"
    kms.put_key_policy(KeyId=plain, PolicyName="default", Policy=_cloudtrail_key_policy(trail_arn))
    assert client.update_trail(Name=name, KmsKeyId=plain)["KmsKeyId"] == plain
    client.delete_trail(Name=name)


def test_trail_kms_key_must_be_an_enabled_symmetric_key(server, unique):
    """A disabled key, or an asymmetric one, cannot encrypt log files: KmsException (CloudTrail API Reference: "an
    issue with the specified KMS key"; KmsKeyDisabledException is "no longer in use"). Only the code is confirmed,
    not AWS's message."""
    client, kms, name = server.client("cloudtrail"), server.client("kms"), f"unusable-{unique}"
    trail_arn = trail_bucket(server, f"unusable-logs-{unique}", name)
    disabled = kms.create_key(Policy=_cloudtrail_key_policy(trail_arn))["KeyMetadata"]["Arn"]
    kms.disable_key(KeyId=disabled)
    asymmetric = kms.create_key(Policy=_cloudtrail_key_policy(trail_arn), KeySpec="RSA_2048",
                                KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["Arn"]
    for key in (disabled, asymmetric):
        with pytest.raises(ClientError) as caught:
            client.create_trail(Name=name, S3BucketName=f"unusable-logs-{unique}", KmsKeyId=key)
        assert caught.value.response["Error"]["Code"] == "KmsException", key
    kms.enable_key(KeyId=disabled)
    assert client.create_trail(Name=name, S3BucketName=f"unusable-logs-{unique}",
                               KmsKeyId=disabled)["KmsKeyId"] == disabled
    client.delete_trail(Name=name)


@pytest.mark.parametrize("selectors, delivered", [
    ({"EventSelectors": [{"ReadWriteType": "WriteOnly"}]}, {"CreateUser"}),
    ({"EventSelectors": [{"ReadWriteType": "ReadOnly"}]}, {"GetUser", "ListUsers"}),
    ({"AdvancedEventSelectors": [{"Name": "iam writes", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "readOnly", "Equals": ["false"]},
        {"Field": "eventSource", "Equals": ["iam.amazonaws.com"]}]}]}, {"CreateUser"}),
])
def test_a_trail_delivers_only_the_management_events_its_selectors_select(server, unique, selectors, delivered):
    """ReadWriteType and advanced selectors decide which management events reach the trail's bucket (CloudTrail
    User Guide, "Logging management events"); Event history keeps them all."""
    client, bucket, trail = server.client("cloudtrail"), f"select-{unique}", f"sel-{unique}"
    trail_bucket(server, bucket, trail)
    client.create_trail(Name=trail, S3BucketName=bucket)
    client.put_event_selectors(TrailName=trail, **selectors)
    client.start_logging(Name=trail)
    iam = server.client("iam")
    iam.create_user(UserName=f"sel-{unique}")
    iam.get_user(UserName=f"sel-{unique}")
    iam.list_users(MaxItems=1)
    client.stop_logging(Name=trail)
    _, records = _log_records(server, bucket)
    iam_calls = {r["eventName"] for r in records if r["eventSource"] == "iam.amazonaws.com"}
    assert iam_calls == delivered
    history = client.lookup_events(LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "root"}])
    assert {"CreateUser", "GetUser", "ListUsers"} <= {e["EventName"] for e in history["Events"]}


def test_a_trail_without_global_service_events_leaves_out_iam(server, unique):
    """IAM, STS and sign-in events are global service events: a trail logs them only with
    IncludeGlobalServiceEvents, which a multi-Region trail must keep (User Guide, "Enabling and disabling global
    service event logging"; AWS's InvalidParameterCombinationException wording)."""
    client, bucket, trail = server.client("cloudtrail"), f"global-{unique}", f"global-{unique}"
    trail_bucket(server, bucket, trail)
    refused = ("InvalidParameterCombinationException", "Multi-Region trail must include global service events.")
    with pytest.raises(ClientError) as caught:
        client.create_trail(Name=trail, S3BucketName=bucket, IsMultiRegionTrail=True, IncludeGlobalServiceEvents=False)
    assert (caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]) == refused
    client.create_trail(Name=trail, S3BucketName=bucket, IsMultiRegionTrail=True)
    with pytest.raises(ClientError) as caught:
        client.update_trail(Name=trail, IncludeGlobalServiceEvents=False)
    assert (caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]) == refused
    updated = client.update_trail(Name=trail, IsMultiRegionTrail=False, IncludeGlobalServiceEvents=False)
    assert (updated["IsMultiRegionTrail"], updated["IncludeGlobalServiceEvents"]) == (False, False)
    client.start_logging(Name=trail)
    server.client("iam").create_user(UserName=f"global-{unique}")
    server.client("sqs").create_queue(QueueName=f"regional-{unique}")
    client.stop_logging(Name=trail)
    _, records = _log_records(server, bucket)
    sources = {r["eventSource"] for r in records}
    assert "sqs.amazonaws.com" in sources and "iam.amazonaws.com" not in sources


def test_basic_event_selectors_come_back_complete(server, unique):
    """CloudTrail User Guide (configuring event selectors with the CLI): put-event-selectors with DataResources only,
    or ExcludeManagementEventSources only, answers and keeps every member of the selector, the missing lists empty."""
    cli, name = Cli(server, BOOT_KEY), f"complete-{unique}"
    trail_bucket(server, f"complete-logs-{unique}", name)
    cli.json("cloudtrail", "create-trail", "--name", name, "--s3-bucket-name", f"complete-logs-{unique}")
    data = [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::amzn-s3-demo-bucket/prefix"]},
            {"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda:us-west-2:999999999999:function:hello"]}]
    put = cli.json("cloudtrail", "put-event-selectors", "--trail-name", name, "--event-selectors", json.dumps(
        [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": data}]))
    expected = [{"ExcludeManagementEventSources": [], "IncludeManagementEvents": True, "DataResources": data,
                 "ReadWriteType": "All"}]
    assert put["EventSelectors"] == expected
    assert cli.json("cloudtrail", "get-event-selectors", "--trail-name", name)["EventSelectors"] == expected
    put = cli.json("cloudtrail", "put-event-selectors", "--trail-name", name, "--event-selectors", json.dumps(
        [{"ReadWriteType": "All", "ExcludeManagementEventSources": ["kms.amazonaws.com"],
          "IncludeManagementEvents": True}]))
    assert put["EventSelectors"] == [{"ExcludeManagementEventSources": ["kms.amazonaws.com"],
                                      "IncludeManagementEvents": True, "DataResources": [], "ReadWriteType": "All"}]


def test_trail_status_names_every_time_text(server, unique):
    """get-trail-status as the CloudTrail User Guide shows it: the attempt and logging times given as text are
    always there, "" when nothing happened yet ("TimeLoggingStopped": "" on a trail never stopped, the notification
    attempts "" without an SNS topic)."""
    cli, name = Cli(server, BOOT_KEY), f"status-{unique}"
    trail_bucket(server, f"status-logs-{unique}", name)
    cli.json("cloudtrail", "create-trail", "--name", name, "--s3-bucket-name", f"status-logs-{unique}")
    texts = ("LatestDeliveryAttemptTime", "LatestNotificationAttemptTime", "LatestNotificationAttemptSucceeded",
             "LatestDeliveryAttemptSucceeded", "TimeLoggingStarted", "TimeLoggingStopped")
    assert cli.json("cloudtrail", "get-trail-status", "--name", name) == {"IsLogging": False,
                                                                          **dict.fromkeys(texts, "")}
    cli.json("cloudtrail", "start-logging", "--name", name)
    status = cli.json("cloudtrail", "get-trail-status", "--name", name)
    assert set(texts) <= set(status) and status["IsLogging"] is True
    assert (status["LatestNotificationAttemptTime"], status["LatestNotificationAttemptSucceeded"],
            status["TimeLoggingStopped"]) == ("", "", "")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", status["TimeLoggingStarted"])
