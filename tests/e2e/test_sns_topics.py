"""SNS through boto3: topics and policies, email/sqs/https subscriptions with confirmation, Publish fan-out."""

from __future__ import annotations

import http.server
import json
import re
import threading

import pytest
from botocore.exceptions import ClientError
from orgs_helpers import admin_key, assume_access_role, create_member
from sns_helpers import received, sns_queue


def test_topic_lifecycle_and_default_policy(server, unique):
    sns = server.client("sns")
    arn = sns.create_topic(Name=f"t-{unique}")["TopicArn"]
    assert arn == f"arn:aws:sns:us-east-1:000000000000:t-{unique}"
    assert sns.create_topic(Name=f"t-{unique}")["TopicArn"] == arn
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    policy = json.loads(attributes["Policy"])
    assert policy["Statement"][0]["Condition"] == {"StringEquals": {"AWS:SourceOwner": "000000000000"}}
    assert attributes["Owner"] == "000000000000" and attributes["SubscriptionsConfirmed"] == "0"
    assert arn in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    with pytest.raises(ClientError) as caught:
        sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue="{not json")
    assert caught.value.response["Error"]["Code"] == "InvalidParameter"
    sns.delete_topic(TopicArn=arn)
    with pytest.raises(ClientError) as caught:
        sns.get_topic_attributes(TopicArn=arn)
    assert (caught.value.response["Error"]["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]) == \
        ("NotFound", 404)


def test_email_subscription_confirms_then_receives(server, unique):
    sns = server.client("sns")
    arn = sns.create_topic(Name=f"mail-{unique}")["TopicArn"]
    email = f"ops-{unique}@example.com"
    assert sns.subscribe(TopicArn=arn, Protocol="email", Endpoint=email)["SubscriptionArn"] == "pending confirmation"
    sns.publish(TopicArn=arn, Message="before confirmation")
    mails = server.get_json(f"/_rootplane/outbox?to={email}")
    assert len(mails) == 1 and "Subscription Confirmation" in mails[0]["subject"]
    token = re.search(r"Token=([0-9a-f]+)", mails[0]["body"]).group(1)
    confirmed = sns.confirm_subscription(TopicArn=arn, Token=token)["SubscriptionArn"]
    assert confirmed.startswith(arn + ":")
    sns.publish(TopicArn=arn, Message="hello root watcher", Subject="Alert")
    last = server.get_json(f"/_rootplane/outbox?to={email}")[-1]
    assert last["subject"] == "Alert" and last["body"].startswith("hello root watcher")
    with pytest.raises(ClientError) as caught:
        sns.confirm_subscription(TopicArn=arn, Token="0" * 32)
    assert caught.value.response["Error"]["Code"] == "InvalidParameter"


def test_sqs_subscription_needs_the_queue_policy(server, unique):
    sns, sqs = server.client("sns"), server.client("sqs")
    arn = sns.create_topic(Name=f"q-{unique}")["TopicArn"]
    url = sqs.create_queue(QueueName=f"q-{unique}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    subscription = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    assert subscription.startswith(arn + ":")
    sns.publish(TopicArn=arn, Message="no policy yet")
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": arn}}}]})})
    sns.publish(TopicArn=arn, Message="payload", Subject="s")
    body = json.loads(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"][0]["Body"])
    assert (body["Type"], body["Message"], body["Subject"], body["TopicArn"]) == ("Notification", "payload", "s", arn)


def _sns_may_send(sqs, url: str, topic_arn: str) -> str:
    """Let the topic send to the queue (its policy); the queue's ARN."""
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]})})
    return queue_arn


@pytest.fixture(scope="module")
def member_sqs(server):
    """An SQS client of a member account of a new organization (OrganizationAccountAccessRole)."""
    orgs = server.client("organizations")
    orgs.create_organization(FeatureSet="ALL")
    member = create_member(orgs, "sns-subscriber")
    return server.client_for(assume_access_role(server, admin_key(server), member), "sqs")


def test_queue_of_another_account_gets_a_subscription_confirmation(server, member_sqs, unique):
    """Subscribing another account's queue (a central security account's, say) is pending until confirmed: the queue
    receives the SubscriptionConfirmation message (it answered 500 before: the confirmation's queue delivery)."""
    sns = server.client("sns")
    topic_arn = sns.create_topic(Name=f"x-{unique}")["TopicArn"]
    url = member_sqs.create_queue(QueueName=f"x-{unique}")["QueueUrl"]
    queue_arn = _sns_may_send(member_sqs, url, topic_arn)
    answer = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, ReturnSubscriptionArn=True)
    assert answer["SubscriptionArn"].startswith(topic_arn + ":")
    assert sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"] == (
        "pending confirmation")
    [message] = member_sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
    body = json.loads(message["Body"])
    assert (body["Type"], body["TopicArn"]) == ("SubscriptionConfirmation", topic_arn)
    sns.confirm_subscription(TopicArn=topic_arn, Token=body["Token"])
    member_sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    sns.publish(TopicArn=topic_arn, Message="root used")
    [delivered] = member_sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
    assert json.loads(delivered["Body"])["Message"] == "root used"


