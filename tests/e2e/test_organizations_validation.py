"""Each service's own validation answer when the SDK's client-side validation is off (wire/validate.py STYLES)."""

from __future__ import annotations

import json

import pytest
from botocore.config import Config

from orgs_helpers import create_member, error_of

RAW = Config(parameter_validation=False, retries={"max_attempts": 1, "mode": "standard"})


@pytest.fixture(scope="module")
def raw(server):
    return lambda service: server.client(service, config=RAW)


@pytest.fixture(scope="module")
def organization(server) -> str:
    """The bootstrap account's organization (made once, for the tests that need one, in any order)."""
    return server.client("organizations").create_organization(FeatureSet="ALL")["Organization"]["Id"]


def test_organizations_invalid_input_reasons(raw, organization):
    orgs = raw("organizations")
    error = error_of(orgs.describe_account, AccountId="12345")
    assert (error["Code"], error["Reason"], error["Message"], error["Status"]) == (
        "InvalidInputException", "INVALID_PATTERN", "You provided a value that does not match the required pattern.",
        400)
    error = error_of(orgs.list_policies, Filter="NOT_A_TYPE")
    assert (error["Code"], error["Reason"]) == ("InvalidInputException", "INVALID_ENUM_POLICY_TYPE")
    error = error_of(orgs.list_accounts, MaxResults=50)
    assert (error["Code"], error["Reason"]) == ("InvalidInputException", "MAX_VALUE_EXCEEDED")


def test_tags_follow_the_model_pattern_and_leave_system_tags_alone(raw, organization):
    """Organizations' TagKey/TagValue pattern (letters, digits, spaces and _.:/=+-@, Java's Unicode classes) and its
    system tags: an ``aws:`` key is INVALID_SYSTEM_TAGS_PARAMETER; nothing refused is stored."""
    orgs = raw("organizations")
    root = orgs.list_roots()["Roots"][0]["Id"]
    for tags in ([{"Key": "a#b", "Value": "x"}], [{"Key": "team", "Value": "x<y>"}]):
        error = error_of(orgs.tag_resource, ResourceId=root, Tags=tags)
        assert (error["Code"], error["Reason"]) == ("InvalidInputException", "INVALID_PATTERN"), tags
    error = error_of(orgs.tag_resource, ResourceId=root, Tags=[{"Key": "aws:cost", "Value": "x"}])
    assert (error["Code"], error["Reason"]) == ("InvalidInputException", "INVALID_SYSTEM_TAGS_PARAMETER")
    orgs.tag_resource(ResourceId=root, Tags=[{"Key": "équipe sécurité", "Value": "root-access_1:/=+-@"}])
    assert orgs.list_tags_for_resource(ResourceId=root)["Tags"] == [
        {"Key": "équipe sécurité", "Value": "root-access_1:/=+-@"}]


def test_account_schema_messages(raw):
    account = raw("account")
    contact = account.get_contact_information()["ContactInformation"]
    for phone in (" ", " +12065550100 "):
        error = error_of(account.put_contact_information, ContactInformation={**contact, "PhoneNumber": phone})
        assert (error["Code"], error["Status"]) == ("ValidationException", 400)
        assert error["Message"] == f'[ECMA 262 regex "^[+][\\s0-9()-]+$" does not match input string "{phone}"]'
        assert "reason" not in error and "fieldList" not in error


def test_sqs_sns_events_codes(raw):
    error = error_of(raw("sqs").send_message, QueueUrl="http://localhost/000000000000/q")
    assert (error["Code"], error["Message"]) == ("MissingParameter",
                                                 "The request must contain the parameter MessageBody.")
    error = error_of(raw("sns").create_topic)
    assert (error["Code"], error["Message"], error["Status"]) == ("InvalidParameter", "Invalid parameter: Name", 400)
    error = error_of(raw("events").describe_rule)
    assert error["Code"] == "ValidationException" and error["Message"].startswith("1 validation error detected: ")


def test_effective_tag_policy_merges_levels(server, raw, organization):
    orgs = server.client("organizations")
    member = create_member(orgs, "tagged")
    root_id = orgs.list_roots()["Roots"][0]["Id"]
    orgs.enable_policy_type(RootId=root_id, PolicyType="TAG_POLICY")
    assert error_of(orgs.describe_effective_policy, PolicyType="TAG_POLICY",
                    TargetId=member)["Code"] == "EffectivePolicyNotFoundException"
    documents = {
        root_id: {"tags": {"env": {"tag_key": {"@@assign": "Env"}, "tag_value": {"@@assign": ["prod"]}}}},
        member: {"tags": {"env": {"tag_value": {"@@append": ["dev"]}}}},
    }
    for target, document in documents.items():
        policy = orgs.create_policy(Content=json.dumps(document), Description="", Name=f"tags-{target}",
                                    Type="TAG_POLICY")["Policy"]["PolicySummary"]["Id"]
        orgs.attach_policy(PolicyId=policy, TargetId=target)
    effective = orgs.describe_effective_policy(PolicyType="TAG_POLICY", TargetId=member)["EffectivePolicy"]
    assert json.loads(effective["PolicyContent"]) == {"tags": {"env": {"tag_key": "Env", "tag_value": ["prod", "dev"]}}}
    error = error_of(raw("organizations").describe_effective_policy, PolicyType="SERVICE_CONTROL_POLICY",
                     TargetId=member)
    assert (error["Code"], error["Reason"]) == ("InvalidInputException", "INVALID_ENUM_POLICY_TYPE")
