"""EventBridge: DescribeEventBus/ListEventBuses times (the default bus too), PutTargets' ARN and FIFO-queue checks,
and SqsParameters.MessageGroupId on delivery to a FIFO queue (EventBridge PutTargets documentation)."""

from __future__ import annotations

import datetime as _dt
import json
import time

from orgs_helpers import error_of


def test_event_bus_times(server, unique):
    events = server.client("events")
    default = events.describe_event_bus()
    assert isinstance(default["CreationTime"], _dt.datetime) and default["LastModifiedTime"] == default["CreationTime"]
    events.create_event_bus(Name=f"bus-{unique}")
    custom = events.describe_event_bus(Name=f"bus-{unique}")
    assert custom["CreationTime"] >= default["CreationTime"] and custom["LastModifiedTime"] == custom["CreationTime"]
    listed = {bus["Name"]: bus for bus in events.list_event_buses()["EventBuses"]}
    assert listed["default"]["CreationTime"] == default["CreationTime"]


def test_list_event_buses_pages_one_bus_at_a_time(server, unique):
    """Limit 1: the default bus alone on the first page (it answered InternalFailure: the default bus filled the
    page and no custom bus was left to name the next token), then each custom bus by name."""
    events = server.client("events", region="ap-south-2")  # a region of its own: only these buses
    names = [f"page-{unique}-{index}" for index in range(3)]
    for name in names:
        events.create_event_bus(Name=name)
    pages, token = [], None
    while True:
        page = events.list_event_buses(Limit=1, **({"NextToken": token} if token else {}))
        pages.append([bus["Name"] for bus in page["EventBuses"]])
        token = page.get("NextToken")
        if not token:
            break
    assert pages == [["default"], *[[name] for name in names]]
    first = events.list_event_buses(Limit=2)
    assert [bus["Name"] for bus in first["EventBuses"]] == ["default", names[0]]
    assert [bus["Name"] for bus in events.list_event_buses(NextToken=first["NextToken"])["EventBuses"]] == names[1:]


def test_target_arns_are_validated(server, unique):
    events = server.client("events")
    events.put_rule(Name=f"r-{unique}", EventPattern=json.dumps({"source": ["app"]}))
    error = error_of(events.put_targets, Rule=f"r-{unique}", Targets=[{"Id": "t", "Arn": "not-an-arn"}])
    assert (error["Code"], error["Message"], error["Status"]) == (
        "ValidationException", "Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format.", 400)
    fifo_arn = f"arn:aws:sqs:us-east-1:000000000000:q-{unique}.fifo"
    error = error_of(events.put_targets, Rule=f"r-{unique}", Targets=[{"Id": "t", "Arn": fifo_arn}])
    assert (error["Code"], error["Message"]) == (
        "ValidationException", "Parameter(s) SqsParameters must be specified for target: t.")
    assert events.list_targets_by_rule(Rule=f"r-{unique}")["Targets"] == []


def test_fifo_queue_target_gets_the_message_group_id(server, unique):
    sqs, events = server.client("sqs"), server.client("events")
    url = sqs.create_queue(QueueName=f"q-{unique}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": arn}]})})
    events.put_rule(Name=f"fifo-{unique}", EventPattern=json.dumps({"source": [f"app.{unique}"]}))
    events.put_targets(Rule=f"fifo-{unique}", Targets=[{"Id": "q", "Arn": arn,
                                                        "SqsParameters": {"MessageGroupId": "orders"}}])
    events.put_events(Entries=[{"Source": f"app.{unique}", "DetailType": "t", "Detail": "{}"}])
    deadline, messages = time.monotonic() + 10, []
    while not messages and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["MessageGroupId"],
                                       WaitTimeSeconds=1).get("Messages", [])
    assert messages and messages[0]["Attributes"]["MessageGroupId"] == "orders"
    assert json.loads(messages[0]["Body"])["source"] == f"app.{unique}"


def test_put_events_refuses_entries_over_256_kb(server, unique):
    """PutEvents' entries together must stay within 256 KB, counted as EventBridge documents ("Calculating PutEvents
    event entry size"): past it the whole request fails with ValidationException (the wording AWS answers)."""
    events = server.client("events")
    detail = json.dumps({"blob": "x" * (128 * 1024)})
    entry = {"Source": f"app.{unique}", "DetailType": "big", "Detail": detail}
    error = error_of(events.put_events, Entries=[entry, entry])
    assert (error["Code"], error["Message"], error["Status"]) == (
        "ValidationException", "Total size of the entries in the request is over the limit.", 400)
    assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0


def test_schedule_expressions_follow_eventbridge_syntax(server, unique):
    """A rate's unit is singular for 1 and plural above, its value positive; a cron expression needs ``?`` in
    day-of-month or day-of-week (EventBridge User Guide: rate and cron expressions references)."""
    events = server.client("events")
    for expression in ("rate(5 minute)", "rate(1 hours)", "rate(0 minutes)", "cron(0 12 * * * *)",
                       "cron(0 12 1 * MON *)", "rate(5 minutes"):
        error = error_of(events.put_rule, Name=f"s-{unique}", ScheduleExpression=expression)
        assert (error["Code"], error["Message"]) == (
            "ValidationException", "Parameter ScheduleExpression is not valid."), expression
    for expression in ("rate(1 minute)", "rate(5 minutes)", "rate(1 day)", "cron(0 12 * * ? *)",
                       "cron(15 10 ? * 6L 2002-2005)"):
        assert events.put_rule(Name=f"s-{unique}", ScheduleExpression=expression)["RuleArn"]
    events.delete_rule(Name=f"s-{unique}")