def test_json_message_structure_gives_each_protocol_its_own_text(server, unique):
    """MessageStructure=json: a subscriber receives its protocol's entry, else ``default``."""
    sns, sqs = server.client("sns"), server.client("sqs")
    topic_arn = sns.create_topic(Name=f"j-{unique}")["TopicArn"]
    urls = [sqs.create_queue(QueueName=f"j{index}-{unique}")["QueueUrl"] for index in range(2)]
    for index, url in enumerate(urls):
        queue_arn = _sns_may_send(sqs, url, topic_arn)
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                      Attributes={"RawMessageDelivery": "true"} if index else {})
    sns.publish(TopicArn=topic_arn, MessageStructure="json",
                Message=json.dumps({"default": "for everyone", "sqs": "for queues", "email": "for mail"}))
    enveloped, raw = (sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"][0]["Body"] for url in urls)
    assert json.loads(enveloped)["Message"] == "for queues"
    assert raw == "for queues"
    sns.publish(TopicArn=topic_arn, MessageStructure="json", Message=json.dumps({"default": "only default"}))
    assert sqs.receive_message(QueueUrl=urls[1], WaitTimeSeconds=1)["Messages"][0]["Body"] == "only default"


def test_message_attributes_are_sent_only_with_a_string_message_structure(server, unique):
    """SNS Developer Guide, "Amazon SNS message attributes": attributes are sent only when the message structure
    is String, not JSON."""
    sns = server.client("sns")
    topic_arn = sns.create_topic(Name=f"attrs-{unique}")["TopicArn"]
    (enveloped, enveloped_arn), (raw, raw_arn) = (sns_queue(server, f"{kind}-{unique}") for kind in ("env", "raw"))
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=enveloped_arn)
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=raw_arn, Attributes={"RawMessageDelivery": "true"})
    attributes = {"kind": {"DataType": "String", "StringValue": "k"}}
    sns.publish(TopicArn=topic_arn, MessageStructure="json", Message=json.dumps({"default": "structured"}),
                MessageAttributes=attributes)
    [envelope] = received(server, enveloped, VisibilityTimeout=0)
    assert json.loads(envelope["Body"])["Message"] == "structured"
    assert "MessageAttributes" not in json.loads(envelope["Body"])
    [message] = received(server, raw, MessageAttributeNames=["All"], VisibilityTimeout=0)
    assert message["Body"] == "structured" and "MessageAttributes" not in message
    sns.publish(TopicArn=topic_arn, Message="plain", MessageAttributes=attributes)
    bodies = [json.loads(m["Body"]) for m in received(server, enveloped)]
    assert [b.get("MessageAttributes") for b in bodies if b["Message"] == "plain"] == [
        {"kind": {"Type": "String", "Value": "k"}}]
    messages = received(server, raw, MessageAttributeNames=["All"])
    assert [m.get("MessageAttributes") for m in messages if m["Body"] == "plain"] == [
        {"kind": {"DataType": "String", "StringValue": "k"}}]


def test_https_endpoint_gets_subscription_confirmation(server, unique):
    """The POST body is laid out as the SNS Developer Guide's HTTP/HTTPS JSON examples show it."""
    received: list[tuple[dict, str]] = []
    done = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server naming
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(({k.lower(): v for k, v in self.headers.items()}, body.decode()))
            self.send_response(200)
            self.end_headers()
            done.set()

        def log_message(self, *args):
            pass

    listener = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=listener.serve_forever, daemon=True)
    thread.start()
    try:
        sns = server.client("sns")
        arn = sns.create_topic(Name=f"h-{unique}")["TopicArn"]
        sns.subscribe(TopicArn=arn, Protocol="http", Endpoint=f"http://127.0.0.1:{listener.server_port}/hook")
        assert done.wait(5)
        headers, body = received[0]
        payload = json.loads(body)
        assert headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
        assert body == "{\n" + ",\n".join(f"  {json.dumps(name)} : {json.dumps(value)}" for name, value in (
            (name, payload[name]) for name in ("Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL",
                                               "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"))) + "\n}"
        assert payload["Type"] == "SubscriptionConfirmation" and payload["TopicArn"] == arn
        assert "Action=ConfirmSubscription" in payload["SubscribeURL"]
        assert sns.confirm_subscription(TopicArn=arn, Token=payload["Token"])["SubscriptionArn"].startswith(arn)
    finally:
        listener.shutdown()


def test_list_topics_pages_by_arn_a_hundred_at_a_time(server, unique):
    sns = server.client("sns", region="eu-west-3")  # a region of its own: only these topics
    names = sorted(f"page-{unique}-{index:03d}" for index in range(102))
    for name in names:
        sns.create_topic(Name=name)
    first = sns.list_topics()
    assert len(first["Topics"]) == 100 and first["NextToken"]
    second = sns.list_topics(NextToken=first["NextToken"])
    assert "NextToken" not in second
    assert [topic["TopicArn"] for topic in first["Topics"] + second["Topics"]] == [
        f"arn:aws:sns:eu-west-3:000000000000:{name}" for name in names]


@pytest.mark.parametrize("token", ["not base64!", "dG9waWM=", "////"])
def test_listings_refuse_a_next_token_they_did_not_issue(server, token):
    """A token that is not base64, or is base64 of something other than an SNS ARN ("topic", bytes that are not
    text), is InvalidParameter on every SNS listing, not the first page."""
    sns = server.client("sns")
    for call in (sns.list_topics, sns.list_subscriptions):
        with pytest.raises(ClientError) as caught:
            call(NextToken=token)
        assert (caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"],
                caught.value.response["ResponseMetadata"]["HTTPStatusCode"]) == \
            ("InvalidParameter", "Invalid parameter: NextToken", 400)
