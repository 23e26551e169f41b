"""EventBridge across accounts: event bus policies (PutPermission, RemovePermission) and event buses of other
accounts as rule targets ("Sending and receiving events between AWS accounts in Amazon EventBridge")."""

from __future__ import annotations

import json

from orgs_helpers import admin_key, assume_access_role, create_member, error_of
from test_events_root_alert import _drain, _queue

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
    [listed] = [bus for bus in events.list_event_buses()["EventBuses"] if bus["Name"] == "default"]
    assert listed["Policy"] == events.describe_event_bus()["Policy"]
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
    assert json.loads(events.list_event_buses(NamePrefix=name)["EventBuses"][0]["Policy"]) == json.loads(policy)
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


ROOT_ACTIVITY = json.dumps({"detail-type": ["AWS API Call via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}})
EVENTS_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def _sender_role(iam, name: str, bus_arn: str) -> str:
    """A role EventBridge may assume to put events on ``bus_arn``."""
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(EVENTS_TRUST))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="put-events", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": bus_arn}]}))
    return arn


def _organization(server) -> str:
    """The management account's organization (made by the first test that needs it)."""
    orgs = server.client("organizations")
    try:
        return orgs.describe_organization()["Organization"]["Id"]
    except orgs.exceptions.AWSOrganizationsNotInUseException:
        return orgs.create_organization(FeatureSet="ALL")["Organization"]["Id"]


def _seen(server, url: str) -> list[tuple[str, str]]:
    return sorted((event["account"], event["detail"]["eventName"]) for event in map(json.loads, _drain(server, url)))


def test_member_root_activity_reaches_the_security_account(server, unique):
    """A member account's rule forwards its root activity to the management (security) account's default bus,
    which the organization may write to; there a rule sends it to a queue, but not on to another bus."""
    org_id = _organization(server)
    orgs = server.client("organizations")
    member = create_member(orgs, "workload")
    orgs.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    server.client("iam").enable_organizations_root_credentials_management()
    central_rule = "arn:aws:events:us-east-1:000000000000:rule/central-root-activity"
    relay_rule = f"arn:aws:events:us-east-1:000000000000:rule/relay-{unique}/relayed"
    alerts, alerts_arn = _queue(server, f"alerts-{unique}", central_rule)
    relayed, relayed_arn = _queue(server, f"relayed-{unique}", relay_rule)
    admin = admin_key(server)  # the root's calls: CreateUser, AttachUserPolicy (the first time), CreateAccessKey
    # Recorded before the rules exist: a rule sees a call's event when its record is written (as on AWS, where the
    # event may reach the bus after a rule made later), and the audit writer gathers records for up to 0.2 s.
    server.client("cloudtrail").lookup_events(MaxResults=1)
    events = server.client_for(admin, "events")
    events.put_permission(Action="events:PutEvents", Principal="*", StatementId=f"org-{unique}",
                          Condition={"Type": "StringEquals", "Key": "aws:PrincipalOrgID", "Value": org_id})
    events.create_event_bus(Name=f"relay-{unique}")
    events.put_rule(Name="relayed", EventBusName=f"relay-{unique}", EventPattern=ROOT_ACTIVITY)
    events.put_targets(Rule="relayed", EventBusName=f"relay-{unique}", Targets=[{"Id": "q", "Arn": relayed_arn}])
    relay_role = _sender_role(server.client_for(admin, "iam"), f"relay-{unique}", f"{BUS}/relay-{unique}")
    events.put_rule(Name="central-root-activity", EventPattern=ROOT_ACTIVITY)
    events.put_targets(Rule="central-root-activity", Targets=[
        {"Id": "alerts", "Arn": alerts_arn},
        {"Id": "relay", "Arn": f"{BUS}/relay-{unique}", "RoleArn": relay_role}])

    member_admin = assume_access_role(server, admin, member)
    forwarder = _sender_role(server.client_for(member_admin, "iam"), "forwarder", f"{BUS}/default")
    member_events = server.client_for(member_admin, "events")
    member_events.put_rule(Name="root-activity", EventPattern=ROOT_ACTIVITY)
    # granted through the organization: only the target with a role may send (API Reference, Target)
    member_events.put_targets(Rule="root-activity", Targets=[
        {"Id": "central", "Arn": f"{BUS}/default", "RoleArn": forwarder},
        {"Id": "central-without-role", "Arn": f"{BUS}/default"}])

    root = server.client_for(admin, "sts").assume_root(
        TargetPrincipal=member, TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword"})
    server.client_for(root["Credentials"], "iam").create_login_profile()
    server.client("iam").create_user(UserName=f"by-root-{unique}")

    assert _seen(server, alerts) == sorted([(member, "CreateLoginProfile"), ("000000000000", "CreateUser")])
    assert _seen(server, relayed) == [("000000000000", "CreateUser")]  # forwarded events go no further


def test_an_account_named_in_the_bus_policy_sends_without_a_role(server, unique):
    """Outside the organization's grant: the bus policy names the sending account, and no role is needed; once the
    statement is removed, nothing arrives."""
    _organization(server)
    member = create_member(server.client("organizations"), f"sender-{unique}")
    admin = admin_key(server, f"admin-{unique}")
    url, arn = _queue(server, f"named-{unique}", f"{BUS.replace('event-bus', 'rule')}/named-{unique}")
    server.client("cloudtrail").lookup_events(MaxResults=1)
    events = server.client_for(admin, "events")
    events.put_permission(Action="events:PutEvents", Principal=member, StatementId=f"named-{unique}")
    events.put_rule(Name=f"named-{unique}", EventPattern=json.dumps({"source": [f"app.{unique}"]}))
    events.put_targets(Rule=f"named-{unique}", Targets=[{"Id": "q", "Arn": arn}])
    member_events = server.client_for(assume_access_role(server, admin, member), "events")
    member_events.put_rule(Name="forward", EventPattern=json.dumps({"source": [f"app.{unique}"]}))
    member_events.put_targets(Rule="forward", Targets=[{"Id": "central", "Arn": f"{BUS}/default"}])

    entry = {"Source": f"app.{unique}", "DetailType": "order", "Detail": json.dumps({"n": 1})}
    member_events.put_events(Entries=[entry])
    [body] = _drain(server, url)
    event = json.loads(body)
    assert (event["account"], event["source"], event["detail"]) == (member, f"app.{unique}", {"n": 1})
    events.remove_permission(StatementId=f"named-{unique}")
    member_events.put_events(Entries=[entry])
    assert _drain(server, url) == []


def test_put_events_to_another_accounts_bus(server, unique):
    """PutEvents names another account's bus by ARN: allowed by that bus's policy ("Permissions for event buses"),
    the event keeps the sender's account; without a grant the call is denied."""
    _organization(server)
    member = create_member(server.client("organizations"), f"direct-{unique}")
    name = f"inbox-{unique}"
    url, arn = _queue(server, f"inbox-{unique}", f"arn:aws:events:us-east-1:000000000000:rule/{name}/in")
    events = server.client("events")
    events.create_event_bus(Name=name)
    events.put_rule(Name="in", EventBusName=name, EventPattern=json.dumps({"source": [f"app.{unique}"]}))
    events.put_targets(Rule="in", EventBusName=name, Targets=[{"Id": "q", "Arn": arn}])
    member_events = server.client_for(assume_access_role(server, admin_key(server, f"admin-{unique}"), member), "events")
    entry = {"Source": f"app.{unique}", "DetailType": "order", "Detail": "{}", "EventBusName": f"{BUS}/{name}"}

    error = error_of(member_events.put_events, Entries=[entry])
    assert (error["Code"], error["Status"]) == ("AccessDeniedException", 400)
    events.put_permission(EventBusName=name, Action="events:PutEvents", Principal=member, StatementId="member")
    assert member_events.put_events(Entries=[entry])["FailedEntryCount"] == 0
    [body] = _drain(server, url)
    assert (json.loads(body)["account"], json.loads(body)["source"]) == (member, f"app.{unique}")
