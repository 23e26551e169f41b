"""SNS operations: topics, topic attributes/policies, subscriptions with confirmation, Publish and PublishBatch."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from typing import Any

from rootplane.auth.principal import ANONYMOUS
from rootplane.core import page_token
from rootplane.core.errors import AwsError
from rootplane.services.batches import ENTRY_ID, MAX_ENTRIES, entry_results
from rootplane.services.context import RequestContext
from rootplane.services.iam.principal_ids import bind_principals, render_principals
from rootplane.services.mail.outbox import send_text_message
from rootplane.services.provider import Provider
from rootplane.services.sns import encryption, endpoints, fifo, message_attributes, repo
from rootplane.services.sns.delivery import publish, send_confirmation, topic_attributes
from rootplane.services.sns.filtering import check_filter_policy, check_scope
from rootplane.services.sns.tables import SubscriptionRow, TopicRow
from rootplane.services.sns.topic_views import TopicView, find_topic_view, topic_subscription_views
from rootplane.services.tagging import merged_tags, tag_map

__all__ = ["SnsProvider", "PROVIDER"]

PAGE = 100
PENDING = "pending confirmation"
_PROTOCOLS = ("email", "email-json", "sqs", "http", "https")
# Delivery status logging: per endpoint type, the roles and sample rate of its success and failure logs.
_DELIVERY_STATUS = tuple(f"{kind}{setting}" for kind in ("Application", "HTTP", "Firehose", "Lambda", "SQS")
                         for setting in ("SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate",
                                         "FailureFeedbackRoleArn"))
_TOPIC_SETTABLE = ("Policy", "DisplayName", "DeliveryPolicy", "KmsMasterKeyId", "TracingConfig", "SignatureVersion",
                   "MaximumMessageSize", *_DELIVERY_STATUS)
# The topic actions AddPermission may grant (anything else: "Policy statement action out of service scope!").
_PERMISSION_ACTIONS = frozenset({"AddPermission", "DeleteTopic", "GetTopicAttributes", "ListSubscriptionsByTopic",
                                 "Publish", "Receive", "RemovePermission", "SetTopicAttributes", "Subscribe"})
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_PHONE_NUMBER = re.compile(r"^\+[1-9][0-9]{1,14}$")  # E.164: a plus sign and at most 15 digits
_PROTOCOL_MISMATCH = "Endpoint must match the specified protocol"  # an http(s) URL of the other scheme
_FIFO_ATTRIBUTES = ("FifoTopic", "ContentBasedDeduplication", "FifoThroughputScope")
_MAX_SUBJECT = 99  # "less than 100 characters long" (Publish)
_MAX_MESSAGE_BYTES = 262_144  # a topic's MaximumMessageSize unless it sets one
_LARGEST_MESSAGE_BYTES = 1_048_576  # the largest MaximumMessageSize
_LARGE_MESSAGE_PROTOCOLS = frozenset({"sqs", "firehose", "lambda"})  # a topic above 256 KiB has only these...
_LARGE_MESSAGE_SUBSCRIPTIONS = 100  # ...and at most this many subscriptions
_SUBSCRIPTION_SETTABLE = ("RawMessageDelivery", "FilterPolicy", "FilterPolicyScope", "DeliveryPolicy",
                          "RedrivePolicy")
# What a subscription holds for an attribute it was not given (GetSubscriptionAttributes shows the first).
_SUBSCRIPTION_DEFAULTS = {"RawMessageDelivery": "false", "FilterPolicyScope": "MessageAttributes"}
# The delivery policy a topic shows when it has none of its own, compact as AWS writes its JSON attributes.
_EFFECTIVE_DELIVERY_POLICY = json.dumps({"http": {
    "defaultHealthyRetryPolicy": {"minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3, "numMaxDelayRetries": 0,
                                  "numNoDelayRetries": 0, "numMinDelayRetries": 0, "backoffFunction": "linear"},
    "disableSubscriptionOverrides": False, "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
}}, separators=(",", ":"))


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameter", f"Invalid parameter: {message}", 400)


def _with_tags(current: dict[str, str], added: list[dict[str, str]]) -> dict[str, str]:
    """``current`` updated with the Key/Value list ``added``; TagLimitExceeded past AWS's 50 tags per topic."""
    return merged_tags(current, tag_map(added), lambda: AwsError(
        "TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded", 400))


