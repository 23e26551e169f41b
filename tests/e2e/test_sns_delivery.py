"""SNS delivery details: filter policies, raw delivery, signed messages, unsigned confirm/unsubscribe links,
AddPermission/RemovePermission."""

from __future__ import annotations

import base64
import json
import re
import urllib.request

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

SNS_POLICY = {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage"}


def _subscribed_queue(server, topic_arn: str, name: str, **attributes: str) -> tuple[str, str]:
    sqs, sns = server.client("sqs"), server.client("sns")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(
        {"Version": "2012-10-17", "Statement": [{**SNS_POLICY, "Resource": queue_arn}]})})
    subscription = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                                 Attributes=attributes)["SubscriptionArn"]
    return url, subscription


def _bodies(server, url: str) -> list[str]:
    sqs = server.client("sqs")
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return [message["Body"] for message in messages]


def _fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


def test_filter_policy_on_attributes_and_body(server, unique):
    sns = server.client("sns")
    topic = sns.create_topic(Name=f"f-{unique}")["TopicArn"]
    by_attributes, _ = _subscribed_queue(server, topic, f"fa-{unique}", FilterPolicy=json.dumps(
        {"store": ["example_corp"], "price": [{"numeric": [">=", 100]}]}))
    by_body, body_subscription = _subscribed_queue(server, topic, f"fb-{unique}", FilterPolicyScope="MessageBody",
                                                   FilterPolicy=json.dumps({"order": {"kind": [{"prefix": "big"}]}}))
    sns.publish(TopicArn=topic, Message=json.dumps({"order": {"kind": "big-one"}}), MessageAttributes={
        "store": {"DataType": "String", "StringValue": "example_corp"},
        "price": {"DataType": "Number", "StringValue": "150"}})
    sns.publish(TopicArn=topic, Message=json.dumps({"order": {"kind": "small"}}), MessageAttributes={
        "store": {"DataType": "String", "StringValue": "example_corp"},
        "price": {"DataType": "Number", "StringValue": "5"}})
    received = [json.loads(body) for body in _bodies(server, by_attributes)]
    assert len(received) == 1
    assert received[0]["MessageAttributes"]["price"] == {"Type": "Number", "Value": "150"}
    assert [json.loads(json.loads(body)["Message"]) for body in _bodies(server, by_body)] == \
        [{"order": {"kind": "big-one"}}]
    attributes = sns.get_subscription_attributes(SubscriptionArn=body_subscription)["Attributes"]
    assert attributes["FilterPolicyScope"] == "MessageBody"
    with pytest.raises(ClientError) as caught:
        sns.set_subscription_attributes(SubscriptionArn=body_subscription, AttributeName="FilterPolicy",
                                        AttributeValue='{"a": "b"}')
    error = caught.value.response["Error"]
    assert error["Code"] == "InvalidParameter" and error["Message"].startswith("Invalid parameter: FilterPolicy:")


def test_raw_message_delivery(server, unique):
    sns = server.client("sns")
    topic = sns.create_topic(Name=f"raw-{unique}")["TopicArn"]
    url, _ = _subscribed_queue(server, topic, f"raw-{unique}", RawMessageDelivery="true")
    sns.publish(TopicArn=topic, Message="just the text")
    assert _bodies(server, url) == ["just the text"]


