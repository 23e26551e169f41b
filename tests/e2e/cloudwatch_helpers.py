"""Driving CloudWatch alarms from tests: SNS topics with SQS subscribers, reading alarm notifications, and moving a
``--time-travel`` server's clock past the evaluation of a period (then polling, never sleeping fixed times)."""

from __future__ import annotations

import datetime as dt
import json
import math
import time

from server_clock import ServerClock

__all__ = ["PERIOD", "DELAY_SECONDS", "topic_with_queue", "notifications", "alarm_of", "wait_for_state",
           "evaluate_period_of", "next_period", "latest_datapoint"]

PERIOD = 60
DELAY_SECONDS = 5  # the evaluator runs this long after a period ends (docs/ARCHITECTURE.md, "CloudWatch alarms")
SNS_POLICY = {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage"}


def topic_with_queue(sns, sqs, name: str) -> tuple[str, str]:
    """An SNS topic with a subscribed SQS queue (whose policy lets SNS send): (topic ARN, queue URL)."""
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(
        {"Version": "2012-10-17", "Statement": [{**SNS_POLICY, "Resource": queue_arn}]})})
    topic = sns.create_topic(Name=name)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return topic, url


def notifications(sqs, url: str, count: int, deadline: float = 20.0) -> list[dict]:
    """The SNS notification envelopes on the queue, polled until ``count`` arrived or the deadline passed."""
    found: list[dict] = []
    end = time.monotonic() + deadline
    while len(found) < count and time.monotonic() < end:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            envelope = json.loads(message["Body"])
            if envelope.get("Type") == "Notification":
                found.append(envelope)
    return found


def alarm_of(cw, name: str) -> dict:
    return cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]


def wait_for_state(cw, name: str, state: str, reason: str = "", deadline: float = 20.0) -> dict:
    """The alarm once the evaluator has put it in ``state`` with a reason containing ``reason`` (polled)."""
    end = time.monotonic() + deadline
    while True:
        alarm = alarm_of(cw, name)
        done = alarm["StateValue"] == state and reason in alarm["StateReason"]
        if done and not alarm["StateReason"].startswith("Unchecked") or time.monotonic() > end:
            assert done, alarm
            return alarm
        time.sleep(0.2)


def evaluate_period_of(clock: ServerClock, moment: float) -> None:
    """Move the server clock to just after the evaluation of the period holding ``moment`` (POSIX seconds)."""
    clock.advance_to(math.floor(moment / PERIOD) * PERIOD + PERIOD + DELAY_SECONDS + 1)


def next_period(clock: ServerClock) -> None:
    """Move the server clock past the evaluation of the period holding "now"."""
    evaluate_period_of(clock, clock.now())


def latest_datapoint(cw, clock: ServerClock, namespace: str, metric: str, dimensions=(), deadline: float = 20.0) -> float:
    """When the metric's latest 60-second period with data starts (POSIX seconds), polled until there is one."""
    end = time.monotonic() + deadline
    while True:
        now = dt.datetime.fromtimestamp(clock.now(), dt.timezone.utc)
        points = cw.get_metric_statistics(Namespace=namespace, MetricName=metric, Dimensions=list(dimensions),
                                          Period=PERIOD, Statistics=["Sum"], StartTime=now - dt.timedelta(minutes=30),
                                          EndTime=now + dt.timedelta(minutes=10))["Datapoints"]
        if points or time.monotonic() > end:
            assert points, f"no datapoint of {namespace}/{metric}"
            return max(point["Timestamp"].timestamp() for point in points)
        time.sleep(0.2)
