"""CloudTrail Event history through boto3: records, redaction, denials, validation replays, paging, retention."""

from __future__ import annotations

import datetime as _dt
import json
import time

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from harness import BOOT_KEY_ID, reference_data

CAPTURES = reference_data("aws-captures")
NO_CLIENT_VALIDATION = Config(parameter_validation=False, retries={"max_attempts": 1})


def _events(server, **kwargs) -> list[dict]:
    return server.client("cloudtrail").lookup_events(**kwargs)["Events"]


def _by_name(server, name: str) -> list[dict]:
    return _events(server, LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}])


def test_root_write_is_recorded_with_aws_record_shape(server, unique):
    server.client("iam").create_user(UserName=f"u-{unique}")
    events = _events(server, LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": f"u-{unique}"}])
    assert len(events) == 1
    event = events[0]
    assert (event["EventName"], event["Username"], event["ReadOnly"]) == ("CreateUser", "root", "false")
    assert event["EventSource"] == "iam.amazonaws.com" and event["AccessKeyId"] == BOOT_KEY_ID
    assert event["Resources"] == [{"ResourceType": "AWS::IAM::User", "ResourceName": f"u-{unique}"}]
    record = json.loads(event["CloudTrailEvent"])
    assert record["userIdentity"] == {"type": "Root", "principalId": "000000000000",
                                      "arn": "arn:aws:iam::000000000000:root", "accountId": "000000000000",
                                      "accessKeyId": BOOT_KEY_ID}
    assert record["eventID"] == event["EventId"] and record["awsRegion"] == "us-east-1"
    assert record["requestParameters"] == {"userName": f"u-{unique}"}
    assert record["responseElements"]["user"]["userName"] == f"u-{unique}"
    assert (record["eventType"], record["managementEvent"], record["readOnly"]) == ("AwsApiCall", True, False)
    assert record["recipientAccountId"] == "000000000000" and record["eventCategory"] == "Management"
    assert record["eventTime"].endswith("Z") and record["requestID"]


def test_event_time_is_the_records_second_and_bounds_include_it(server, unique):
    """EventTime is the record's eventTime (whole seconds), and a StartTime and EndTime of that second find the event
    whatever fraction of the second it happened at (CloudTrail: events "before or at the specified time")."""
    server.client("iam").create_user(UserName=f"t-{unique}")
    by_resource = [{"AttributeKey": "ResourceName", "AttributeValue": f"t-{unique}"}]
    [event] = _events(server, LookupAttributes=by_resource)
    second = event["EventTime"]
    assert second.microsecond == 0
    assert second.strftime("%Y-%m-%dT%H:%M:%SZ") == json.loads(event["CloudTrailEvent"])["eventTime"]
    found = _events(server, LookupAttributes=by_resource, StartTime=second, EndTime=second)
    assert [e["EventId"] for e in found] == [event["EventId"]]
    cli = server.cli_json("cloudtrail", "lookup-events", "--lookup-attributes",
                          f"AttributeKey=ResourceName,AttributeValue=t-{unique}",
                          "--start-time", second.strftime("%Y-%m-%dT%H:%M:%SZ"),
                          "--end-time", second.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert [e["EventId"] for e in cli["Events"]] == [event["EventId"]]
    later = second + _dt.timedelta(seconds=1)
    time.sleep(max(0.0, (later - _dt.datetime.now(_dt.timezone.utc)).total_seconds()) + 0.05)  # not in the future
    assert _events(server, LookupAttributes=by_resource, StartTime=later) == []
    assert _events(server, LookupAttributes=by_resource, EndTime=second - _dt.timedelta(seconds=1)) == []


def test_every_lookup_attribute_finds_the_event(server, unique):
    iam = server.client("iam")
    iam.create_user(UserName=f"a-{unique}")
    event = _events(server, LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": f"a-{unique}"}])[0]
    for key, value in (("EventId", event["EventId"]), ("EventName", "CreateUser"), ("ReadOnly", "false"),
                       ("Username", "root"), ("ResourceType", "AWS::IAM::User"), ("EventSource", "iam.amazonaws.com"),
                       ("AccessKeyId", BOOT_KEY_ID)):
        found = _events(server, LookupAttributes=[{"AttributeKey": key, "AttributeValue": value}], MaxResults=50)
        assert event["EventId"] in {e["EventId"] for e in found}, key
    read_only = _events(server, LookupAttributes=[{"AttributeKey": "ReadOnly", "AttributeValue": "true"}])
    assert read_only and all(e["ReadOnly"] == "true" for e in read_only)


def test_denied_call_is_recorded_with_its_error_code(server, unique):
    iam = server.client("iam")
    iam.create_user(UserName=f"d-{unique}")
    key = iam.create_access_key(UserName=f"d-{unique}")["AccessKey"]
    with pytest.raises(ClientError) as caught:
        server.client_for(key, "iam").create_user(UserName=f"x-{unique}")
    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    events = _events(server, LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": f"d-{unique}"}])
    denied = [json.loads(e["CloudTrailEvent"]) for e in events if e["EventName"] == "CreateUser"]
    assert len(denied) == 1
    record = denied[0]
    assert record["errorCode"] == "AccessDenied" and "not authorized" in record["errorMessage"]
    assert record["responseElements"] is None
    assert record["userIdentity"]["type"] == "IAMUser" and record["userIdentity"]["userName"] == f"d-{unique}"
    assert record["userIdentity"]["accessKeyId"] == key["AccessKeyId"]


def test_secrets_never_appear_in_records(server, unique):
    iam = server.client("iam")
    iam.create_user(UserName=f"s-{unique}")
    key = iam.create_access_key(UserName=f"s-{unique}")["AccessKey"]
    password = f"Pw-{unique}-Secret!9"
    iam.create_login_profile(UserName=f"s-{unique}", Password=password)
    session = server.client("sts").get_session_token(DurationSeconds=900)["Credentials"]
    text = json.dumps(_events(server, MaxResults=50), default=str)
    for secret in (key["SecretAccessKey"], password, session["SecretAccessKey"], session["SessionToken"]):
        assert secret not in text
    record = json.loads(_by_name(server, "CreateLoginProfile")[0]["CloudTrailEvent"])
    assert record["requestParameters"]["password"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    created = json.loads(_by_name(server, "CreateAccessKey")[0]["CloudTrailEvent"])
    assert "secretAccessKey" not in created["responseElements"]["accessKey"]


def test_service_specific_credential_secrets_are_hidden(server, unique):
    """Issue #10 finding 4: the model's sensitive members (servicePassword) never reach LookupEvents."""
    iam = server.client("iam")
    iam.create_user(UserName=f"ssc-{unique}")
    credential = iam.create_service_specific_credential(UserName=f"ssc-{unique}",
                                                        ServiceName="codecommit.amazonaws.com")
    credential = credential["ServiceSpecificCredential"]
    events = _events(server, LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": f"ssc-{unique}"}])
    created = [e for e in events if e["EventName"] == "CreateServiceSpecificCredential"]
    assert len(created) == 1
    assert credential["ServicePassword"] not in json.dumps(events, default=str)
    shown = json.loads(created[0]["CloudTrailEvent"])["responseElements"]["serviceSpecificCredential"]
    assert shown["servicePassword"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert shown["serviceUserName"] == credential["ServiceUserName"]
    assert shown["userName"] == f"ssc-{unique}"


def test_data_events_are_not_in_event_history(server, unique):
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=f"q-{unique}")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    assert _by_name(server, "CreateQueue")
    assert not _by_name(server, "SendMessage")


@pytest.mark.parametrize("observation", json.loads((CAPTURES / "lookup_inputs.json").read_text())["observations"],
                         ids=lambda o: o["name"])
def test_lookup_inputs_replay(server, observation):
    """Judged on the error code, or on how many events came (the recorded account had read-only history: this
    one gets some first)."""
    server.client("iam").list_users()
    client = server.client("cloudtrail", config=NO_CLIENT_VALIDATION)
    expected = observation["result"]
    if "errorCode" in expected:
        with pytest.raises(ClientError) as caught:
            client.lookup_events(**observation["input"])
        assert caught.value.response["Error"]["Code"] == expected["errorCode"]
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    else:
        deadline = time.monotonic() + 10  # CloudTrail records are written just after the answer
        while len(client.lookup_events(**observation["input"])["Events"]) != expected["eventCount"] and \
                time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(client.lookup_events(**observation["input"])["Events"]) == expected["eventCount"]


@pytest.mark.parametrize("observation",
                         json.loads((CAPTURES / "lookup_validation.json").read_text())["observations"],
                         ids=lambda o: o["name"])
def test_lookup_validation_replay(server, observation):
    client = server.client("cloudtrail", config=NO_CLIENT_VALIDATION)
    with pytest.raises(ClientError) as caught:
        client.lookup_events(**observation["input"])
    assert caught.value.response["Error"]["Code"] == observation["code"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_pages_are_newest_first_and_tokens_bound_to_their_query(server, unique):
    iam = server.client("iam")
    for index in range(3):
        iam.create_group(GroupName=f"g{index}-{unique}")
    client = server.client("cloudtrail")
    attribute = [{"AttributeKey": "EventName", "AttributeValue": "CreateGroup"}]
    first = client.lookup_events(LookupAttributes=attribute, MaxResults=2)
    second = client.lookup_events(LookupAttributes=attribute, MaxResults=2, NextToken=first["NextToken"])
    names = [e["Resources"][0]["ResourceName"] for e in first["Events"] + second["Events"]]
    assert names[:3] == [f"g2-{unique}", f"g1-{unique}", f"g0-{unique}"]
    with pytest.raises(ClientError) as caught:
        client.lookup_events(MaxResults=2, NextToken=first["NextToken"])
    assert caught.value.response["Error"]["Code"] == "InvalidNextTokenException"


def test_event_history_keeps_ninety_days(server, unique):
    server.client("iam").create_user(UserName=f"old-{unique}")
    lookup = [{"AttributeKey": "ResourceName", "AttributeValue": f"old-{unique}"}]
    assert _events(server, LookupAttributes=lookup)
    server.advance_clock(91 * 86400)
    assert _events(server, LookupAttributes=lookup) == []


def test_trail_retention_days_sets_the_event_history_window(unique):
    from harness import start_server

    server = start_server(args=("--time-travel", "--trail-retention-days", "2"))
    try:
        server.client("iam").create_user(UserName=f"kept-{unique}")
        lookup = [{"AttributeKey": "ResourceName", "AttributeValue": f"kept-{unique}"}]
        assert [e["EventName"] for e in _events(server, LookupAttributes=lookup)] == ["CreateUser"]
        server.advance_clock(86400)
        assert len(_events(server, LookupAttributes=lookup)) == 1
        server.advance_clock(2 * 86400)
        assert _events(server, LookupAttributes=lookup) == []
    finally:
        server.close()