def test_notifications_are_signed_and_verifiable(server, unique):
    sns = server.client("sns")
    topic = sns.create_topic(Name=f"sig-{unique}")["TopicArn"]
    url, _ = _subscribed_queue(server, topic, f"sig-{unique}")
    sns.publish(TopicArn=topic, Message="signed", Subject="S")
    envelope = json.loads(_bodies(server, url)[0])
    assert envelope["SignatureVersion"] == "1"
    path = "/_rootplane/sns/SimpleNotificationService.pem"
    assert envelope["SigningCertURL"].endswith(path)
    status, pem = _fetch(server.endpoint + path)
    assert status == 200
    certificate = x509.load_pem_x509_certificate(pem)
    signed = "".join(f"{name}\n{envelope[name]}\n" for name in
                     ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"))
    certificate.public_key().verify(base64.b64decode(envelope["Signature"]), signed.encode(), padding.PKCS1v15(),
                                    hashes.SHA1())


def test_queue_bodies_are_laid_out_as_sns_lays_them_out(server, unique):
    """SNS's own JSON layout (SNS Developer Guide, "HTTP/HTTPS notification JSON format", and bodies as SQS receives
    them): a member a line, ``"Name" : value``, non-ASCII unescaped, each message attribute compact on its line."""
    sns = server.client("sns")
    topic = sns.create_topic(Name=f"lay-{unique}")["TopicArn"]
    url, _ = _subscribed_queue(server, topic, f"lay-{unique}")
    sns.publish(TopicArn=topic, Subject="Prüfung", Message='line one\nsaid "hé"', MessageAttributes={
        "store": {"DataType": "String", "StringValue": "example_corp"},
        "price": {"DataType": "Number", "StringValue": "150"}})
    body = _bodies(server, url)[0]
    envelope = json.loads(body)
    assert body == (
        '{\n'
        '  "Type" : "Notification",\n'
        f'  "MessageId" : "{envelope["MessageId"]}",\n'
        f'  "TopicArn" : "{topic}",\n'
        '  "Subject" : "Prüfung",\n'
        '  "Message" : "line one\\nsaid \\"hé\\"",\n'
        f'  "Timestamp" : "{envelope["Timestamp"]}",\n'
        '  "SignatureVersion" : "1",\n'
        f'  "Signature" : "{envelope["Signature"]}",\n'
        f'  "SigningCertURL" : "{envelope["SigningCertURL"]}",\n'
        f'  "UnsubscribeURL" : "{envelope["UnsubscribeURL"]}",\n'
        '  "MessageAttributes" : {\n'
        '    "store" : {"Type":"String","Value":"example_corp"},\n'
        '    "price" : {"Type":"Number","Value":"150"}\n'
        '  }\n'
        '}')


def test_email_json_mails_carry_the_same_layout(server, unique):
    """An email-json subscriber's mail body is the JSON notification, laid out as SNS lays out its JSON."""
    sns = server.client("sns")
    topic = sns.create_topic(Name=f"ej-{unique}")["TopicArn"]
    email = f"ej-{unique}@example.com"
    sns.subscribe(TopicArn=topic, Protocol="email-json", Endpoint=email)
    token = re.search(r"Token=([0-9a-f]+)", server.get_json(f"/_rootplane/outbox?to={email}")[0]["body"]).group(1)
    sns.confirm_subscription(TopicArn=topic, Token=token)
    sns.publish(TopicArn=topic, Message="for mail readers")
    body = server.get_json(f"/_rootplane/outbox?to={email}")[-1]["body"]
    assert body.startswith('{\n  "Type" : "Notification",\n  "MessageId" : "') and body.endswith('"\n}')
    assert json.loads(body)["Message"] == "for mail readers"


def test_confirm_and_unsubscribe_links_work_without_credentials(server, unique):
    sns = server.client("sns")
    topic = sns.create_topic(Name=f"link-{unique}")["TopicArn"]
    email = f"link-{unique}@example.com"
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=email)
    body = server.get_json(f"/_rootplane/outbox?to={email}")[0]["body"]
    link = re.search(r"http://[^/]+(/\S+Action=ConfirmSubscription\S+)", body).group(1)
    status, answer = _fetch(server.endpoint + link)
    assert status == 200 and b"<ConfirmSubscriptionResult>" in answer
    subscription = re.search(rb"<SubscriptionArn>([^<]+)</SubscriptionArn>", answer).group(1).decode()
    sns.publish(TopicArn=topic, Message="first")
    mail = server.get_json(f"/_rootplane/outbox?to={email}")[-1]["body"]
    unsubscribe = re.search(r"http://[^/]+(/\S+Action=Unsubscribe\S+)", mail).group(1)
    assert _fetch(server.endpoint + unsubscribe)[0] == 200
    assert subscription not in [s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)
                                ["Subscriptions"]]
    # Other operations still need a signature.
    request = urllib.request.Request(f"{server.endpoint}/?Action=ListTopics")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 403


def test_add_and_remove_permission(server, unique):
    sns = server.client("sns")
    topic = sns.create_topic(Name=f"perm-{unique}")["TopicArn"]
    sns.add_permission(TopicArn=topic, Label="pub", AWSAccountId=["111122223333"], ActionName=["Publish"])
    statements = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])["Statement"]
    assert statements[-1] == {"Sid": "pub", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                              "Action": "SNS:Publish", "Resource": topic}
    with pytest.raises(ClientError) as caught:
        sns.add_permission(TopicArn=topic, Label="pub", AWSAccountId=["111122223333"], ActionName=["Publish"])
    assert caught.value.response["Error"]["Code"] == "InvalidParameter"
    sns.remove_permission(TopicArn=topic, Label="pub")
    statements = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["__default_statement_ID"]


def test_undeliverable_messages_go_to_the_subscriptions_dead_letter_queue(server, unique):
    """A message the subscribed queue refuses (its policy does not let SNS send) goes to the queue the
    subscription's RedrivePolicy names (SNS Developer Guide, "Amazon SNS dead-letter queues"), whose own policy lets
    SNS send; without a RedrivePolicy it is lost."""
    sns, sqs = server.client("sns"), server.client("sqs")
    topic = sns.create_topic(Name=f"redriven-{unique}")["TopicArn"]
    dlq_url = sqs.create_queue(QueueName=f"dlq-{unique}")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={"Policy": json.dumps(
        {"Version": "2012-10-17", "Statement": [{**SNS_POLICY, "Resource": dlq_arn}]})})
    closed = sqs.create_queue(QueueName=f"closed-{unique}")["QueueUrl"]  # no policy: SNS may not send
    closed_arn = sqs.get_queue_attributes(QueueUrl=closed, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    subscription = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=closed_arn,
                                 Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})},
                                 ReturnSubscriptionArn=True)["SubscriptionArn"]
    sns.publish(TopicArn=topic, Message="undeliverable", Subject="s")
    [body] = _bodies(server, dlq_url)
    envelope = json.loads(body)
    assert (envelope["Type"], envelope["Message"], envelope["TopicArn"]) == ("Notification", "undeliverable", topic)
    assert _bodies(server, closed) == []
    sns.set_subscription_attributes(SubscriptionArn=subscription, AttributeName="RedrivePolicy", AttributeValue="")
    sns.publish(TopicArn=topic, Message="lost")
    assert _bodies(server, dlq_url) == []
