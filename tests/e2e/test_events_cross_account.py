"""EventBridge across accounts: event bus policies (PutPermission, RemovePermission) and event buses of other
accounts as rule targets ("Sending and receiving events between AWS accounts in Amazon EventBridge")."""

from __future__ import annotations

import json

from orgs_helpers import error_of

BUS = "arn:aws:events:us-east-1:000000000000:event-bus"


def _statements(events, bus: str | None = None) -> list[dict]:
    described = events.describe_event_bus(**({"Name": bus} if bus else {}))
    return json.loads(described["Policy"])["Statement"] if "Policy" in described else []


def test_put_permission_builds_the_bus_policy(server, unique):
    events = server.client("events")
    events.put_permission(Action="events:PutEvents", Principal="111122223333", StatementId=f"one-{unique}")
    events.put_permission(Action="events:PutEvents", Principal="*", StatementId=f"org-{unique}",
                          Condition={"Type": "StringEquals", "Key": "aws:PrincipalOrgID", "Value": "o-abcdefghij"})
    mine = [s for s in _statements(events) if s["Sid"].endswith(unique)]
    assert mine == [
        {"Sid": f"one-{unique}", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
         "Action": "events:PutEvents", "Resource": f"{BUS}/default"},
        {"Sid": f"org-{unique}", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents",
         "Resource": f"{BUS}/default", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}},
    ]
    assert [bus["Name"] for bus in events.list_event_buses()["EventBuses"]].count("default") == 1
    events.remove_permission(StatementId=f"one-{unique}")
    assert [s["Sid"] for s in _statements(events) if s["Sid"].endswith(unique)] == [f"org-{unique}"]
    error = error_of(events.remove_permission, StatementId=f"one-{unique}")
    assert (error["Code"], error["Message"], error["Status"]) == (
        "ResourceNotFoundException", "Statement with the provided id does not exist.", 400)
    events.remove_permission(RemoveAllPermissions=True)
    assert "Policy" not in events.describe_event_bus()
    error = error_of(events.remove_permission, StatementId=f"org-{unique}")
    assert (error["Code"], error["Message"]) == ("ResourceNotFoundException", "EventBus does not have a policy.")


def test_put_permission_on_a_custom_bus_and_whole_policies(server, unique):
    events = server.client("events")
    name = f"central-{unique}"
    error = error_of(events.put_permission, EventBusName=name, Action="events:PutEvents", Principal="*",
                     StatementId="s")
    assert (error["Code"], error["Message"]) == ("ResourceNotFoundException", f"Event bus {name} does not exist.")
    events.create_event_bus(Name=name)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "all", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "events:PutEvents", "Resource": f"{BUS}/{name}"}]})
    events.put_permission(EventBusName=name, Policy=policy)
    assert json.loads(events.describe_event_bus(Name=name)["Policy"]) == json.loads(policy)
    too_long = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": f"s{i}", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{i:012d}:root"},
        "Action": "events:PutEvents", "Resource": f"{BUS}/{name}"} for i in range(100)]})
    error = error_of(events.put_permission, EventBusName=name, Policy=too_long)
    assert (error["Code"], error["Status"]) == ("PolicyLengthExceededException", 400)
    error = error_of(events.put_permission, EventBusName=name, Principal="111122223333", StatementId="s")
    assert error["Code"] == "ValidationException"
    events.remove_permission(EventBusName=name, StatementId="all")
    assert "Policy" not in events.describe_event_bus(Name=name)


def test_cli_put_permission(server, unique):
    server.cli("events", "create-event-bus", "--name", f"cli-{unique}")
    server.cli("events", "put-permission", "--event-bus-name", f"cli-{unique}", "--action", "events:PutEvents",
               "--principal", "111122223333", "--statement-id", "cli")
    described = server.cli_json("events", "describe-event-bus", "--name", f"cli-{unique}")
    assert json.loads(described["Policy"])["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    server.cli("events", "remove-permission", "--event-bus-name", f"cli-{unique}", "--statement-id", "cli")
    assert "Policy" not in server.cli_json("events", "describe-event-bus", "--name", f"cli-{unique}")