def _needs_authentication(message: str) -> AwsError:
    return AwsError("AuthorizationError", message, 403)


def _not_found(message: str) -> AwsError:
    return AwsError("NotFound", message, 404)


def default_policy(arn: str, account_id: str) -> str:
    """The policy SNS gives a new topic: the owner account may manage and publish."""
    return json.dumps({
        "Version": "2008-10-17", "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
            "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                       "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic",
                       "SNS:Publish"],
            "Resource": arn, "Condition": {"StringEquals": {"AWS:SourceOwner": account_id}},
        }],
    }, separators=(",", ":"))


def _token(key: str | None) -> dict[str, str]:
    return {"NextToken": page_token.issue("sns", key)} if key else {}


def _after(token: str | None) -> str | None:
    """The ARN a listing resumes after, from a NextToken made by ``_token``; any other token is InvalidParameter,
    as AWS refuses a token it did not issue (text that merely decodes from base64 included)."""
    return page_token.after("sns", token, lambda: _invalid("NextToken"))


def _subscription_shape(row: SubscriptionRow) -> dict[str, Any]:
    return {"SubscriptionArn": row.arn if row.status == "Confirmed" else "PendingConfirmation",
            "Owner": row.account_id, "Protocol": row.protocol, "Endpoint": row.endpoint, "TopicArn": row.topic_arn}


def _check_policy(text: str) -> None:
    from rootplane.policy import MalformedPolicy, parse_policy

    try:
        parse_policy(text, kind="resource")
    except (MalformedPolicy, ValueError):
        raise _invalid("Policy Error: null") from None


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """A topic policy's statements as a list (a policy may hold a single statement object)."""
    statements = policy.get("Statement") or []
    return [statements] if isinstance(statements, dict) else list(statements)


def _check_subscription_attribute(name: str, value: str, attributes: dict[str, str]) -> None:
    if name == "RawMessageDelivery" and value.lower() not in ("true", "false"):
        raise _invalid("Attributes Reason: RawMessageDelivery: Invalid value [" + value + "]. Must be true or false.")
    if name == "FilterPolicyScope":
        check_scope(value)
    if name == "FilterPolicy":
        check_filter_policy(value, attributes.get("FilterPolicyScope", "MessageAttributes"))


def _check_same_attributes(existing: SubscriptionRow, requested: dict[str, str]) -> None:
    """Subscribe again to the same endpoint: each attribute the request gives must be the one the subscription has
    (an attribute left out is not compared), else InvalidParameter, as AWS answers."""
    held = {**_SUBSCRIPTION_DEFAULTS, **json.loads(existing.attributes)}
    if any(held.get(name) != value for name, value in requested.items()):
        raise _invalid("Attributes Reason: Subscription already exists with different attributes")


def _check_unsubscriber(ctx: RequestContext, subscription: SubscriptionRow) -> None:
    """A subscription confirmed with AuthenticateOnUnsubscribe, and every SQS subscription, needs a signed Unsubscribe
    by the subscription's owner or the topic's owner; any other one also goes by the link in its messages."""
    if not (subscription.authenticate_on_unsubscribe or subscription.protocol == "sqs"):
        return
    if ctx.principal.kind == ANONYMOUS:
        raise _needs_authentication("Unsubscribe of this subscription requires authentication")
    if ctx.account_id not in (subscription.account_id, subscription.topic_arn.split(":")[4]):
        raise _needs_authentication("Only the subscription owner or the topic owner can unsubscribe this subscription")


def _check_message(params: dict[str, Any], limit: int) -> None:
    """Publish's rules for one message: a Message not empty, its body and attributes at most ``limit`` bytes (the
    topic's MaximumMessageSize), a Subject under 100 printable characters, MessageAttributes SNS accepts."""
    message = params["Message"]
    if not message:
        raise _invalid("Empty message")
    subject = params.get("Subject")
    if subject is not None and (len(subject) > _MAX_SUBJECT or not subject.strip() or
                                any(ord(c) < 32 for c in subject)):
        raise _invalid("Subject")
    if _message_size(params) > limit:
        raise _invalid("Message too long")
    message_attributes.check(params.get("MessageAttributes") or {})


