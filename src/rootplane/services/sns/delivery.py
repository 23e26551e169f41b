"""Fan a message out to a topic's confirmed subscriptions: SQS queues, email (the outbox), HTTP(S) endpoints.

Queue deliveries happen in the caller's transaction (each in a savepoint); mail relays and HTTP POSTs run after
commit on a small worker pool, so neither the request nor the audit writer waits on the network. An HTTP POST never
follows a redirect (as SNS) and never goes to the server itself (endpoints.py), whatever the endpoint resolves to now.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import logging
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from rootplane.core.errors import AwsError
from rootplane.policy import NamedPolicy, PolicySet, RequestFacts, evaluate, parse_policy_cached
from rootplane.services.sns import encryption, endpoints, repo, settings, signing
from rootplane.services.sns import fifo as fifo_rules
from rootplane.services.sns.fifo import FifoPublish
from rootplane.services.sns.filtering import accepts
from rootplane.services.sns.layout import render
from rootplane.services.sns.tables import SubscriptionRow, TopicRow
from rootplane.services.sns.topic_views import SubscriptionView, TopicView, topic_subscription_views
from rootplane.store.engine import on_commit

__all__ = ["Message", "publish", "publish_from_service", "confirmation", "send_confirmation", "topic_attributes", "SENDER_ID"]

log = logging.getLogger("rootplane.sns")

SENDER_ID = "AIDAIT2UOQQY3AUEKVGXU"  # the SenderId SQS shows for messages SNS sends
HTTP_TIMEOUT = 5.0
MAX_QUEUE_ATTRIBUTES = 10  # SQS's limit of message attributes per message
_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="rootplane-sns")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx answer ends the delivery attempt: SNS does not follow redirects."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class Message:
    """One published message, as every subscription of the topic receives it."""

    message_id: str
    text: str
    subject: str | None
    sent_at: _dt.datetime
    attributes: dict[str, dict[str, Any]]
    fifo: FifoPublish | None = None
    sequence_number: str | None = None
    by_protocol: dict[str, str] | None = None  # MessageStructure=json: a protocol's own text; None: String

    def for_protocol(self, protocol: str) -> Message:
        """The message as subscribers of ``protocol`` receive it. With MessageStructure=json: its protocol's own
        text when the publisher gave one, and no message attributes, which SNS sends only with a String message
        structure (SNS Developer Guide, "Amazon SNS message attributes")."""
        if self.by_protocol is None:
            return self
        return replace(self, text=self.by_protocol.get(protocol, self.text), attributes={})


def topic_attributes(topic: TopicRow | TopicView) -> dict[str, str]:
    return json.loads(topic.attributes)


def _timestamp(now: _dt.datetime) -> str:
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _signed(session: Session, payload: dict[str, Any], topic: TopicRow | TopicView, endpoint: str) -> dict[str, Any]:
    """Add SignatureVersion, Signature and SigningCertURL as SNS does (the topic's SignatureVersion, default 1)."""
    version = topic_attributes(topic).get("SignatureVersion") or "1"
    payload["SignatureVersion"] = version
    payload["Signature"] = signing.sign(session, payload, version)
    payload["SigningCertURL"] = f"{endpoint}{signing.CERT_PATH}"
    return payload


def _link(endpoint: str, **query: str) -> str:
    return f"{endpoint}/?{urllib.parse.urlencode(query)}"


def _envelope_attributes(attributes: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Message attributes as the JSON envelope shows them: ``{"Type": ..., "Value": ...}`` (binary base64)."""
    shown: dict[str, dict[str, str]] = {}
    for name, attribute in attributes.items():
        value = attribute.get("StringValue")
        if value is None and attribute.get("BinaryValue") is not None:
            value = base64.b64encode(attribute["BinaryValue"]).decode()
        shown[name] = {"Type": attribute.get("DataType", "String"), "Value": value or ""}
    return shown


def notification(session: Session, topic: TopicRow | TopicView, message: Message, subscription_arn: str,
                 endpoint: str) -> dict[str, Any]:
    """The JSON envelope SQS and HTTP(S) subscribers receive, its members in SNS's order (layout.render); a FIFO
    topic's (SequenceNumber after MessageId) is unsigned: no SignatureVersion, Signature or SigningCertURL."""
    payload: dict[str, Any] = {"Type": "Notification", "MessageId": message.message_id}
    if message.sequence_number:
        payload["SequenceNumber"] = message.sequence_number
    payload["TopicArn"] = topic.arn
    if message.subject:
        payload["Subject"] = message.subject
    payload.update(Message=message.text, Timestamp=_timestamp(message.sent_at))
    if message.sequence_number is None:  # a FIFO topic's notifications carry no signature fields, as on AWS
        payload = _signed(session, payload, topic, endpoint)
    payload["UnsubscribeURL"] = _link(endpoint, Action="Unsubscribe", SubscriptionArn=subscription_arn)
    if message.attributes:
        payload["MessageAttributes"] = _envelope_attributes(message.attributes)
    return payload


def confirmation(session: Session, topic: TopicRow, token: str, now: _dt.datetime, endpoint: str) -> dict[str, Any]:
    """The SubscriptionConfirmation message HTTP(S) and cross-account SQS subscribers receive."""
    return _signed(session, {
        "Type": "SubscriptionConfirmation", "MessageId": str(uuid.uuid4()), "Token": token, "TopicArn": topic.arn,
        "Message": f"You have chosen to subscribe to the topic {topic.arn}.\n"
                   "To confirm the subscription, visit the SubscribeURL included in this message.",
        "SubscribeURL": _link(endpoint, Action="ConfirmSubscription", TopicArn=topic.arn, Token=token),
        "Timestamp": _timestamp(now),
    }, topic, endpoint)


def _server_port(endpoint: str) -> int:
    """The port of the server's own endpoint (deliveries must never reach it)."""
    return urllib.parse.urlsplit(endpoint).port or 80


def _post(url: str, payload: dict[str, Any], subscription_arn: str | None, server_port: int,
          raw_body: str | None = None) -> None:
    """POST a message; ``raw_body`` (raw message delivery) replaces the JSON envelope as the body."""
    if endpoints.is_server_itself(url, server_port):
        log.info("HTTP delivery to %s refused: the server's own address", url)
        return
    headers = {
        "Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": payload["Type"],
        "x-amz-sns-message-id": payload["MessageId"], "x-amz-sns-topic-arn": payload["TopicArn"],
        "User-Agent": "Amazon Simple Notification Service Agent",
    }
    if subscription_arn:
        headers["x-amz-sns-subscription-arn"] = subscription_arn
    if raw_body is not None:
        headers["x-amz-sns-rawdelivery"] = "true"
    body = raw_body if raw_body is not None else render(payload)
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=HTTP_TIMEOUT) as response:
            response.read()
    except OSError as error:
        log.info("HTTP delivery to %s failed: %s", url, error)


def _mail(session: Session, to: str, subject: str, body: str, now: _dt.datetime, smtp_url: str | None) -> None:
    from rootplane.services.mail.outbox import send_message

    send_message(session, to, subject, body, now, smtp_url)


def send_confirmation(session: Session, topic: TopicRow, subscription: SubscriptionRow, now: _dt.datetime,
                      endpoint: str, smtp_url: str | None) -> None:
    """Ask a pending subscriber to confirm (email: the outbox; http/https: a POST; sqs: a queue message)."""
    token = subscription.token or ""
    if subscription.protocol == "email" or subscription.protocol == "email-json":
        link = _link(endpoint, Action="ConfirmSubscription", TopicArn=topic.arn, Token=token)
        display = topic_attributes(topic).get("DisplayName") or "AWS Notifications"
        body = (f"You have chosen to subscribe to the topic: \n{topic.arn}\n\n"
                f"To confirm this subscription, click or visit the link below (If this was in error no action is "
                f"necessary): \nConfirm subscription\n{link}\n\nToken: {token}\n")
        _mail(session, subscription.endpoint, f"{display} - Subscription Confirmation", body, now, smtp_url)
    elif subscription.protocol in ("http", "https"):
        payload = confirmation(session, topic, token, now, endpoint)
        url, port = subscription.endpoint, _server_port(endpoint)
        on_commit(session, lambda: _pool.submit(_post, url, payload, None, port))
    elif subscription.protocol == "sqs":
        _to_queue(session, subscription.endpoint, render(confirmation(session, topic, token, now, endpoint)), now,
                  topic.arn)  # sent on its own: never raw, no message attributes, no FIFO message group


def _queue_attributes(attributes: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Message attributes as SQS stores a message's: the value of the field the type uses, a Binary one base64."""
    stored: dict[str, dict[str, str]] = {}
    for name, attribute in attributes.items():
        data_type = attribute["DataType"]
        if data_type.startswith("Binary"):
            stored[name] = {"DataType": data_type, "BinaryValue": base64.b64encode(attribute["BinaryValue"]).decode()}
        else:
            stored[name] = {"DataType": data_type, "StringValue": attribute["StringValue"]}
    return stored


def _to_queue(session: Session, queue_arn: str, body: str, sent_at: _dt.datetime, topic_arn: str,
              attributes: dict[str, dict[str, Any]] | None = None, fifo: FifoPublish | None = None) -> bool:
    """SQS delivery of ``body``, whether the queue took it; ``attributes`` (raw delivery: the message's attributes)
    become SQS message attributes (SQS takes up to 10: a message with more is not delivered), a FIFO topic's group
    and deduplication ids go to a FIFO queue."""
    from rootplane.authz.gather import source

    sqs = source("rootplane.services.sqs.api")
    if sqs is None:
        return False
    attributes = attributes or {}
    if len(attributes) > MAX_QUEUE_ATTRIBUTES:
        log.info("raw delivery to %s refused: %d message attributes", queue_arn, len(attributes))
        return False
    with session.begin_nested():
        return sqs.deliver(session, queue_arn, body, sent_at, SENDER_ID, source_arn=topic_arn,
                           source_service="sns.amazonaws.com", attributes=_queue_attributes(attributes),
                           group_id=fifo.group_id if fifo else None,
                           deduplication_id=fifo.deduplication_id if fifo else None)


def _dead_letter(session: Session, subscription: SubscriptionView, body: str, message: Message, topic_arn: str) -> None:
    """A message its SQS endpoint refused goes to the subscription's dead-letter queue, if its RedrivePolicy names
    one (SNS Developer Guide, "Amazon SNS dead-letter queues"): the same body, sent as SNS sends (the queue's policy
    must let sns.amazonaws.com send, its key policy too for an encrypted queue)."""
    try:
        target = json.loads(json.loads(subscription.attributes).get("RedrivePolicy") or "{}").get("deadLetterTargetArn")
    except (ValueError, AttributeError):
        target = None
    if not isinstance(target, str) or not _to_queue(session, target, body, message.sent_at, topic_arn,
                                                    fifo=message.fifo):
        log.info("subscription %s: message %s not delivered", subscription.arn, message.message_id)


def _deliver(session: Session, topic: TopicRow | TopicView, subscription: SubscriptionView, message: Message,
             endpoint: str, smtp_url: str | None) -> None:
    message = message.for_protocol(subscription.protocol)
    raw = json.loads(subscription.attributes).get("RawMessageDelivery") == "true"
    envelope = notification(session, topic, message, subscription.arn, endpoint)
    subject, now = message.subject, message.sent_at
    if subscription.protocol == "sqs":
        body = message.text if raw else render(envelope)
        if not _to_queue(session, subscription.endpoint, body, message.sent_at, topic.arn,
                         message.attributes if raw else None, message.fifo):
            _dead_letter(session, subscription, body, message, topic.arn)
    elif subscription.protocol in ("http", "https"):
        url, arn, raw_body = subscription.endpoint, subscription.arn, message.text if raw else None
        port = _server_port(endpoint)
        on_commit(session, lambda: _pool.submit(_post, url, envelope, arn, port, raw_body))
    elif subscription.protocol == "email":
        unsubscribe = envelope["UnsubscribeURL"]
        body = (f"{message.text}\n\n--\nIf you wish to stop receiving notifications from this topic, please click or "
                f"visit the link below to unsubscribe:\n{unsubscribe}\n")
        _mail(session, subscription.endpoint, subject or "AWS Notification Message", body, now, smtp_url)
    elif subscription.protocol == "email-json":
        _mail(session, subscription.endpoint, subject or "AWS Notification Message", render(envelope), now,
              smtp_url)


def publish(session: Session, topic: TopicRow | TopicView, text: str, subject: str | None, now: _dt.datetime,
            endpoint: str, smtp_url: str | None, attributes: dict[str, dict[str, Any]] | None = None,
            fifo: FifoPublish | None = None, by_protocol: dict[str, str] | None = None) -> tuple[str, str | None]:
    """Deliver to every confirmed subscription whose filter policy accepts the message; returns the MessageId and
    (FIFO topics) the SequenceNumber. A refusing subscriber is skipped. A FIFO topic is its row (its sequence number
    counts the messages); a standard one may be its view. ``by_protocol`` (MessageStructure=json only): the texts
    it gave subscribers of one protocol instead of ``text``."""
    message_id = str(uuid.uuid4())
    sequence_number = None
    if fifo:
        if not isinstance(topic, TopicRow):
            raise TypeError("a FIFO topic's messages are numbered on its row, not its view")
        sequence_number = fifo_rules.record(session, topic, fifo, message_id, now)
    message = Message(message_id, text, subject, now, attributes or {}, fifo, sequence_number, by_protocol)
    for subscription in topic_subscription_views(session, topic.arn):
        if subscription.status != "Confirmed":
            continue
        if not accepts(json.loads(subscription.attributes), text, message.attributes):
            continue
        try:
            _deliver(session, topic, subscription, message, endpoint, smtp_url)
        except AwsError as error:
            log.info("subscription %s not delivered: %s", subscription.arn, error.code)
    return message.message_id, sequence_number


def service_may_publish(topic: TopicRow, service: str, source_arn: str, source_account: str) -> bool:
    """Whether the topic policy lets an AWS service principal publish (with aws:SourceArn/SourceAccount)."""
    policy = topic_attributes(topic).get("Policy")
    if not policy:
        return False
    facts = RequestFacts(
        action="sns:Publish", resource=topic.arn, principal_arn=service, principal_account=source_account,
        resource_account=topic.account_id, principal_is_service=service,
        context={"aws:SourceArn": source_arn, "aws:SourceAccount": source_account},
    )
    resource = NamedPolicy("topic-policy", parse_policy_cached(policy, "resource"), "resource-based policy")
    return evaluate(facts, PolicySet(resource=resource)).allowed


def publish_from_service(session: Session, topic_arn: str, message: str, now: _dt.datetime, service: str, *,
                         source_arn: str, source_account: str, endpoint: str = "", smtp_url: str | None = None,
                         subject: str | None = None, owner_publishes: bool = False) -> None:
    """A service (EventBridge) publishes: allowed only by the topic policy. With ``owner_publishes`` the service
    acts for ``source_account`` (CloudWatch alarm actions), whose own topics need no policy."""
    topic = repo.find_topic(session, topic_arn)
    if topic is None:
        raise AwsError("NotFound", "Topic does not exist", 404)
    if not (owner_publishes and topic.account_id == source_account) and not service_may_publish(
            topic, service, source_arn, source_account):
        raise AwsError("AuthorizationError", f"{service} is not authorized to publish to {topic_arn}", 403)
    if not encryption.service_may_publish(session, topic, topic_attributes(topic), service, source_arn, now):
        raise AwsError("KMSAccessDenied", f"{service} is not authorized to use the KMS key of {topic_arn}", 400)
    publish(session, topic, message, subject, now, endpoint or settings.endpoint(),
            smtp_url if smtp_url else settings.smtp_url())
