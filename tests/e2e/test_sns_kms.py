"""Topics encrypted with a KMS key (SNS Developer Guide, "Securing Amazon SNS data with server-side encryption"):
publishers need kms:GenerateDataKey and kms:Decrypt on the topic's key (SNS's KMS* errors otherwise); a CloudWatch
alarm reaches an encrypted topic only when the key policy lets cloudwatch.amazonaws.com use the key."""

from __future__ import annotations

import json

from cloudwatch_helpers import topic_with_queue
from harness import BOOT_ACCOUNT, error_of, iam_user_key, policy_document

SNS_ONLY = "arn:aws:iam::aws:policy/AmazonSNSFullAccess"


def test_publishers_need_the_topics_key(server, unique):
    sns, kms = server.client("sns"), server.client("kms")
    key = kms.create_key()["KeyMetadata"]
    topic, url = topic_with_queue(sns, server.client("sqs"), f"sealed-{unique}")
    sns.set_topic_attributes(TopicArn=topic, AttributeName="KmsMasterKeyId", AttributeValue=key["KeyId"])
    sns.publish(TopicArn=topic, Message="by root")  # the account's root: the default key policy allows it
    user = f"publisher-{unique}"
    publisher = server.client_for(iam_user_key(server, user, SNS_ONLY), "sns")
    code, message, status = error_of(publisher.publish, TopicArn=topic, Message="x")
    assert (code, status) == ("KMSAccessDenied", 400)
    assert message.startswith(f"User: arn:aws:iam::{BOOT_ACCOUNT}:user/{user} is not authorized to perform: "
                              f"kms:GenerateDataKey on resource: {key['Arn']}")
    assert error_of(publisher.publish_batch, TopicArn=topic,
                    PublishBatchRequestEntries=[{"Id": "1", "Message": "x"}])[0] == "KMSAccessDenied"
    server.client("iam").put_user_policy(UserName=user, PolicyName="key", PolicyDocument=policy_document({
        "Effect": "Allow", "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": key["Arn"]}))
    publisher.publish(TopicArn=topic, Message="by the publisher")
    kms.disable_key(KeyId=key["KeyId"])
    code, message, _ = error_of(sns.publish, TopicArn=topic, Message="x")
    assert code == "KMSDisabled" and message.startswith(f"{key['Arn']} is disabled.")
    sns.set_topic_attributes(TopicArn=topic, AttributeName="KmsMasterKeyId", AttributeValue=f"alias/none-{unique}")
    assert error_of(sns.publish, TopicArn=topic, Message="x")[0] == "KMSNotFound"


def test_an_alarm_reaches_an_encrypted_topic_only_through_its_key_policy(server, unique):
    """CloudWatch publishes an alarm's notification only if the topic's key policy lets cloudwatch.amazonaws.com
    use the key (SNS Developer Guide, "Enable compatibility between event sources from AWS services and encrypted
    topics"): the alarm's history shows the failed action otherwise."""
    sns, kms, cloudwatch = server.client("sns"), server.client("kms"), server.client("cloudwatch")
    key = kms.create_key()["KeyMetadata"]
    topic, url = topic_with_queue(sns, server.client("sqs"), f"alarmed-{unique}")
    sns.set_topic_attributes(TopicArn=topic, AttributeName="KmsMasterKeyId", AttributeValue=key["Arn"])
    alarm = f"root-use-{unique}"
    cloudwatch.put_metric_alarm(AlarmName=alarm, MetricName="RootUse", Namespace="CIS", Statistic="Sum", Period=60,
                                EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
                                AlarmActions=[topic])
    cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="test")
    history = cloudwatch.describe_alarm_history(AlarmName=alarm, HistoryItemType="Action")["AlarmHistoryItems"]
    assert history and "Failed" in history[0]["HistorySummary"]
    assert server.client("sqs").receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", []) == []

    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{BOOT_ACCOUNT}:root"}, "Action": "kms:*",
             "Resource": "*"},
            {"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
             "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"}]}))
    cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="reset")
    cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="again")
    messages = server.client("sqs").receive_message(QueueUrl=url, WaitTimeSeconds=5).get("Messages", [])
    assert [json.loads(json.loads(m["Body"])["Message"])["AlarmName"] for m in messages] == [alarm]