def _structured(params: dict[str, Any]) -> tuple[str, dict[str, str] | None]:
    """The message's default text and, with MessageStructure=json, the texts it gives subscribers of one protocol
    (None for a String message structure): a JSON object whose keys of other than string values are ignored, with a
    ``default`` entry (Publish API reference, JSON-specific constraints)."""
    message = params["Message"]
    if params.get("MessageStructure") != "json":
        return message, None
    try:
        structured = json.loads(message)
    except ValueError:
        structured = None
    if not isinstance(structured, dict):
        raise _invalid("Message Structure - JSON message body failed to parse")
    texts = {key: text for key, text in structured.items() if isinstance(text, str)}
    if "default" not in texts:
        raise _invalid("Message Structure - No default entry in JSON message body")
    return texts.pop("default"), texts


def _publish_text_message(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """Publish to a phone number in E.164 form (Publish API reference, PhoneNumber): the SMS goes to the outbox."""
    phone_number = params["PhoneNumber"]
    if not _PHONE_NUMBER.match(phone_number):
        raise _invalid(f"PhoneNumber Reason: {phone_number} is not valid to publish to")
    _check_message(params, _MAX_MESSAGE_BYTES)
    send_text_message(ctx, phone_number, params["Message"])
    return {"MessageId": str(uuid.uuid4())}


def _check_batch(entries: list[dict[str, Any]], limit: int) -> None:
    """PublishBatch's whole-request rules: 1 to 10 entries with distinct valid Ids, their messages and message
    attributes together at most ``limit`` bytes (the topic's MaximumMessageSize)."""
    if not entries:
        raise AwsError("EmptyBatchRequest", "The batch request doesn't contain any entries.", 400)
    if len(entries) > MAX_ENTRIES:
        raise AwsError("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.",
                       400)
    if not all(ENTRY_ID.match(entry["Id"]) for entry in entries):
        raise AwsError("InvalidBatchEntryId",
                       "The Id of a batch entry in a batch request doesn't abide by the specification.", 400)
    if len({entry["Id"] for entry in entries}) < len(entries):
        raise AwsError("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.", 400)
    if sum(_message_size(entry) for entry in entries) > limit:
        raise AwsError("BatchRequestTooLong",
                       "The length of all the batch messages put together is more than the limit.", 400)


def _message_size(entry: dict[str, Any]) -> int:
    """A message's size (Publish's or a PublishBatch entry's): its body and each attribute's name, type and value,
    in bytes."""
    size = len(entry["Message"].encode())
    for name, attribute in (entry.get("MessageAttributes") or {}).items():
        value = attribute.get("BinaryValue") or (attribute.get("StringValue") or "").encode()
        size += len(name.encode()) + len((attribute.get("DataType") or "").encode()) + len(value)
    return size


def _size_limit(attributes: dict[str, str]) -> int:
    """The topic's MaximumMessageSize: how many bytes of body and attributes a message (or a batch) may have."""
    return int(attributes.get("MaximumMessageSize") or _MAX_MESSAGE_BYTES)


def _check_maximum_message_size(value: str, subscriptions: list[SubscriptionRow]) -> None:
    """MaximumMessageSize is 1024 to 1048576; above 256 KiB the topic may have at most 100 subscriptions, all SQS,
    Firehose or Lambda ones (CreateTopic / SetTopicAttributes)."""
    if not value.isdigit() or not 1024 <= int(value) <= _LARGEST_MESSAGE_BYTES:
        raise _invalid("MaximumMessageSize")
    if int(value) > _MAX_MESSAGE_BYTES and (len(subscriptions) > _LARGE_MESSAGE_SUBSCRIPTIONS or any(
            subscription.protocol not in _LARGE_MESSAGE_PROTOCOLS for subscription in subscriptions)):
        raise _invalid("MaximumMessageSize Reason: a topic above 256 KiB may only have up to 100 Amazon SQS, "
                       "Amazon Data Firehose or Lambda subscriptions")


class SnsProvider(Provider):
    service_name = "sns"
    # The links in confirmation and notification messages work without credentials, as on AWS, except for a
    # subscription that requires authentication to unsubscribe (``unsubscribe``).
    unsigned_operations = frozenset({"ConfirmSubscription", "Unsubscribe"})

    def _topic(self, ctx: RequestContext, arn: str) -> TopicRow:
        """The topic ``arn`` names, in the request's region (a topic is regional: another region's is not found);
        locked in writing transactions (``repo.find_topic``)."""
        topic = repo.find_topic(ctx.session, arn, lock=True)
        if topic is None or topic.region != ctx.region:
            raise _not_found("Topic does not exist")
        return topic

    def _read_topic(self, ctx: RequestContext, arn: str) -> TopicView:
        """``_topic`` for calls that only read it: its cached view (topic_views.py: no SQL when cached)."""
        topic = find_topic_view(ctx.session, arn)
        if topic is None or topic.region != ctx.region:
            raise _not_found("Topic does not exist")
        return topic

    def _tagged_topic(self, ctx: RequestContext, arn: str) -> TopicRow:
        """The topic a tagging operation names (its model's error for a missing resource is ResourceNotFound)."""
        topic = repo.find_topic(ctx.session, arn)
        if topic is None or topic.region != ctx.region:
            raise AwsError("ResourceNotFound", "Resource does not exist", 404)
        return topic

    def _subscription(self, ctx: RequestContext, arn: str) -> SubscriptionRow:
        subscription = repo.find_subscription(ctx.session, arn)
        if subscription is None:
            raise _not_found("Subscription does not exist")
        return subscription

    # -- topics --------------------------------------------------------------------------------------------------
    def create_topic(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["Name"]
        given = dict(params.get("Attributes") or {})
        fifo.check_topic(name, given)
        arn = f"arn:aws:sns:{ctx.region}:{ctx.account_id}:{name}"
        tags = _with_tags({}, params.get("Tags") or [])
        existing = repo.find_topic(ctx.session, arn)
        if existing is not None:
            if params.get("Tags") and tags != json.loads(existing.tags):
                raise _invalid("Tags Reason: Topic already exists with different tags")
            return {"TopicArn": arn}
        attributes = {"Policy": default_policy(arn, ctx.account_id)}
        for key, value in given.items():
            if key not in _TOPIC_SETTABLE + _FIFO_ATTRIBUTES:
                raise _invalid("Attributes Reason: Unknown attribute")
            if key == "Policy":
                _check_policy(value)
                value = bind_principals(ctx.session, value)
            if key == "MaximumMessageSize":
                _check_maximum_message_size(value, [])
            attributes[key] = value
        repo.put_topic(ctx.session, TopicRow(arn=arn, account_id=ctx.account_id, region=ctx.region, name=name,
                                             attributes=json.dumps(attributes), tags=json.dumps(tags),
                                             created_at=ctx.now()))
        return {"TopicArn": arn}

    def delete_topic(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        topic = repo.find_topic(ctx.session, params["TopicArn"], lock=True)
        if topic is not None:
            repo.delete_topic(ctx.session, topic)

    def list_topics(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        arns = repo.list_topic_arns(ctx.session, ctx.account_id, ctx.region, _after(params.get("NextToken")), PAGE + 1)
        more = len(arns) > PAGE
        arns = arns[:PAGE]
        return {"Topics": [{"TopicArn": arn} for arn in arns], **_token(arns[-1] if more else None)}

    def get_topic_attributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self._read_topic(ctx, params["TopicArn"])
        subscriptions = topic_subscription_views(ctx.session, topic.arn)
        attributes = topic_attributes(topic)
        if attributes.get("Policy"):
            attributes["Policy"] = render_principals(ctx.session, attributes["Policy"])
        attributes.update(
            TopicArn=topic.arn, Owner=topic.account_id,
            SubscriptionsConfirmed=str(sum(1 for s in subscriptions if s.status == "Confirmed")),
            SubscriptionsPending=str(sum(1 for s in subscriptions if s.status != "Confirmed")),
            SubscriptionsDeleted="0",
        )
        attributes.setdefault("DisplayName", "")
        attributes.setdefault("EffectiveDeliveryPolicy", _EFFECTIVE_DELIVERY_POLICY)
        return {"Attributes": attributes}

    def set_topic_attributes(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        topic = self._topic(ctx, params["TopicArn"])
        name, value = params["AttributeName"], params.get("AttributeValue") or ""
        fifo_setting = name in _FIFO_ATTRIBUTES[1:] and fifo.is_fifo(topic_attributes(topic))
        if name not in _TOPIC_SETTABLE and not fifo_setting:
            raise _invalid("AttributeName")
        if name == "Policy":
            _check_policy(value)
            value = bind_principals(ctx.session, value)
        if name == "MaximumMessageSize":
            _check_maximum_message_size(value, repo.list_topic_subscriptions(ctx.session, topic.arn))
        if name == "FifoThroughputScope":
            fifo.check_throughput_scope(value)
        attributes = topic_attributes(topic)
        attributes[name] = value
        topic.attributes = json.dumps(attributes)

    def add_permission(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        topic = self._topic(ctx, params["TopicArn"])
        attributes = topic_attributes(topic)
        policy = json.loads(attributes.get("Policy") or default_policy(topic.arn, topic.account_id))
        label = params["Label"]
        statements = _statements(policy)
        if any(statement.get("Sid") == label for statement in statements):
            raise _invalid("Statement already exists")
        if not params["AWSAccountId"] or not all(_ACCOUNT_ID.match(account) for account in params["AWSAccountId"]):
            raise _invalid("A provided account ID is not valid")
        if not params["ActionName"] or not _PERMISSION_ACTIONS.issuperset(params["ActionName"]):
            raise _invalid("Policy statement action out of service scope!")
        principals = [f"arn:aws:iam::{account}:root" for account in params["AWSAccountId"]]
        actions = [f"SNS:{action}" for action in params["ActionName"]]
        policy["Statement"] = statements + [{
            "Sid": label, "Effect": "Allow",
            "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
            "Action": actions[0] if len(actions) == 1 else actions, "Resource": topic.arn,
        }]
        attributes["Policy"] = json.dumps(policy, separators=(",", ":"))
        topic.attributes = json.dumps(attributes)

    def remove_permission(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        topic = self._topic(ctx, params["TopicArn"])
        attributes = topic_attributes(topic)
        if not attributes.get("Policy"):
            return
        policy = json.loads(attributes["Policy"])
        policy["Statement"] = [s for s in _statements(policy) if s.get("Sid") != params["Label"]]
        if policy["Statement"]:
            attributes["Policy"] = json.dumps(policy, separators=(",", ":"))
        else:  # a policy without statements is no policy (and would not parse)
            del attributes["Policy"]
        topic.attributes = json.dumps(attributes)

    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self._tagged_topic(ctx, params["ResourceArn"])
        topic.tags = json.dumps(_with_tags(json.loads(topic.tags), params["Tags"]))
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self._tagged_topic(ctx, params["ResourceArn"])
        removed = set(params["TagKeys"])
        topic.tags = json.dumps({key: value for key, value in json.loads(topic.tags).items() if key not in removed})
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self._tagged_topic(ctx, params["ResourceArn"])
        return {"Tags": [{"Key": key, "Value": value} for key, value in json.loads(topic.tags).items()]}

    # -- subscriptions -------------------------------------------------------------------------------------------
    def subscribe(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self._topic(ctx, params["TopicArn"])
        protocol, endpoint = params["Protocol"].lower(), params.get("Endpoint") or ""
        if protocol not in _PROTOCOLS:
            raise _invalid("Invalid protocol type: " + protocol)
        self._check_endpoint(ctx, protocol, endpoint)
        if protocol == "sqs" and endpoint.endswith(".fifo") and not fifo.is_fifo(topic_attributes(topic)):
            raise _invalid("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard "
                           "SNS topics")
        for existing in repo.list_topic_subscriptions(ctx.session, topic.arn):
            if existing.protocol == protocol and existing.endpoint == endpoint:
                _check_same_attributes(existing, params.get("Attributes") or {})
                return {"SubscriptionArn": existing.arn if existing.status == "Confirmed" or
                        params.get("ReturnSubscriptionArn") else PENDING}
        attributes = dict(params.get("Attributes") or {})
        unknown = set(attributes) - set(_SUBSCRIPTION_SETTABLE)
        if unknown:
            raise _invalid("Attributes Reason: Unknown attribute")
        for name, value in attributes.items():
            _check_subscription_attribute(name, value, attributes)
        same_account_queue = protocol == "sqs" and endpoint.split(":")[4:5] == [ctx.account_id]
        subscription = repo.put_subscription(ctx.session, SubscriptionRow(
            arn=f"{topic.arn}:{uuid.uuid4()}", topic_arn=topic.arn, account_id=ctx.account_id, region=ctx.region,
            protocol=protocol, endpoint=endpoint, status="Confirmed" if same_account_queue else "PendingConfirmation",
            token=None if same_account_queue else secrets.token_hex(64), attributes=json.dumps(attributes),
            created_at=ctx.now(),
        ))
        if subscription.status != "Confirmed":
            send_confirmation(ctx.session, topic, subscription, ctx.now(), ctx.config.endpoint, ctx.config.smtp_url)
        confirmed = subscription.status == "Confirmed" or params.get("ReturnSubscriptionArn")
        return {"SubscriptionArn": subscription.arn if confirmed else PENDING}

    @staticmethod
    def _check_endpoint(ctx: RequestContext, protocol: str, endpoint: str) -> None:
        valid = {
            "email": "@" in endpoint, "email-json": "@" in endpoint,
            "sqs": endpoint.startswith("arn:aws:sqs:") and endpoint.count(":") == 5,
            "http": endpoint.startswith("http://"), "https": endpoint.startswith("https://"),
        }[protocol]
        if not valid:
            raise _invalid({"sqs": "SQS endpoint ARN", "http": _PROTOCOL_MISMATCH,
                            "https": _PROTOCOL_MISMATCH}.get(protocol, "Invalid endpoint"))
        if protocol in ("http", "https") and not endpoints.permitted(endpoint, ctx.config.port,
                                                                     ctx.config.sns_http_allow):
            raise _invalid("Endpoint Reason: not an allowed HTTP destination")

    def confirm_subscription(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self._topic(ctx, params["TopicArn"])
        subscription = repo.find_subscription_by_token(ctx.session, topic.arn, params["Token"])
        if subscription is None:
            raise _invalid("Token")
        if (params.get("AuthenticateOnUnsubscribe") or "").lower() == "true":
            if ctx.principal.kind == ANONYMOUS:
                raise _needs_authentication("ConfirmSubscription with AuthenticateOnUnsubscribe requires authentication")
            subscription.authenticate_on_unsubscribe = True
        subscription.status = "Confirmed"
        ctx.audit["recipient_accounts"] = [topic.account_id]
        return {"SubscriptionArn": subscription.arn}

    def unsubscribe(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        subscription = repo.find_subscription(ctx.session, params["SubscriptionArn"])
        if subscription is not None:
            _check_unsubscriber(ctx, subscription)
            ctx.audit["recipient_accounts"] = [subscription.account_id]
            repo.delete_subscription(ctx.session, subscription)

    def list_subscriptions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        rows = repo.list_subscriptions(ctx.session, ctx.account_id, ctx.region, _after(params.get("NextToken")),
                                       PAGE + 1)
        more = len(rows) > PAGE
        rows = rows[:PAGE]
        return {"Subscriptions": [_subscription_shape(r) for r in rows], **_token(rows[-1].arn if more else None)}

    def list_subscriptions_by_topic(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        topic = self._topic(ctx, params["TopicArn"])
        rows = repo.list_topic_subscriptions(ctx.session, topic.arn, _after(params.get("NextToken")), PAGE + 1)
        more = len(rows) > PAGE
        rows = rows[:PAGE]
        return {"Subscriptions": [_subscription_shape(r) for r in rows], **_token(rows[-1].arn if more else None)}

    def get_subscription_attributes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        subscription = self._subscription(ctx, params["SubscriptionArn"])
        attributes = json.loads(subscription.attributes)
        attributes.update(
            SubscriptionArn=subscription.arn, TopicArn=subscription.topic_arn, Owner=subscription.account_id,
            Protocol=subscription.protocol, Endpoint=subscription.endpoint,
            PendingConfirmation="false" if subscription.status == "Confirmed" else "true",
            ConfirmationWasAuthenticated="true" if subscription.status == "Confirmed" else "false",
        )
        attributes.setdefault("RawMessageDelivery", "false")
        return {"Attributes": attributes}

    def set_subscription_attributes(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        subscription = self._subscription(ctx, params["SubscriptionArn"])
        name = params["AttributeName"]
        if name not in _SUBSCRIPTION_SETTABLE:
            raise _invalid("AttributeName")
        attributes = json.loads(subscription.attributes)
        value = params.get("AttributeValue") or ""
        _check_subscription_attribute(name, value, attributes)
        if name == "FilterPolicyScope" and attributes.get("FilterPolicy"):
            check_filter_policy(attributes["FilterPolicy"], value)
        if name == "FilterPolicy" and not value:
            attributes.pop(name, None)
        else:
            attributes[name] = value
        subscription.attributes = json.dumps(attributes)

    # -- SMS -----------------------------------------------------------------------------------------------------
    def get_sms_sandbox_account_status(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """An account sends SMS from the SMS sandbox until AWS moves it out (SNS Developer Guide, "SMS sandbox")."""
        return {"IsInSandbox": True}

    def check_if_phone_number_is_opted_out(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """No phone here answers STOP to an SMS, so none is opted out."""
        return {"isOptedOut": False}

    # -- publishing ----------------------------------------------------------------------------------------------
    def publish(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        arn = params.get("TopicArn") or params.get("TargetArn")
        if not arn and params.get("PhoneNumber"):
            return _publish_text_message(ctx, params)
        if not arn:
            raise _invalid("TopicArn or TargetArn Reason: no value for required parameter")
        topic: TopicRow | TopicView = self._read_topic(ctx, arn)
        attributes = topic_attributes(topic)
        _check_message(params, _size_limit(attributes))
        encryption.check_publish(ctx, topic, attributes)
        if fifo.is_fifo(attributes):
            topic = self._topic(ctx, arn)  # its row: the message's sequence number moves it
        return self._publish_message(ctx, topic, attributes, params)

    def publish_batch(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """Up to 10 messages, each published as Publish publishes it; a message Publish would refuse is a Failed
        entry, while a malformed batch, a missing topic and FIFO entries without their ids refuse the request."""
        entries = params["PublishBatchRequestEntries"] or []
        topic: TopicRow | TopicView = self._read_topic(ctx, params["TopicArn"])
        attributes = topic_attributes(topic)
        _check_batch(entries, _size_limit(attributes))
        for entry in entries:
            fifo.deduplication_id(attributes, entry)
        encryption.check_publish(ctx, topic, attributes)
        if fifo.is_fifo(attributes):
            topic = self._topic(ctx, topic.arn)
        return entry_results(entries, lambda entry: self._publish_entry(ctx, topic, attributes, entry))

    def _publish_entry(self, ctx: RequestContext, topic: TopicRow | TopicView, attributes: dict[str, str],
                       entry: dict[str, Any]) -> dict[str, Any]:
        _check_message(entry, _size_limit(attributes))
        return self._publish_message(ctx, topic, attributes, entry)

    @staticmethod
    def _publish_message(ctx: RequestContext, topic: TopicRow | TopicView, attributes: dict[str, str],
                         params: dict[str, Any]) -> dict[str, Any]:
        """Deliver one checked message (Publish's parameters or a PublishBatch entry): its MessageId and, on a FIFO
        topic (``topic`` is then its row), its SequenceNumber; a duplicate gets the first answer, undelivered."""
        fifo_publish = fifo.admit(ctx.session, topic, attributes, params, ctx.now())
        if fifo_publish is not None and fifo_publish.repeat is not None:
            return {"MessageId": fifo_publish.repeat.message_id,
                    "SequenceNumber": fifo_publish.repeat.sequence_number}
        message, by_protocol = _structured(params)
        message_id, sequence_number = publish(ctx.session, topic, message, params.get("Subject"), ctx.now(),
                                              ctx.config.endpoint, ctx.config.smtp_url,
                                              params.get("MessageAttributes"), fifo_publish, by_protocol)
        return {"MessageId": message_id, **({"SequenceNumber": sequence_number} if sequence_number else {})}


PROVIDER = SnsProvider()
