"""Request values a PostgreSQL store cannot hold as they are.

A NUL character (U+0000): PostgreSQL's text cannot hold one, and the database's refusal answered 500 InternalFailure
(CloudWatch Logs messages, KMS and Organizations descriptions, EventBridge rules, Support cases, Account contacts,
CloudTrail lookups). The server now refuses such a value as the service's validation error, naming the member (a
value its pattern refuses already keeps that one error); the console refuses a form holding one. The SQLite store
keeps such values, as AWS takes them where the model allows.

An overlong name or one holding NUL in a call's CloudTrail record (a user name refused by validation is still the
call's resource): PostgreSQL refused the resource row (varchar(2048), text without NUL), and the audit writer
dropped the records of every call in that batch."""

from __future__ import annotations

import json
import time

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from console_http import ConsoleHttp
from harness import drop_postgres_database, required_postgres_database, start_server

NUL = "a\x00b"


@pytest.fixture(scope="module")
def server():
    url = required_postgres_database()
    running = start_server(database_url=url)
    yield running
    running.close()
    drop_postgres_database(url)


def _client(server, service: str):
    return server.client(service, config=Config(retries={"max_attempts": 0}))


def _scp() -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


CALLS = {  # name: (service, call, the answer's code, where the message names the member)
    "logs": ("logs", lambda c: c.put_log_events(logGroupName="nul", logStreamName="nul", logEvents=[
        {"timestamp": int(time.time() * 1000), "message": NUL}]), "InvalidParameterException", "logEvents.1.member.message"),
    "kms": ("kms", lambda c: c.create_key(Description=NUL), "ValidationException", "'description'"),
    "events": ("events", lambda c: c.put_rule(Name="nul", EventPattern='{"source": ["x"]}', Description=NUL),
               "ValidationException", "'description'"),
    "cloudtrail": ("cloudtrail", lambda c: c.lookup_events(LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": NUL}]), "ValidationException", "attributeValue"),
    "support": ("support", lambda c: c.create_case(subject=NUL, communicationBody="b"), "ValidationException",
                "'subject'"),
    "cloudwatch": ("cloudwatch", lambda c: c.put_metric_alarm(
        AlarmName="nul", AlarmDescription=NUL, MetricName="m", Namespace="n", Statistic="Sum", Period=60,
        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold"), "ValidationError",
                   "'alarmDescription'"),
    "sns": ("sns", lambda c: c.publish(TopicArn=c.create_topic(Name="nul")["TopicArn"], Message=NUL),
            "InvalidParameter", "Message"),
    "organizations": ("organizations", lambda c: c.create_policy(
        Name="nul", Description=NUL, Type="SERVICE_CONTROL_POLICY", Content=_scp()), "InvalidInputException", ""),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_nul_character_is_refused_as_the_services_validation_error(server, name):
    service, call, code, where = CALLS[name]
    client = _client(server, service)
    if name == "logs":
        client.create_log_group(logGroupName="nul")
        client.create_log_stream(logGroupName="nul", logStreamName="nul")
    if name == "organizations":
        client.create_organization(FeatureSet="ALL")
    with pytest.raises(ClientError) as refused:
        call(client)
    error = refused.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (400, code)
    assert where in error["Error"]["Message"]


def test_a_value_its_pattern_refuses_keeps_one_error(server):
    """IAM's tag values have a pattern without NUL: the one error AWS answers, not a second about the store."""
    with pytest.raises(ClientError) as refused:
        _client(server, "iam").create_user(UserName="nul", Tags=[{"Key": "k", "Value": NUL}])
    assert refused.value.response["Error"]["Message"].startswith("1 validation error detected: ")
    assert "Member must satisfy regular expression pattern" in refused.value.response["Error"]["Message"]


@pytest.mark.parametrize("name", ["x" * 3000, NUL], ids=["overlong", "nul"])
def test_a_resource_name_postgres_cannot_hold_loses_no_audit_record(server, name):
    """A GetUser for a 3,000-character name or one holding NUL (ValidationError, still recorded with the name as
    its resource) and a CreateUser sent after it, in one batch of the audit writer: LookupEvents finds both (the
    lookup row's name made storable; the record keeps it whole)."""
    iam = server.client("iam", config=Config(retries={"max_attempts": 0}, parameter_validation=False))
    with pytest.raises(ClientError):
        iam.get_user(UserName=name)
    after = f"after-{len(name)}"
    iam.create_user(UserName=after)
    trail = server.client("cloudtrail")
    created = trail.lookup_events(LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": after}])
    assert [event["EventName"] for event in created["Events"]] == ["CreateUser"]
    read = trail.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetUser"}])
    assert name in [resource["ResourceName"] for event in read["Events"] for resource in event["Resources"]]
    assert "could not write" not in server.log()


def test_the_console_refuses_a_form_holding_a_nul_character(server):
    console = ConsoleHttp(server)
    assert console.request("GET", "/console/signin")[0] == 200
    status, _, body = console.request("POST", "/console/signin", {"email": "root\x00@example.com"})
    assert (status, body) == (400, "Form holds a NUL character")
